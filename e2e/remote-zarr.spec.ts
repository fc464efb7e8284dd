// A Zarr store over HTTP in the app (serve mode with --remote, Chromium, a real nginx): the consolidated store's
// groups are the tree's folders, an array of a group opens (its blosc chunks fetched by key and decoded) with
// zarr-python's values, and its statistics equal numpy's on zarr's read.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { startNginx } from '../test/helpers/nginx'
import { zpy } from '../test/helpers/zarr'
import { serve, tempDir } from './helpers/serve'

const dir = tempDir()
const STORE = path.join(dir, 'pub', 'climate.zarr')
let ref: { cells: string[][]; count: number; min: string; max: string }

test.beforeAll(() => {
  ref = zpy(`
rng = np.random.default_rng(30)
g = zarr.open_group(${JSON.stringify(STORE)}, mode='w')
t = g.create_group('grp').create_dataset('temperature', shape=(300, 400), chunks=(64, 64), dtype='<f4',
                                         compressor=numcodecs.Blosc('lz4', 5, 1), fill_value=np.nan)
t[:] = rng.standard_normal((300, 400)).astype('<f4')
g.create_dataset('flags', data=np.arange(5) % 2 == 0, chunks=(2,), compressor=None)
zarr.consolidate_metadata(${JSON.stringify(STORE)})
a = zarr.open_consolidated(${JSON.stringify(STORE)}, mode='r')['grp/temperature'][...]
print(json.dumps({'cells': [[str(v) for v in row] for row in a[:3, :4]], 'count': int(a.size),
                  'min': str(a.min()), 'max': str(a.max())}))`)
})
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('a remote Zarr store: browse it, open an array of a group, its statistics', async ({ page }) => {
  const web = await startNginx(dir)
  const served = await serve([`${web.url}/pub/climate.zarr`, '--remote', `${web.url}/pub/`])
  try {
    await page.goto(served.url)
    const panel = page.getByTestId('container-panel')
    await expect(panel.getByTestId('container-summary')).toHaveText(/Zarr · 2 arrays/)
    await panel.locator('[data-testid="container-folder"][data-folder="grp"]').click()
    const t = panel.locator('[data-testid="container-entry"][data-name="grp/temperature"]')
    await expect(t).toContainText('(300, 400)')
    await t.click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
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
    await web.stop()
  }
})

test('the open form takes a store URL and opens it as a container; a URL outside --remote is refused', async ({
  page
}) => {
  const web = await startNginx(dir)
  const served = await serve(['--remote', `${web.url}/pub/`])
  try {
    await page.goto(served.url)
    await page.fill('input[name=path]', `${web.url}/other.zarr`)
    await expect(page.getByTestId('probe')).toContainText('not under a prefix this server may read')
    await page.fill('input[name=path]', `${web.url}/pub/climate.zarr/`)
    await expect(page.getByTestId('container-notice')).toContainText('a Zarr store')
    await page.getByRole('button', { name: 'Open as container' }).click()
    const panel = page.getByTestId('container-panel')
    await expect(panel.getByTestId('container-summary')).toHaveText(/Zarr · 2 arrays/)
    await panel.locator('[data-testid="container-entry"][data-name="flags"]').click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.locator('.cell[data-row="0"][data-col="0"]')).toHaveText('True')
    await expect(page.locator('.cell[data-row="0"][data-col="1"]')).toHaveText('False')
  } finally {
    await served.stop()
    await web.stop()
  }
})
