// A remote .npy and a safetensors tensor opened in serve mode with --remote, served by a real nginx: the open
// form takes the URL like a path, the table shows numpy's values, and the inspector says the array is read-only
// because it is remote. A URL outside --remote is refused in the form with the reason.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { startNginx } from '../test/helpers/nginx'
import { py, serve, tempDir, withApp } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('a URL under --remote opens in the open form and shows its values', async ({ page }) => {
  fs.mkdirSync(path.join(dir, 'pub'))
  const expected = py<string[][]>(`
a = (np.arange(40 * 30, dtype='<f8').reshape(40, 30) / 8 - 3)
np.save(${JSON.stringify(path.join(dir, 'pub', 'grid.npy'))}, a)
print(json.dumps([[repr(float(x)) for x in row] for row in a]))`)
  const web = await startNginx(dir)
  const served = await serve(['--remote', `${web.url}/pub/`])
  try {
    await page.goto(served.url)
    await page.fill('input[name=path]', `${web.url}/secret.npy`)
    await expect(page.getByTestId('probe')).toContainText('not under a prefix this server may read')
    await page.fill('input[name=path]', `${web.url}/pub/grid.npy`)
    await expect(page.getByTestId('probe')).toContainText('.npy header read')
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.getByTestId('status-bar')).toContainText('shape (40, 30)')
    await expect(page.locator('.cell[data-row="0"][data-col="0"]')).toHaveText(expected[0]![0]!)
    await expect(page.locator('.cell[data-row="2"][data-col="5"]')).toHaveText(expected[2]![5]!)
  } finally {
    await served.stop()
    await web.stop()
  }
})

test('Compare takes a URL: a local file against its remote copy with planted differences', async ({ page }) => {
  fs.mkdirSync(path.join(dir, 'cmp'), { recursive: true })
  const a = path.join(dir, 'cmp', 'a.npy')
  const ref = py<{ mismatched: number }>(`
rng = np.random.default_rng(3)
a = rng.standard_normal((300, 400)).astype('<f4')
b = a.copy(); b[7, 9] += 1; b[250, 390] = -5
np.save(${JSON.stringify(a)}, a); np.save(${JSON.stringify(path.join(dir, 'cmp', 'b.npy'))}, b)
print(json.dumps({'mismatched': int((~np.isclose(a, b, rtol=1e-7, atol=0, equal_nan=True)).sum())}))`)
  const web = await startNginx(path.join(dir, 'cmp'))
  try {
    await withApp(page, [a, '--remote', `${web.url}/`], async () => {
      await page.getByRole('button', { name: 'Compare…' }).click()
      await page.locator('input[name="compare-source"]').nth(1).check()
      await page.locator('input[name="compare-path"]').fill(`${web.url}/b.npy`)
      await page.getByRole('dialog', { name: 'Compare' }).getByRole('button', { name: 'Compare' }).click()
      const panel = page.getByTestId('compare-panel')
      await expect(panel.getByTestId('compare-mismatched')).toHaveText(`${ref.mismatched} / 120000 (0.00167%)`)
      await expect(panel.getByTestId('compare-mismatches').locator('li')).toHaveCount(2)
    })
  } finally {
    await web.stop()
  }
})
