// A TIFF in the app (serve mode, Chromium): a tiled, deflate-compressed uint16 image (predictor 2) and an
// uncompressed 3-page stack, written by tifffile. The container panel lists both series; the compressed one opens
// read through its tiles with tifffile's values in the table, and the image view shows it (the hover value at a
// pixel equals tifffile's); the stack is mapped in place (its storedType has no codec).
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
const FILE = path.join(dir, 'scan.tif')
let ref: { cells: string[][]; px: number }

test.beforeAll(() => {
  ref = py(`
import tifffile
rng = np.random.default_rng(31)
img = rng.integers(0, 60000, (200, 300), dtype=np.uint16)
with tifffile.TiffWriter(${JSON.stringify(FILE)}) as w:
    w.write(img, tile=(64, 64), compression='zlib', predictor=2)
    w.write(np.arange(3 * 20 * 30, dtype='<f4').reshape(3, 20, 30))
a = tifffile.imread(${JSON.stringify(FILE)}, series=0)
print(json.dumps({'cells': [[str(v) for v in row] for row in a[:3, :4]], 'px': int(a[70, 130])}))`)
})
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('TIFF: the series in the container panel, a compressed tiled image in the table and the image view', async ({
  page
}) => {
  const served = await serve([FILE])
  try {
    await page.goto(served.url)
    const panel = page.getByTestId('container-panel')
    await expect(panel.getByTestId('container-summary')).toHaveText(/TIFF · 2 arrays/)
    await expect(panel.locator('[data-testid="container-entry"][data-name="series1"]')).toContainText('(3, 20, 30)')
    const s0 = panel.locator('[data-testid="container-entry"][data-name="series0"]')
    await expect(s0).toContainText('(200, 300)')
    await expect(s0).toContainText('chunked')
    await s0.click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.getByTestId('status-array')).toContainText('series0')
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) {
        await expect(page.locator(`.cell[data-row="${i}"][data-col="${j}"]`)).toHaveText(ref.cells[i]![j]!)
      }
    }
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('tab', { name: 'Heatmap' }).click()
    const image = page.getByTestId('image')
    await expect(image).toHaveAttribute('data-ready', 'true', { timeout: 60_000 })
    const box = (await image.boundingBox())!
    const p = (await page.evaluate(`(() => {
      const v = window.__arrayscopeImage.viewport
      return { x: (130 + 0.5 - v.x0) * v.sx, y: (70 + 0.5 - v.y0) * v.sy }
    })()`)) as { x: number; y: number }
    await expect
      .poll(async () => {
        await page.mouse.move(box.x + p.x + 1, box.y + p.y)
        await page.mouse.move(box.x + p.x, box.y + p.y)
        return page.getByTestId('image-hover').textContent()
      })
      .toMatch(new RegExp(`^\\(70, 130\\) = ${ref.px}(\\.0)?$`))
  } finally {
    await served.stop()
  }
})
