// The bugs a new user hit with real files (issue #26), each as they met it: every test here failed before its fix.
// Layout items check element boxes (inside the window, not overlapping) at 1400×900 and 1024×768.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { py, serve, tempDir, withApp } from './helpers/serve'

const dir = tempDir()
const BIN = path.join(__dirname, '..', 'bin', 'arrayscope.js')
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const A = path.join(dir, 'golden.npy')
const B = path.join(dir, 'run.npy')
const INDEX = path.join(dir, 'model.safetensors.index.json')
const H5 = path.join(dir, 'experiment.h5')
const Q0 = 'model.layers.0.self_attn.q_proj.weight'
const SIZES = [
  { width: 1400, height: 900 },
  { width: 1024, height: 768 }
]

type Box = { x: number; y: number; width: number; height: number }
const overlap = (a: Box, b: Box): boolean =>
  Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 1 &&
  Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 1

/** Each selector's (first) element is on screen, whole inside the window, and overlaps none of the others. */
async function expectLaidOut(page: Page, selectors: string[]): Promise<Record<string, Box>> {
  const size = page.viewportSize()!
  const boxes: Record<string, Box> = {}
  for (const s of selectors) {
    const b = await page.locator(s).first().boundingBox()
    expect(b, `${s} is on screen`).not.toBeNull()
    expect(b!.width * b!.height, `${s} has an area`).toBeGreaterThan(0)
    expect(
      b!.x >= -0.5 && b!.y >= -0.5 && b!.x + b!.width <= size.width + 0.5 && b!.y + b!.height <= size.height + 0.5,
      `${s} ${JSON.stringify(b)} lies inside the ${size.width}×${size.height} window`
    ).toBe(true)
    boxes[s] = b!
  }
  for (let i = 0; i < selectors.length; i++)
    for (let j = i + 1; j < selectors.length; j++)
      expect(overlap(boxes[selectors[i]!]!, boxes[selectors[j]!]!), `${selectors[i]} overlaps ${selectors[j]}`).toBe(
        false
      )
  return boxes
}

/** b lies inside a (give or take a pixel). */
function inside(a: Box, b: Box): boolean {
  return b.x >= a.x - 1 && b.y >= a.y - 1 && b.x + b.width <= a.x + a.width + 1 && b.y + b.height <= a.y + a.height + 1
}
let ref: { tensors: number }

test.beforeAll(() => {
  ref = py(`
import os
from safetensors import serialize_file, TensorSpec
a = np.ones((60, 80), '<f4'); b = a.copy()
b[7, 9] = 1.25   # |A - B| = 0.25, / |B| = 0.2
b[30, 2] = 0.5   # |A - B| = 0.5 (the largest), / |B| = 1.0 (the largest)
np.save(${JSON.stringify(A)}, a); np.save(${JSON.stringify(B)}, b)
# a 3-shard checkpoint whose tensors are named as a llama's are, placed in shards out of name order
d = ${JSON.stringify(dir)}
weight_map = {}
keep = []
layers = [list(range(15, 22)), list(range(0, 8)), list(range(8, 15))]
for k, ls in enumerate(layers):
    name = f'model-{k+1:05d}-of-00003.safetensors'
    tensors = {}
    for layer in ls:
        for part in ('q_proj', 'k_proj'):
            w = np.full((4, 6), layer, np.float32)
            keep.append(w)
            tensors[f'model.layers.{layer}.self_attn.{part}.weight'] = TensorSpec(dtype='float32', shape=w.shape, data_ptr=w.ctypes.data, data_len=w.nbytes)
    serialize_file(tensors, os.path.join(d, name))
    for n in tensors: weight_map[n] = name
json.dump({'metadata': {}, 'weight_map': weight_map}, open(${JSON.stringify(INDEX)}, 'w'))
import h5py
with h5py.File(${JSON.stringify(H5)}, 'w') as f:
    g = f.create_group('raw')
    d = g.create_dataset('temperature', data=np.arange(12, dtype='<f4').reshape(3, 4))
    d.attrs['units'] = 'K'
    d.attrs['long_name'] = 'air temperature'
    d.attrs['scale'] = np.float32(1e-5)
    g.create_dataset('chunked', data=np.arange(400, dtype='<f8').reshape(20, 20), chunks=(5, 5), compression='gzip')
    f.attrs['title'] = 'a run'
print(json.dumps({'tensors': len(weight_map)}))`)
})

