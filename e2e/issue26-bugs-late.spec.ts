// The bugs a new user hit with real files (issue #26), 8–12: every test here failed before its fix. Layout items
// check element boxes (inside the window, not overlapping) at 1400×900 and 1024×768.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, serve, withApp } from './helpers/serve'
import { BIN, dir, expectLaidOut, H5, INDEX, inside, makeFiles, Q0, SIZES } from './helpers/issue26-files'

test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
test.beforeAll(() => {
  makeFiles()
})

test('8: heatmap: the column labels are not hidden by the image; a very wide array fills the frame', async ({
  page
}) => {
  const mid = path.join(dir, 'mid.npy')
  const wide = path.join(dir, 'wide.npy')
  py(`
np.save(${JSON.stringify(mid)}, np.arange(100 * 300, dtype='<f4').reshape(100, 300))
np.save(${JSON.stringify(wide)}, np.arange(64 * 4096, dtype='<f4').reshape(64, 4096))
print(1)`)
  const labelsOnTop = (): Promise<boolean[]> =>
    page.evaluate(`[...document.querySelectorAll('.image-ticks-top span')].map((s) => {
      const r = s.getBoundingClientRect()
      return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === s
    })`)
  const viewport = (): Promise<{ sx: number; sy: number }> => page.evaluate('window.__arrayscopeImage.viewport')
  await withApp(page, [mid], async () => {
    // the labels let the pointer through to the canvas: for the hit test below they take it, so that it finds
    // whichever is painted on top
    await page.addStyleTag({ content: '.image-ticks { pointer-events: auto !important }' })
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('tab', { name: 'Heatmap' }).click()
    for (const size of SIZES) {
      await page.setViewportSize(size)
      await expect(page.getByTestId('image')).toHaveAttribute('data-ready', 'true')
      const panel = (await expectLaidOut(page, ['.table-view', '.analysis']))['.analysis']!
      const frame = (await page.locator('.image-frame').boundingBox())!
      expect(inside(panel, frame), 'the heatmap is inside the Analysis panel').toBe(true)
      // its controls too (at 1024 px they ran past the panel's edge)
      for (const s of ['select[name="image-fit"]', 'select[name="reduce"]', '.colour-bar'])
        expect(inside(panel, (await page.locator(s).boundingBox())!), `${s} in the panel`).toBe(true)
      await expect.poll(async () => (await labelsOnTop()).length).toBeGreaterThan(1)
      expect(await labelsOnTop(), 'every column label is visible, not under the canvas').not.toContain(false)
      for (const b of await page.locator('.image-ticks-top span').all())
        expect(inside(frame, (await b.boundingBox())!)).toBe(true)
      await page.screenshot({ path: `/tmp/issue26-8-${size.width}.png` })
      await expect(page.locator('select[name="image-fit"]')).toHaveValue('aspect')
    }
    await page.getByRole('button', { name: '+ Open' }).click()
    await page.fill('input[name=path]', wide)
    await expect(page.getByTestId('validation')).toContainText('bytes after offset')
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await page.getByRole('tab', { name: 'Heatmap' }).click()
    for (const size of SIZES) {
      await page.setViewportSize(size)
      await expect(page.locator('select[name="image-fit"]')).toHaveValue('fill')
      await expect(page.getByTestId('image')).toHaveAttribute('data-ready', 'true')
      const canvas = (await page.getByTestId('image').boundingBox())!
      // the 64 rows fill the canvas's height instead of a strip a 64th of its width tall
      const drawn = (await viewport()).sy * 64
      expect(drawn).toBeGreaterThan(canvas.height * 0.9)
      await page.screenshot({ path: `/tmp/issue26-8-wide-${size.width}.png` })
    }
    // and the user can still ask for square pixels
    await page.locator('select[name="image-fit"]').selectOption('aspect')
    await expect
      .poll(async () => {
        const v = await viewport()
        return v.sx === v.sy
      })
      .toBe(true)
  })
})

