// Export from the app: a selection of an N-D view to .npy equals numpy's indexing; a raw export with a
// sidecar reopens with its layout; an existing file is only replaced after confirming.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, tempDir, withApp } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('export a selection to .npy and the whole array as raw with a sidecar', async ({ page }) => {
  const cube = path.join(dir, 'cube.npy')
  py(`np.save(${JSON.stringify(cube)}, (np.arange(4*5*6).reshape(4, 5, 6) / 7).astype('>f4')); print(1)`)
  await withApp(page, [cube], async () => {
    await page.fill('input[name=index-0]', '2')
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await page.locator('.cell[data-row="1"][data-col="2"]').click()
    await page.locator('.cell[data-row="3"][data-col="4"]').click({ modifiers: ['Shift'] })
    await page.getByRole('button', { name: 'Export…' }).click()
    await page.selectOption('select[name=export-scope]', 'selection')
    const sel = path.join(dir, 'sel.npy')
    await page.fill('input[name=export-out]', sel)
    await page.getByRole('button', { name: 'Export', exact: true }).click()
    await expect(page.getByTestId('export-message')).toContainText(`to ${sel}`)
    expect(
      py<boolean>(`
a = np.load(${JSON.stringify(cube)})[2, 1:4, 2:5]; b = np.load(${JSON.stringify(sel)})
print(json.dumps(bool(a.dtype == b.dtype and a.shape == b.shape and (a == b).all())))`)
    ).toBe(true)
    // exporting again to the same name asks first (the dialog is dismissed here: nothing is replaced)
    const before = fs.readFileSync(sel)
    page.once('dialog', (d) => void d.dismiss())
    await page.getByRole('button', { name: 'Export', exact: true }).click()
    await expect(page.getByTestId('export-message')).toContainText('exists: confirm to replace it')
    expect(Buffer.compare(fs.readFileSync(sel), before)).toBe(0)
    // the whole array as raw binary with a layout sidecar
    await page.selectOption('select[name=export-scope]', 'array')
    await page.selectOption('select[name=export-as]', 'raw')
    const raw = path.join(dir, 'whole.bin')
    await page.fill('input[name=export-out]', raw)
    await page.getByRole('button', { name: 'Export', exact: true }).click()
    await expect(page.getByTestId('export-message')).toContainText('wrote 480 bytes')
    expect(JSON.parse(fs.readFileSync(`${raw}.arrayscope.json`, 'utf8'))).toMatchObject({
      dtype: '>f4',
      shape: [4, 5, 6],
      order: 'C'
    })
    await page.getByRole('button', { name: 'Close', exact: true }).click()
    // the open form reads the sidecar back
    await page.getByRole('button', { name: '+ Open' }).click()
    await page.fill('input[name=path]', raw)
    await expect(page.getByTestId('validation')).toContainText('(4, 5, 6) of >f4: 480 bytes after offset 0')
  })
})
