// A sharded Zarr v3 store written by TensorStore (inner chunks blosc-compressed, some never written) in the app
// (serve mode, Chromium): the array opens from the tree, its cells are TensorStore's values (the fill value where
// no inner chunk was written), and its statistics equal numpy's on TensorStore's read.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { tspy } from '../test/helpers/zarr'
import { serve, tempDir } from './helpers/serve'

const dir = tempDir()
const STORE = path.join(dir, 'sharded.zarr')
let ref: { cells: string[][]; count: number; min: string; max: string }

test.beforeAll(() => {
  ref = tspy(`
import os
os.makedirs(${JSON.stringify(STORE)})
json.dump({'zarr_format': 3, 'node_type': 'group', 'attributes': {'source': 'e2e'}}, open(os.path.join(${JSON.stringify(STORE)}, 'zarr.json'), 'w'))
t = ts.open({'driver': 'zarr3', 'kvstore': {'driver': 'file', 'path': os.path.join(${JSON.stringify(STORE)}, 'volume')}, 'create': True,
             'metadata': {'shape': [120, 90], 'data_type': 'float32', 'fill_value': -1,
                          'chunk_grid': {'name': 'regular', 'configuration': {'chunk_shape': [60, 45]}},
                          'codecs': [{'name': 'sharding_indexed', 'configuration': {'chunk_shape': [20, 15],
                              'codecs': [{'name': 'bytes', 'configuration': {'endian': 'little'}},
                                         {'name': 'blosc', 'configuration': {'cname': 'lz4', 'clevel': 5, 'shuffle': 'shuffle', 'typesize': 4, 'blocksize': 0}}],
                              'index_codecs': [{'name': 'bytes', 'configuration': {'endian': 'little'}}, {'name': 'crc32c'}]}}]}}).result()
x = np.random.default_rng(29).standard_normal((120, 90)).astype('float32')
t[0:1, 0:3] = x[0:1, 0:3]   # the first inner chunk holds three values, the rest of it and its shard's other chunks are fill
t[60:120, :] = x[60:120, :]
a = t.read().result()
print(json.dumps({'cells': [[str(v) for v in row] for row in a[:2, :4]], 'count': int(a.size),
                  'min': str(a.min()), 'max': str(a.max())}))`)
})
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('Zarr v3 sharded + blosc: open the array, see TensorStore’s values and fill, statistics', async ({ page }) => {
  const served = await serve([STORE])
  try {
    await page.goto(served.url)
    const panel = page.getByTestId('container-panel')
    await expect(panel.getByTestId('container-summary')).toHaveText(/Zarr · 1 array/)
    const v = panel.locator('[data-testid="container-entry"][data-name="volume"]')
    await expect(v).toContainText('(120, 90)')
    await v.click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.getByTestId('status-array')).toContainText('sharding_indexed')
    for (let i = 0; i < 2; i++) {
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