test('10: with a slice typed, Export writes the sliced view unless told otherwise', async ({ page }) => {
  const big = path.join(dir, 'big.npy')
  const out = path.join(dir, 'view.npy')
  py(`np.save(${JSON.stringify(big)}, np.arange(200 * 300, dtype='<f4').reshape(200, 300)); print(1)`)
  await withApp(page, [big], async () => {
    await page.fill('input[name=slice]', '5:15, 20:30')
    await page.press('input[name=slice]', 'Enter')
    await expect(page.getByTestId('status-bar')).toContainText('view (10, 10)')
    await page.getByRole('button', { name: 'Export…' }).click()
    await expect(page.locator('select[name=export-scope]')).toHaveValue('view')
    await page.fill('input[name=export-out]', out)
    await page.getByRole('button', { name: 'Export', exact: true }).click()
    await expect(page.getByTestId('export-message')).toContainText(`to ${out}`)
    expect(
      py<boolean>(`
a = np.load(${JSON.stringify(big)})[5:15, 20:30]; b = np.load(${JSON.stringify(out)})
print(json.dumps(bool(a.shape == b.shape and (a == b).all())))`)
    ).toBe(true)
  })
})

test('11: Hex opened with the cursor on the last element shows its bytes', async ({ page }) => {
  const big = path.join(dir, 'last.npy')
  py(`np.save(${JSON.stringify(big)}, np.arange(2000 * 30, dtype='<f4').reshape(2000, 30)); print(1)`)
  await withApp(page, [big], async () => {
    await page.getByTestId('grid').focus()
    await page.keyboard.press('Control+End')
    await expect(page.getByTestId('cursor')).toHaveText('cell (1999, 29)')
    for (const size of SIZES) {
      await page.setViewportSize(size)
      await page.getByRole('button', { name: 'Hex' }).click()
      await expect(page.locator('.hex-byte.selected')).toHaveCount(4)
      const scroller = (await page.locator('.hex-scroller').boundingBox())!
      await expect
        .poll(async () => {
          for (const b of await page.locator('.hex-byte.selected').all())
            if (!inside(scroller, (await b.boundingBox())!)) return false
          return true
        }, 'the selected bytes are among the visible rows')
        .toBe(true)
      await page.screenshot({ path: `/tmp/issue26-11-${size.width}.png` })
      await page.getByRole('button', { name: 'Hex' }).click()
    }
  })
})

test('12: sidebar rows show whole names in natural order; Undo back to the flushed bytes leaves nothing unflushed', async ({
  page
}) => {
  await withApp(page, [INDEX, '--array', Q0, '--mode', 'r+'], async () => {
    const panel = page.getByTestId('container-panel')
    await panel.locator('input[name="container-filter"]').fill('q_proj')
    const entries = panel.getByTestId('container-entry')
    await expect(entries).toHaveCount(22)
    const names = Array.from({ length: 22 }, (_, k) => `model.layers.${k}.self_attn.q_proj.weight`)
    expect(await entries.evaluateAll((es) => es.map((e) => e.getAttribute('data-name')))).toEqual(names)
    for (const size of SIZES) {
      await page.setViewportSize(size)
      // each row shows its whole name: nothing cut off
      const labels = panel.locator('[data-testid="container-entry"] .entry-label')
      expect(await labels.allTextContents()).toEqual(names)
      const clipped = await labels.evaluateAll((ls) => ls.filter((l) => l.scrollWidth > l.clientWidth + 1).length)
      expect(clipped, 'labels cut off').toBe(0)
      await expectLaidOut(page, ['.containers', '.table-view'])
      await page.screenshot({ path: `/tmp/issue26-12-${size.width}.png` })
    }
    // edit, flush, edit again, undo: the file holds the flushed bytes, nothing is unflushed
    const cell = page.locator('.cell[data-row="0"][data-col="0"]')
    for (const v of ['5', '6']) {
      await cell.dblclick()
      await page.getByTestId('cell-editor').fill(v)
      await page.getByTestId('cell-editor').press('Enter')
      await expect(cell).toHaveText(`${v}.0`)
      if (v === '5') {
        await page.getByRole('button', { name: 'Flush' }).click()
        await expect(page.getByTestId('dirty')).toHaveCount(0)
      }
    }
    await expect(page.getByTestId('dirty')).toBeVisible()
    await page.getByRole('button', { name: 'Undo' }).click()
    await expect(cell).toHaveText('5.0')
    await expect(page.getByTestId('dirty')).toHaveCount(0)
    await page.getByRole('button', { name: 'Redo' }).click()
    await expect(page.getByTestId('dirty')).toBeVisible()
  })
})

