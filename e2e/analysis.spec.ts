// Statistics and plots on a 10^8-element file (10^4 × 10^4 float32): the stats panel shows numpy's min and
// max, the image (tiles of native block reductions) and the line plot render, zooming reaches single elements
// and samples, colour changes request nothing, and clicking a pixel moves the table's cursor there.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, serve, tempDir, type Served } from './helpers/serve'

const dir = tempDir()
const FILE = path.join(dir, 'e8.f4')
let served: Served
let ref: { min: number; max: number; count: number; nan: number; at: string; line: number[] }

test.beforeAll(async () => {
  ref = py(`
n = 10**4
with open(${JSON.stringify(FILE)}, 'wb') as f: f.truncate(n * n * 4)
m = np.memmap(${JSON.stringify(FILE)}, dtype='<f4', mode='r+', shape=(n, n))
m[:2000, :2000] = np.sin(np.arange(2000) / 100.0)[None, :] * np.cos(np.arange(2000) / 150.0)[:, None]
m[5000, 7000] = -5.5; m[9999, 9999] = 7.25; m[10, 10] = np.nan; m.flush()
print(json.dumps({'min': float(np.nanmin(m)), 'max': float(np.nanmax(m)), 'count': int(m.size), 'nan': int(np.isnan(m).sum()),
                  'at': str(m[5000, 7000]), 'line': [float(v) for v in m[100:141, 0]]}))`)
  served = await serve([FILE, '--dtype', '<f4', '--shape', '10000,10000'])
})
test.afterAll(async () => {
  await served.stop()
  fs.rmSync(dir, { recursive: true, force: true })
})

test('stats, heatmap and line plot of 10^8 elements', async ({ page }) => {
  await page.goto(served.url)
  await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
  await page.getByRole('button', { name: 'Analysis' }).click()
  await page.getByRole('button', { name: 'Compute statistics' }).click()
  await expect(page.getByTestId('stats-min')).toHaveText(String(ref.min), { timeout: 30_000 })
  await expect(page.getByTestId('stats-max')).toHaveText(String(ref.max))
  await expect(page.getByTestId('stats-count')).toHaveText(String(ref.count))
  await expect(page.getByTestId('stats-nan')).toHaveText(String(ref.nan))
  await expect(page.getByTestId('histogram-plot').locator('.main-svg').first()).toBeVisible()

  await page.getByRole('tab', { name: 'Heatmap' }).click()
  const image = page.getByTestId('image')
  await expect(image).toHaveAttribute('data-ready', 'true', { timeout: 30_000 })
  // the image saves as a PNG
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'PNG', exact: true }).click()
  ])
  expect(download.suggestedFilename()).toBe('e8.f4-image.png')
  const png = fs.readFileSync((await download.path())!)
  expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47])
  // colour is the renderer's: a colormap, scale or range change requests no tile
  const requests = await image.getAttribute('data-requests')
  await page.locator('select[name="colormap"]').selectOption('magma')
  await page.locator('select[name="scale"]').selectOption('symlog')
  await page.locator('input[name="zmax"]').fill('0.5')
  await expect(image).toHaveAttribute('data-requests', requests!)
  // zoom from the overview to single elements at (5000, 7000) with the wheel, read its value, click it
  const box = (await image.boundingBox())!
  const screen = async (): Promise<{ x: number; y: number; sx: number }> =>
    page.evaluate(() => {
      type Stats = { viewport: { sx: number; sy: number; x0: number; y0: number } }
      const v = (globalThis as unknown as { __arrayscopeImage: Stats }).__arrayscopeImage.viewport
      return { x: (7000.5 - v.x0) * v.sx, y: (5000.5 - v.y0) * v.sy, sx: v.sx }
    })
  for (let k = 0; k < 40 && (await screen()).sx < 8; k++) {
    const p = await screen()
    await page.mouse.move(box.x + p.x, box.y + p.y)
    await page.mouse.wheel(0, -100)
    await page.waitForTimeout(30)
  }
  await expect(image).toHaveAttribute('data-level', '0')
  await expect(image).toHaveAttribute('data-ready', 'true', { timeout: 30_000 })
  const p = await screen()
  await page.mouse.move(box.x + p.x, box.y + p.y)
  await expect(page.getByTestId('image-hover')).toHaveText(`(5000, 7000) = ${ref.at}`)
  await page.mouse.click(box.x + p.x, box.y + p.y)
  await expect(page.getByTestId('cursor')).toHaveText('cell (5000, 7000)')
  await expect(page.locator('.cell[data-row="5000"][data-col="7000"]')).toHaveText(ref.at)

  await page.getByRole('tab', { name: 'Line' }).click()
  const line = page.getByTestId('line-plot')
  // the plot fits its panel
  const panel = (await page.getByTestId('analysis').boundingBox())!
  await expect(line.locator('.main-svg').first()).toBeVisible({ timeout: 30_000 })
  const svg = (await line.locator('.main-svg').first().boundingBox())!
  expect(svg.x + svg.width).toBeLessThanOrEqual(panel.x + panel.width + 1)
  await expect(line).toHaveAttribute('data-stop', '10000')
  await expect(line).not.toHaveAttribute('data-points', '0', { timeout: 30_000 })
  const drawn = Number(await line.getAttribute('data-points'))
  expect(drawn).toBeLessThanOrEqual(2 * 4000) // ≤ 2 points per bucket, never 10^4 samples
  // zoom to samples 100–140: re-requested, one bucket per sample
  await line.evaluate((el) =>
    (el as unknown as { emit: (n: string, e: unknown) => void }).emit('plotly_relayout', {
      'xaxis.range[0]': 100,
      'xaxis.range[1]': 140
    })
  )
  await expect(line).toHaveAttribute('data-start', '100')
  await expect(line).toHaveAttribute('data-points', String(2 * 41))
  await expect(page.getByTestId('line-info')).toContainText('samples 100–140')
  // the drawn min/max pairs are the samples themselves, as numpy reads them
  const ys = (await line.evaluate((el) => (el as unknown as { data: { y: number[] }[] }).data[0]!.y)) as number[]
  expect(ys.filter((_, k) => k % 2 === 0)).toEqual(ref.line)
  expect(ys.filter((_, k) => k % 2 === 1)).toEqual(ref.line)
})