test('1: Compare shows max |A − B| and max |A − B| / |B| as numbers', async ({ page }) => {
  await withApp(page, [A], async () => {
    await page.getByRole('button', { name: 'Compare…' }).click()
    await page.locator('input[name="compare-source"]').nth(1).check()
    await page.locator('input[name="compare-path"]').fill(B)
    await page.getByRole('dialog', { name: 'Compare' }).getByRole('button', { name: 'Compare' }).click()
    const panel = page.getByTestId('compare-panel')
    await expect(panel.getByTestId('compare-mismatched')).toContainText('2 / 4800')
    await expect(panel.getByTestId('compare-max-abs')).toHaveText('0.5')
    await expect(panel.getByTestId('compare-max-rel')).toHaveText('1.0')
    await expect(panel).not.toContainText('[object Object]')
  })
})

test('2: Enter on a container path in the open form shows its arrays, never its bytes as raw', async ({ page }) => {
  await withApp(page, [A], async () => {
    await page.getByRole('button', { name: '+ Open' }).click()
    await page.fill('input[name=path]', INDEX)
    await expect(page.getByTestId('container-notice')).toContainText('a sharded safetensors index')
    await expect(page.getByTestId('proposals')).toBeVisible() // the solver's guesses have arrived
    await page.press('input[name=path]', 'Enter')
    await expect(page.getByTestId('container-summary')).toHaveText(
      new RegExp(`sharded safetensors · ${ref.tensors} arrays`)
    )
    await expect(page.getByRole('tab')).toHaveCount(1)
    // back to the form from the pick-an-array hint: nothing was opened raw, so nothing is offered as the layout
    await page.getByTestId('pick-hint').getByRole('button', { name: 'Open another file…' }).click()
    await page.fill('input[name=path]', INDEX)
    await expect(page.getByTestId('container-notice')).toBeVisible()
    await expect(page.getByTestId('proposals')).toBeVisible()
    await expect(page.getByTestId('validation')).not.toContainText('last opened')
    await expect(page.getByTestId('validation')).not.toContainText('bytes after offset')
  })
})

test('3: the container sidebar, the table, Hex and Analysis side by side: nothing overlaps', async ({ page }) => {
  await withApp(page, [INDEX, '--array', Q0], async () => {
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('button', { name: 'Hex' }).click()
    for (const size of SIZES) {
      await page.setViewportSize(size)
      await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
      await expect(page.locator('.hex-line').first()).toBeVisible()
      const boxes = await expectLaidOut(page, ['.containers', '.table-view', '.hex', '.analysis'])
      // the table's own controls stay in the table, and it keeps room for some columns
      for (const s of ['input[name=slice]', '.table-tools', '.grid-scroller'])
        expect(inside(boxes['.table-view']!, (await page.locator(s).first().boundingBox())!), `${s} in the table`).toBe(
          true
        )
      expect(boxes['.table-view']!.width).toBeGreaterThanOrEqual(240)
      await expect(page.locator('.cell[data-row="0"][data-col="1"]')).toBeVisible()
      await page.screenshot({ path: `/tmp/issue26-3-${size.width}.png` })
    }
  })
})

test('4: a chunked dataset chosen with mode r+ opens read-only and says so', async ({ page }) => {
  const served = await serve([H5])
  try {
    await page.goto(served.url)
    const panel = page.getByTestId('container-panel')
    await panel.locator('select[name="container-mode"]').selectOption('r+')
    await panel.locator('input[name="container-filter"]').fill('chunked')
    await panel.locator('[data-testid="container-entry"][data-name="/raw/chunked"]').click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.getByTestId('status-bar')).toContainText('mode r')
    await expect(page.locator('.cell[data-row="1"][data-col="2"]')).toHaveText('22.0')
    await expect(panel.getByTestId('container-note')).toContainText('opened read-only')
    await expect(panel.getByRole('alert')).toHaveCount(0)
  } finally {
    await served.stop()
  }
})

/** Opens the first entry the sidebar's filter finds for name. */
async function openEntry(page: Page, name: string): Promise<void> {
  const panel = page.getByTestId('container-panel')
  await panel.locator('input[name="container-filter"]').fill(name)
  await panel.locator(`[data-testid="container-entry"][data-name="${name}"]`).click()
  await expect(page.getByRole('tab', { selected: true })).toContainText(name)
  await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
}

