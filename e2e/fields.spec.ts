// A compound (record) dataset in the analysis panel (issue #26): a field picker, as h5web has, so a field's values
// are scanned and plotted instead of "Scans and plots need a real-valued dtype".
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, tempDir, withApp } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test("a compound dataset's field is picked, and its statistics are the field's", async ({ page }) => {
  const h5 = path.join(dir, 'records.h5')
  const ref = py<{ id: number[]; t: number[] }>(`
import h5py
a = np.zeros((30, 20), [('id', '<i4'), ('name', 'S4'), ('t', '<f8')])
a['id'] = np.arange(600).reshape(30, 20) * 3 - 100
a['name'] = b'ab'
a['t'] = np.arange(600).reshape(30, 20) * 0.25 - 7.5
with h5py.File(${JSON.stringify(h5)}, 'w') as f:
    f.create_dataset('rec', data=a, chunks=(10, 10), compression='gzip')
print(json.dumps({'id': [int(a['id'].min()), int(a['id'].max()), int(a['id'].size)], 't': [float(a['t'].min()), float(a['t'].max()), float(a['t'].mean())]}))`)
  await withApp(page, [h5, '--array', '/rec'], async () => {
    await page.getByRole('button', { name: 'Analysis' }).click()
    const analysis = page.getByTestId('analysis')
    await expect(analysis).not.toContainText('need a real-valued dtype')
    const field = analysis.locator('select[name=field]')
    // the numeric fields only, the first chosen
    await expect(field.locator('option')).toHaveText(['id (<i4)', 't (<f8)'])
    await expect(field).toHaveValue('id')
    await page.getByRole('button', { name: 'Compute statistics' }).click()
    await expect(page.getByTestId('stats-count')).toHaveText(String(ref.id[2]))
    await expect(page.getByTestId('stats-min')).toHaveText(String(ref.id[0]))
    await expect(page.getByTestId('stats-max')).toHaveText(String(ref.id[1]))
    await field.selectOption('t')
    await page.getByRole('button', { name: 'Compute statistics' }).click()
    await expect(page.getByTestId('stats-min')).toHaveText(String(ref.t[0]))
    await expect(page.getByTestId('stats-max')).toHaveText(String(ref.t[1]))
    await expect(page.getByTestId('stats-mean')).toHaveText(String(ref.t[2]))
    // the heatmap of the field draws (its tiles carry the field)
    await analysis.getByRole('tab', { name: 'Heatmap' }).click()
    await expect(page.getByTestId('image')).toHaveAttribute('data-ready', 'true')
    await expect(analysis.locator('.validation.bad')).toHaveCount(0)
  })
})