test('9: an array’s attributes are in view (sidebar, CLI info), float32 ones print as float32, GGUF arrays page in', async ({
  page
}) => {
  const gg = path.join(dir, 'vocab.gguf')
  py(`
import gguf
w = gguf.GGUFWriter(${JSON.stringify(gg)}, 'llama')
w.add_float32('llama.attention.layer_norm_rms_epsilon', 1e-5)
w.add_array('tokenizer.ggml.tokens', [f'tok{i}' for i in range(1500)])
w.add_tensor('w', np.ones((4, 32), np.float32))
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
print(1)`)
  // the CLI: info --array gives the attributes, the float32 one with its own shortest digits
  const cli = spawnSync(process.execPath, [BIN, 'info', H5, '--array', '/raw/temperature'], { encoding: 'utf8' })
  expect(cli.status, cli.stderr).toBe(0)
  expect(JSON.parse(cli.stdout).metadata).toEqual({ units: 'K', long_name: 'air temperature', scale: 1e-5 })
  expect(cli.stdout).toContain('"scale":1e-05')
  const ggInfo = spawnSync(process.execPath, [BIN, 'info', gg], { encoding: 'utf8' })
  expect(ggInfo.stdout).toContain('"llama.attention.layer_norm_rms_epsilon":1e-05')

  await withApp(page, [H5, '--array', '/raw/temperature'], async () => {
    const panel = page.getByTestId('container-panel')
    // the open array's attributes show without a click
    const attrs = panel.getByTestId('array-metadata')
    await expect(attrs).toContainText('"units": "K"')
    await expect(attrs).toContainText('"long_name": "air temperature"')
    await expect(attrs).toContainText('"scale": 1e-05')
    // each row's attributes button reads as one, big enough to see and hit
    await panel.locator('input[name="container-filter"]').fill('temperature')
    const button = panel.getByRole('button', { name: 'attributes of /raw/temperature' })
    await expect(button).toHaveText('attrs')
    const box = (await button.boundingBox())!
    expect(box.width).toBeGreaterThanOrEqual(24)
    expect(box.height).toBeGreaterThanOrEqual(14)
    await button.click()
    await expect(panel.getByTestId('entry-metadata')).toContainText('"scale": 1e-05')
    await page.screenshot({ path: '/tmp/issue26-9.png' })
  })
  const served = await serve([gg])
  try {
    await page.goto(served.url)
    const panel = page.getByTestId('container-panel')
    await panel.getByText('Metadata').click()
    const meta = panel.getByTestId('container-metadata')
    await expect(meta).toContainText('"llama.attention.layer_norm_rms_epsilon": 1e-05')
    await expect(meta).toContainText('"tok31"')
    await expect(meta).not.toContainText('"tok32"')
    await panel.getByRole('button', { name: /show 1000 more of tokenizer\.ggml\.tokens/ }).click()
    await expect(meta).toContainText('"tok1031"')
    await expect(meta).not.toContainText('"tok1032"')
    await panel.getByRole('button', { name: /show 468 more of tokenizer\.ggml\.tokens/ }).click()
    await expect(meta).toContainText('"tok1499"')
    await expect(panel.getByRole('button', { name: /more of tokenizer/ })).toHaveCount(0)
  } finally {
    await served.stop()
  }
})