test('5: + Open and the active tab stay in view beside the sidebar and the r+ edit tools; Ctrl+O opens the form', async ({
  page
}) => {
  await withApp(page, [INDEX, '--array', Q0, '--mode', 'r+'], async () => {
    await page.getByTestId('container-panel').locator('select[name="container-mode"]').selectOption('r+')
    await openEntry(page, 'model.layers.11.self_attn.k_proj.weight')
    await openEntry(page, 'model.layers.20.self_attn.q_proj.weight')
    await page.locator('.cell[data-row="1"][data-col="1"]').dblclick()
    await page.getByTestId('cell-editor').fill('7')
    await page.getByTestId('cell-editor').press('Enter')
    await expect(page.getByTestId('dirty')).toBeVisible()
    for (const size of SIZES) {
      await page.setViewportSize(size)
      const toolbar = await expectLaidOut(page, [
        '.brand',
        '[data-testid="tab-strip"]',
        'button:text-is("+ Open")',
        '.edit-tools',
        'button:text-is("Export…")',
        'button:text-is("Copy as code")'
      ])
      await page.screenshot({ path: `/tmp/issue26-5-${size.width}.png` })
      const strip = toolbar['[data-testid="tab-strip"]']!
      const active = (await page.locator('.tab[role=tab].active').boundingBox())!
      expect(
        inside(strip, active),
        `the active tab ${JSON.stringify(active)} is in view in the strip ${JSON.stringify(strip)}`
      ).toBe(true)
    }
    await page.locator('.cell[data-row="2"][data-col="2"]').click()
    await page.keyboard.press('Control+o')
    await expect(page.locator('.open-panel')).toBeVisible()
  })
})

test('6: tabs of one container lead with the array name', async ({ page }) => {
  await withApp(page, [INDEX, '--array', Q0], async () => {
    await openEntry(page, 'model.layers.1.self_attn.q_proj.weight')
    const titles = await page.locator('.tab-title').allTextContents()
    expect(titles).toHaveLength(2)
    expect(titles[0]!.startsWith(Q0)).toBe(true)
    expect(titles[1]!.startsWith('model.layers.1.self_attn.q_proj.weight')).toBe(true)
  })
})

test('7: the Compare dialog fits the window, takes a path at once, defaults to a tab of the same shape, and remembers', async ({
  page
}) => {
  const other = path.join(dir, 'other.npy')
  py(`np.save(${JSON.stringify(other)}, np.zeros((5, 5), '<f4')); print(1)`)
  await withApp(page, [A], async () => {
    for (const f of [other, B]) {
      await page.getByRole('button', { name: '+ Open' }).click()
      await page.fill('input[name=path]', f)
      await expect(page.getByTestId('validation')).toContainText('bytes after offset')
      await page.getByRole('button', { name: 'Open', exact: true }).click()
      await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    }
    await page.locator('.tab-title').first().click()
    for (const size of SIZES) {
      await page.setViewportSize(size)
      await page.getByRole('button', { name: 'Compare…' }).click()
      const dialog = page.getByRole('dialog', { name: 'Compare' })
      await expectLaidOut(page, ['.compare-dialog'])
      for (const s of ['input[name="compare-path"]', 'input[name="compare-rtol"]', 'button:text-is("Compare")'])
        expect(inside((await dialog.boundingBox())!, (await dialog.locator(s).boundingBox())!), s).toBe(true)
      await page.screenshot({ path: `/tmp/issue26-7-${size.width}.png` })
      // the open tab offered is the one of A's shape, not the first one
      await expect(dialog.locator('select[name="compare-tab"] option:checked')).toHaveText(/run\.npy/)
      await dialog.getByRole('button', { name: 'Cancel' }).click()
    }
    await page.getByRole('button', { name: 'Compare…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Compare' })
    // a path can be typed without choosing "a file" first
    await expect(dialog.locator('input[name="compare-path"]')).toBeEnabled()
    await dialog.locator('input[name="compare-path"]').fill(B)
    await expect(dialog.locator('input[name="compare-source"]').nth(1)).toBeChecked()
    await dialog.locator('input[name="compare-rtol"]').fill('1e-3')
    await dialog.getByRole('button', { name: 'Compare' }).click()
    await expect(page.getByTestId('compare-mismatched')).toContainText('2 / 4800')
    // the next run starts from the last one's B and tolerances
    await page.getByRole('button', { name: 'Compare…' }).click()
    await expect(dialog.locator('input[name="compare-path"]')).toHaveValue(B)
    await expect(dialog.locator('input[name="compare-source"]').nth(1)).toBeChecked()
    await expect(dialog.locator('input[name="compare-rtol"]')).toHaveValue('1e-3')
  })
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
