// A remote .npy and a safetensors tensor opened in serve mode with --remote, served by a real nginx: the open
// form takes the URL like a path, the table shows numpy's values, and the inspector says the array is read-only
// because it is remote. A URL outside --remote is refused in the form with the reason.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { startNginx } from '../test/helpers/nginx'
import { py, serve, tempDir } from './helpers/serve'

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
