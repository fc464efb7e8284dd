// The friction a new user met (issue #16): many tabs, a reload or restart losing everything, columns that cut
// values, a 1-D array in one narrow column.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { configDir, openFromForm, py, serve, tempDir, withApp } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('many tabs scroll sideways; the active one stays in view with its full path on hover', async ({ page }) => {
  const files = Array.from({ length: 9 }, (_, k) => path.join(dir, `a-rather-long-file-name-number-${k}.npy`))
  py(`
for k, f in enumerate(${JSON.stringify(files)}): np.save(f, np.full((3, 4), k, '<i2'))
print(1)`)
  await withApp(
    page,
    [files[0]!],
    async () => {
      for (const f of files.slice(1)) await openFromForm(page, f)
      const strip = page.getByTestId('tab-strip')
      const { scroll, client } = await strip.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }))
      expect(scroll).toBeGreaterThan(client) // it scrolls instead of pushing the toolbar off screen
      const visible = async (): Promise<void> => {
        const s = (await strip.boundingBox())!
        const a = (await strip.locator('.tab.active').boundingBox())!
        expect(a.x).toBeGreaterThanOrEqual(s.x - 1)
        expect(a.x + a.width).toBeLessThanOrEqual(s.x + s.width + 1)
      }
      await visible()
      const last = strip.locator('.tab.active .tab-title')
      await expect(last).toHaveAttribute('title', files[8]!)
      await expect(last).toHaveText('a-rather-long-file-name-number-8.npy')
      // the first tab, scrolled back into view when chosen from the keyboard-less end of the strip
      await strip.evaluate((el) => (el.scrollLeft = el.scrollWidth))
      await strip.locator('.tab-title').first().click()
      await visible()
      await expect(page.getByTestId('status-bar')).toContainText('shape (3, 4)')
      // the toolbar's buttons stay on screen
      const analysis = (await page.getByRole('button', { name: 'Analysis' }).boundingBox())!
      expect(analysis.x + analysis.width).toBeLessThanOrEqual(1000)
    },
    { width: 1000, height: 700 }
  )
})

test('tabs, their views, cursors and panels come back after a reload and after a restart', async ({ page }) => {
  const cube = path.join(dir, 'cube.npy')
  const raw = path.join(dir, 'plain.bin')
  py(`
np.save(${JSON.stringify(cube)}, np.arange(6 * 40 * 30, dtype='<f4').reshape(6, 40, 30))
np.arange(500, dtype='>i4').tofile(${JSON.stringify(raw)})
print(1)`)
  const config = configDir()
  const served = await serve([cube], { configDir: config })
  const checkRestored = async (): Promise<void> => {
    await expect(page.getByTestId('tab-strip').getByRole('tab')).toHaveCount(2)
    await expect(page.getByTestId('tab-strip').getByRole('tab', { selected: true })).toContainText('plain.bin')
    await expect(page.getByTestId('status-bar')).toContainText('>i4')
    await expect(page.getByTestId('status-bar')).toContainText('shape (25, 20)')
    await expect(page.getByTestId('cursor')).toHaveText('cell (12, 3)')
    await expect(page.getByTestId('hex')).toBeVisible()
    await expect(page.getByTestId('analysis')).toBeVisible()
    await page.locator('.tab-title').first().click()
    await expect(page.locator('input[name=slice]')).toHaveValue('2:5, ::2')
    await expect(page.locator('input[name="index-0"]')).toHaveValue('1')
    await expect(page.getByTestId('cursor')).toHaveText('cell (7, 4)')
    await expect(page.locator('.cell[data-row="7"][data-col="4"]')).toHaveText(
      py<string>(`print(json.dumps(str(np.load(${JSON.stringify(cube)})[2:5, ::2][1, 7, 4])))`)
    )
  }
  try {
    await page.goto(served.url)
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await page.fill('input[name=slice]', '2:5, ::2')
    await page.press('input[name=slice]', 'Enter')
    await page.locator('input[name="index-0"]').fill('1')
    await page.locator('.cell[data-row="7"][data-col="4"]').click()
    await page.getByRole('button', { name: '+ Open' }).click()
    await page.fill('input[name=path]', raw)
    await expect(page.getByTestId('probe')).toContainText('2,000 bytes')
    await page.fill('input[name=dtype]', '>i4')
    await page.fill('input[name=shape]', '25, 20')
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await page.locator('.cell[data-row="12"][data-col="3"]').click()
    await page.getByRole('button', { name: 'Hex' }).click()
    await page.getByRole('button', { name: 'Analysis' }).click()
    await expect(page.getByTestId('tab-strip')).toHaveAttribute('data-workspace', 'saved') // saved soon after
    await page.reload()
    await checkRestored()
    await page.locator('.tab-title').nth(1).click()
    await expect(page.getByTestId('tab-strip')).toHaveAttribute('data-workspace', 'saved')
  } finally {
    await served.stop()
  }
  // a restart of the server with no file: the same tabs
  const again = await serve([], { configDir: config })
  try {
    await page.goto(again.url)
    await checkRestored()
  } finally {
    await again.stop()
    fs.rmSync(config, { recursive: true, force: true })
  }
})

