// A Zarr store (a folder) in the app (serve mode, Chromium): the store's groups are the tree's folders, an array
// of a nested group opens (its gzip chunks read into a temporary copy) with zarr-python's values, read-only, and
// its statistics equal numpy's on zarr's read.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { zpy } from '../test/helpers/zarr'
import { serve, tempDir } from './helpers/serve'

const dir = tempDir()
const STORE = path.join(dir, 'climate.zarr')
let ref: { cells: string[][]; count: number; min: string; max: string }

test.beforeAll(() => {
  ref = zpy(`
rng = np.random.default_rng(29)
g = zarr.open_group(${JSON.stringify(STORE)}, mode='w')
g.attrs['source'] = 'e2e'
t = g.create_group('grp').create_dataset('temperature', shape=(300, 400), chunks=(64, 64), dtype='<f4',
                                         compressor=numcodecs.GZip(1), fill_value=np.nan)
t[:] = rng.standard_normal((300, 400)).astype('<f4')
t.attrs['units'] = 'K'
g.create_dataset('flags', data=np.arange(5) % 2 == 0, chunks=(2,), compressor=None)
a = zarr.open_group(${JSON.stringify(STORE)}, mode='r')['grp/temperature'][...]
print(json.dumps({'cells': [[str(v) for v in row] for row in a[:3, :4]], 'count': int(a.size),
                  'min': str(a.min()), 'max': str(a.max())}))`)
})
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('Zarr: browse the store, open an array of a group, its statistics', async ({ page }) => {
  const served = await serve([STORE])
  try {
    await page.goto(served.url)
    const panel = page.getByTestId('container-panel')
    await expect(panel.getByTestId('container-summary')).toHaveText(/Zarr · 2 arrays/)
    await panel.locator('[data-testid="container-folder"][data-folder="grp"]').click()
    const t = panel.locator('[data-testid="container-entry"][data-name="grp/temperature"]')
    await expect(t).toContainText('(300, 400)')
    await expect(t).toContainText('chunked')
    await t.click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.getByTestId('status-array')).toHaveText('grp/temperature · chunked (gzip(1))')
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) {
        await expect(page.locator(`.cell[data-row="${i}"][data-col="${j}"]`)).toHaveText(ref.cells[i]![j]!)
      }
    }
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('button', { name: 'Compute statistics' }).click()
    await expect(page.getByTestId('stats-count')).toHaveText(String(ref.count), { timeout: 60_000 })
    await expect(page.getByTestId('stats-min')).toHaveText(ref.min)
    await expect(page.getByTestId('stats-max')).toHaveText(ref.max)
  } finally {
    await served.stop()
  }
})

test('Zarr: the open form takes the store folder and opens it as a container', async ({ page }) => {
  const served = await serve([])
  try {
    await page.goto(served.url)
    await page.locator('input[name="path"]').fill(STORE)
    await expect(page.getByTestId('container-notice')).toContainText('a Zarr store (a folder, or a .zarr.zip archive)')
    // not "0 bytes": the folder's size is not its data's
    await expect(page.getByTestId('probe')).toHaveText('a folder of chunk files')
    await expect(page.getByTestId('validation')).toHaveText(
      'a Zarr store has no raw bytes to lay out: Open as container lists its arrays'
    )
    await page.getByRole('button', { name: 'Open as container' }).click()
    const panel = page.getByTestId('container-panel')
    await expect(panel.getByTestId('container-summary')).toHaveText(/Zarr · 2 arrays/)
    await panel.locator('[data-testid="container-entry"][data-name="flags"]').click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.locator('.cell[data-row="0"][data-col="0"]')).toHaveText('True')
    await expect(page.locator('.cell[data-row="0"][data-col="1"]')).toHaveText('False')
  } finally {
    await served.stop()
  }
})