test('columns fit their values (complex, float64, records with sub-arrays); drag resizes, double-click fits; the full value on hover', async ({
  page
}) => {
  const cplx = path.join(dir, 'complex.npy')
  const recs = path.join(dir, 'records.npy')
  const ref = py<{ c: string; r: string }>(`
a = (np.arange(40 * 6).reshape(40, 6) * (1.2345678901234567e+300 - 9.87654321e-300j)).astype('<c16')
np.save(${JSON.stringify(cplx)}, a)
r = np.zeros((10, 3), dtype=[('pos', '<f8', (3,)), ('id', '<i8')])
r['pos'] = np.pi * 1e10; r['id'] = -2**62
np.save(${JSON.stringify(recs)}, r)
print(json.dumps(dict(c=str(a[3, 2]), r='[' + ', '.join(repr(float(v)) for v in r[1, 1]['pos']) + ']')))`)
  const overflowing = (page: Page): Promise<number> =>
    page.locator('.cell:not(.loading)').evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth).length)
  await withApp(page, [cplx], async () => {
    const cell = page.locator('.cell[data-row="3"][data-col="2"]')
    await expect(cell).toHaveText(ref.c)
    await expect(cell).toHaveAttribute('title', ref.c)
    expect(await overflowing(page)).toBe(0)
    const fitted = (await cell.boundingBox())!.width
    expect(fitted).toBeGreaterThan(120) // wider than the old fixed 120 px, which cut these
    // drag the first column's edge 80 px to the left: narrower (and now cut), then double-click: fitted again
    const edge = page.locator('.col-header .col-resize').first()
    const box = (await edge.boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width / 2 - 80, box.y + box.height / 2, { steps: 4 })
    await page.mouse.up()
    await expect.poll(async () => Math.round((await cell.boundingBox())!.width)).toBe(Math.round(fitted - 80))
    expect(await overflowing(page)).toBeGreaterThan(0)
    await page.locator('.col-header .col-resize').first().dblclick()
    await expect.poll(async () => Math.round((await cell.boundingBox())!.width)).toBe(Math.round(fitted))
    expect(await overflowing(page)).toBe(0)
  })
  await withApp(page, [recs], async () => {
    const pos = page.locator('.cell[data-row="1"][data-col="2"]') // element 1's field pos
    await expect(pos).toHaveText(ref.r)
    expect(await overflowing(page)).toBe(0)
  })
})

test('a 1-D array fills the width: rows of consecutive elements, like a hex dump of values', async ({ page }) => {
  const file = path.join(dir, 'line.f4')
  const ref = py<string[]>(`
a = (np.arange(1000) * 0.5 - 3).astype('<f4'); a.tofile(${JSON.stringify(file)})
print(json.dumps([str(v) for v in a]))`)
  await withApp(page, [file, '--dtype', '<f4'], async () => {
    const headers = page.locator('.col-header')
    const k = await headers.count()
    expect(k).toBeGreaterThan(4)
    await expect(headers.first()).toHaveText('+0')
    await expect(headers.nth(1)).toHaveText('+1')
    const wrap = Number((await page.locator('.row-header').nth(1).textContent()) ?? '0') // the second row's first element
    expect(wrap).toBeGreaterThan(4)
    await expect(page.locator('.row-header').nth(2)).toHaveText(String(2 * wrap))
    await expect(page.locator(`.cell[data-row="1"][data-col="3"]`)).toHaveText(ref[wrap + 3]!)
    await page.fill('input[name=goto]', '537')
    await page.press('input[name=goto]', 'Enter')
    await expect(page.getByTestId('element-index')).toHaveText('element (537)')
    await expect(page.locator('.cell.selected')).toHaveText(ref[537]!)
    await expect(page.getByTestId('cursor')).toHaveText(`cell (${Math.floor(537 / wrap)}, ${537 % wrap})`)
    // the last row ends where the array does
    await page.getByTestId('grid').focus()
    await page.keyboard.press('Control+End')
    await expect(page.getByTestId('element-index')).toHaveText('element (999)')
    await expect(page.locator('.cell.selected')).toHaveText(ref[999]!)
    // narrower window: fewer elements per row, the cursor stays on its element
    await page.setViewportSize({ width: 700, height: 800 })
    const step = async (): Promise<number> =>
      Number(await page.locator('.row-header').nth(1).textContent()) -
      Number(await page.locator('.row-header').nth(0).textContent())
    await expect.poll(step).toBeLessThan(wrap)
    await expect(page.getByTestId('element-index')).toHaveText('element (999)')
    await expect(page.locator('.cell.selected')).toHaveText(ref[999]!)
  })
})

test('zooming the line plot shows no notice over the controls; the hint sits above the plot', async ({ page }) => {
  const file = path.join(dir, 'wave.f4')
  py(`(np.sin(np.arange(300 * 400) / 50.0)).astype('<f4').tofile(${JSON.stringify(file)}); print(1)`)
  await withApp(page, [file, '--dtype', '<f4', '--shape', '300,400'], async () => {
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByTestId('analysis').getByRole('tab', { name: 'Line' }).click()
    const line = page.getByTestId('line-plot')
    await expect(line).not.toHaveAttribute('data-points', '0')
    await expect(page.getByTestId('line-info')).toContainText('drag to zoom, double-click to see all')
    // a drag across the plot zooms (re-requested for the new range)
    const area = (await line.locator('.nsewdrag').first().boundingBox())!
    await page.mouse.move(area.x + area.width * 0.3, area.y + area.height / 2)
    await page.mouse.down()
    await page.mouse.move(area.x + area.width * 0.6, area.y + area.height / 2, { steps: 5 })
    await page.mouse.up()
    await expect(line).not.toHaveAttribute('data-start', '0')
    // plotly's own "Double-click to zoom back out" notice would sit over the toolbar's right end
    // (it stays about 3 s, so this is counted once, not waited for)
    await page.waitForTimeout(300)
    expect(await page.locator('.plotly-notifier .notifier-note').count()).toBe(0)
    await page.getByRole('button', { name: 'Copy as code' }).click() // the toolbar's right end is reachable
    await expect(page.getByTestId('recipe-python')).toBeVisible()
  })
})

test('the statistics progress bar moves steadily: forward only, in many small steps', async ({ page }) => {
  const file = path.join(dir, 'sparse-3g.f4')
  const fd = fs.openSync(file, 'w')
  fs.ftruncateSync(fd, 3 * 2 ** 30)
  fs.closeSync(fd)
  await withApp(page, [file, '--dtype', '<f4', '--shape', `${3 * 2 ** 14},${2 ** 14}`], async () => {
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('button', { name: 'Compute statistics' }).click()
    const bar = page.getByTestId('stats-progress')
    await expect(bar).toBeVisible()
    const seen: number[] = []
    while (seen.length < 3000) {
      const v = await bar.getAttribute('value', { timeout: 1000 }).catch(() => null)
      if (v === null) break // the bar is gone: done
      seen.push(Number(v))
      await page.waitForTimeout(40)
    }
    await expect(page.getByTestId('stats-count')).toHaveText(String(3 * 2 ** 28), { timeout: 60_000 })
    const steps = seen.slice(1).map((v, k) => v - seen[k]!)
    expect(Math.min(...steps)).toBeGreaterThanOrEqual(0) // never backwards
    expect(new Set(seen).size).toBeGreaterThanOrEqual(8) // many values, not 0 → 50% → 100%
    expect(Math.max(...steps)).toBeLessThan(0.3) // no big jump
  })
})
