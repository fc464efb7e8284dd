// The hex view linked to the table: a .npy file's header bytes, the selected element's bytes at numpy's
// offset, and clicking a byte selecting its element.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { decodeFrame } from '../src/shared/wire'
import { py, tempDir, withApp } from './helpers/serve'

const dir = tempDir()

/** Types a query into the hex view's find bar and presses Find next or Previous. */
async function find(
  page: Page,
  kind: 'hex' | 'text' | 'value',
  text: string,
  button: 'Find next' | 'Previous',
  tolerance?: string
): Promise<void> {
  const bar = page.getByTestId('find-bar')
  await bar.locator('select[name=find-kind]').selectOption(kind)
  await bar.locator('input[name=find-text]').fill(text)
  if (tolerance !== undefined) await bar.locator('input[name=find-tolerance]').fill(tolerance)
  await bar.getByRole('button', { name: button }).click()
}
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('hex view: header bytes, linked cursor both ways', async ({ page }) => {
  const file = path.join(dir, 'm.npy')
  const ref = py<{ offset: number; itemsize: number; other: number; value: string; dtype: string }>(`
a = np.arange(6 * 7, dtype='>f8').reshape(6, 7) * 1.5
np.save(${JSON.stringify(file)}, a)
m = np.load(${JSON.stringify(file)}, mmap_mode='r')
print(json.dumps({'offset': int(m.offset + 2 * m.strides[0] + 3 * m.strides[1]), 'itemsize': m.itemsize,
                  'other': int(m.offset + 3 * m.strides[0] + 1 * m.strides[1]), 'value': str(m[2, 3]), 'dtype': m.dtype.str}))`)
  await withApp(
    page,
    [file],
    async () => {
      await page.getByRole('button', { name: 'Hex' }).click()
      await expect(page.getByTestId('hex-scroller')).toHaveAttribute('data-ready', 'true')
      const magic = await page
        .locator('.hex-byte[data-offset]')
        .evaluateAll((els) => els.slice(0, 6).map((e) => e.textContent))
      expect(magic).toEqual(['93', '4e', '55', '4d', '50', '59']) // \\x93NUMPY
      await expect(page.locator('.hex-byte[data-offset="0"]')).toHaveClass(/header/)
      // selecting table cell (2, 3) highlights its 8 bytes at numpy's offset
      await page.locator('.cell[data-row="2"][data-col="3"]').click()
      await expect(page.getByTestId('hex-selected')).toHaveText(
        ` · selected 0x${ref.offset.toString(16)} (${ref.offset})`
      )
      await expect(page.locator('.hex-byte.selected')).toHaveCount(ref.itemsize)
      await expect(page.locator('.hex-byte.selected').first()).toHaveAttribute('data-offset', String(ref.offset))
      // the inspector decodes those bytes as every type, both byte orders
      await expect(page.locator(`.inspector tr[data-type="${ref.dtype}"] input`)).toHaveValue(ref.value)
      await expect(page.locator(`.inspector tr[data-type="${ref.dtype}"] input`)).toHaveAttribute('readonly', '')
      await expect(page.getByTestId('inspector')).toContainText('read-only (mode r)')
      // clicking a byte inside another element selects that element in the table
      await page.locator(`.hex-byte[data-offset="${ref.other + 3}"]`).click()
      await expect(page.getByTestId('cursor')).toHaveText('cell (3, 1)')
      await expect(page.getByTestId('element-index')).toHaveText('element (3, 1)')
    },
    { width: 1400, height: 1000 }
  )
})

test('the inspector edits the bytes at the cursor in r+ (one undoable edit)', async ({ page }) => {
  const file = path.join(dir, 'insp.bin')
  py(`np.zeros((4, 4), dtype='<f4').tofile(${JSON.stringify(file)}); print(1)`)
  await withApp(
    page,
    [file, '--dtype', '<f4', '--shape', '4,4', '--mode', 'r+'],
    async () => {
      await page.getByRole('button', { name: 'Hex' }).click()
      await page.locator('.cell[data-row="1"][data-col="2"]').click()
      // the click is rendered (fill could otherwise type into the previous cursor's row on a loaded machine)
      await expect(page.getByTestId('inspector')).toContainText('at byte 24 (0x18)')
      const row = page.locator('.inspector tr[data-type="<f4"] input')
      await expect(row).toHaveValue('0.0')
      await row.fill('-2.5')
      await row.press('Enter')
      await expect(page.locator('.cell[data-row="1"][data-col="2"]')).toHaveText('-2.5')
      await expect(page.locator('.inspector tr[data-type=">f4"] input')).not.toHaveValue('0.0')
      await page.getByRole('button', { name: 'Flush' }).click()
      await expect(page.getByTestId('dirty')).toHaveCount(0)
      expect(
        py<number>(`print(json.dumps(float(np.fromfile(${JSON.stringify(file)}, dtype='<f4').reshape(4, 4)[1, 2])))`)
      ).toBe(-2.5)
      await page.getByRole('button', { name: 'Undo' }).click()
      await expect(page.locator('.cell[data-row="1"][data-col="2"]')).toHaveText('0.0')
    },
    { width: 1400, height: 1000 }
  )
})

test("a value typed in the inspector while the new cursor's bytes are on their way is written, not wiped", async ({
  page
}) => {
  const file = path.join(dir, 'insp-slow.bin')
  py(`np.zeros((4, 4), dtype='<f4').tofile(${JSON.stringify(file)}); print(1)`)
  // the server's answers to bytes:get are held back 1.5 s once `slow` is set (a loaded machine)
  let slow = false
  const held = new Set<number>()
  const frame = (m: string | Buffer): { id?: number; channel?: string } =>
    typeof m === 'string' ? {} : (decodeFrame(new Uint8Array(m)) as { id?: number; channel?: string })
  await page.routeWebSocket(/\/ws\?token=/, (ws) => {
    const server = ws.connectToServer()
    ws.onMessage((m) => {
      const f = frame(m)
      if (slow && f.channel === 'bytes:get' && f.id !== undefined) held.add(f.id)
      server.send(m)
    })
    server.onMessage((m) => {
      const f = frame(m)
      if (f.id !== undefined && held.has(f.id)) setTimeout(() => ws.send(m), 1500)
      else ws.send(m)
    })
  })
  await withApp(
    page,
    [file, '--dtype', '<f4', '--shape', '4,4', '--mode', 'r+'],
    async () => {
      await page.getByRole('button', { name: 'Hex' }).click()
      await expect(page.locator('.inspector tr[data-type="<f4"] input')).toHaveValue('0.0')
      slow = true
      await page.locator('.cell[data-row="1"][data-col="2"]').click()
      await expect(page.getByTestId('inspector')).toContainText('at byte 24 (0x18)')
      const row = page.locator('.inspector tr[data-type="<f4"] input')
      await row.fill('-2.5')
      await page.waitForTimeout(2000) // the bytes of the new cursor arrive meanwhile
      await expect(row).toHaveValue('-2.5')
      await row.press('Enter')
      await expect(page.locator('.cell[data-row="1"][data-col="2"]')).toHaveText('-2.5')
      await expect(page.locator('.cell[data-row="0"][data-col="0"]')).toHaveText('0.0')
    },
    { width: 1400, height: 1000 }
  )
})

test('hex go-to (file or array relative), bytes per row, bookmarks remembered per file', async ({ page }) => {
  const file = path.join(dir, 'marks.npy')
  py(`np.save(${JSON.stringify(file)}, np.arange(64, dtype='<u2')); print(1)`)
  await withApp(
    page,
    [file],
    async () => {
      await page.getByRole('button', { name: 'Hex' }).click()
      await page.fill('input[name=hex-goto]', '0x20')
      await page.press('input[name=hex-goto]', 'Enter')
      await expect(page.getByTestId('inspector')).toContainText('at byte 32 (0x20)')
      await page.selectOption('select[name=hex-goto-from]', 'array')
      await page.fill('input[name=hex-goto]', '10')
      await page.press('input[name=hex-goto]', 'Enter')
      await expect(page.getByTestId('inspector')).toContainText('at byte 138 (0x8a)')
      await expect(page.getByTestId('element-index')).toHaveText('element (5)') // element 5 holds bytes 138-139
      await page.getByRole('button', { name: 'Bookmark' }).click()
      await page.getByRole('dialog', { name: 'Bookmark' }).getByRole('textbox').fill('fifth element')
      await page.getByRole('dialog', { name: 'Bookmark' }).getByRole('button', { name: 'Save' }).click()
      await expect(page.getByTestId('bookmarks')).toContainText('fifth element')
      await page.selectOption('select[name=hex-per-row]', '32')
      await expect(page.locator('.hex-line').first().locator('.hex-byte')).toHaveCount(32)
      // remembered: a new page (and session) of the same file lists it; clicking it goes there
      await expect(page.getByTestId('tab-strip')).toHaveAttribute('data-workspace', 'saved')
      await page.reload()
      await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
      await expect(page.getByTestId('hex')).toBeVisible() // the panels come back with the page
      await page.getByRole('button', { name: 'fifth element', exact: true }).click()
      await expect(page.getByTestId('inspector')).toContainText('at byte 138')
    },
    { width: 1400, height: 1000 }
  )
})

test('find locates a planted pattern near the end of a 4 GiB sparse file: text, hex with ??, typed value', async ({
  page
}) => {
  const file = path.join(dir, 'sparse-4g.bin')
  const size = 4 * 2 ** 30 + 12_344 // whole <u4 elements
  const needle = size - 5000
  const fd = fs.openSync(file, 'w')
  fs.ftruncateSync(fd, size)
  fs.writeSync(fd, Buffer.from('needle in a 4 GiB haystack'), 0, 26, needle)
  const f4 = Buffer.alloc(4)
  f4.writeFloatLE(3.5)
  fs.writeSync(fd, f4, 0, 4, needle + 400) // aligned to 4
  fs.closeSync(fd)
  await withApp(
    page,
    [file, '--dtype', '<u4'],
    async () => {
      await page.getByRole('button', { name: 'Hex' }).click()
      const bar = page.getByTestId('find-bar')
      await find(page, 'text', 'needle', 'Find next')
      await expect(page.getByTestId('find-status')).toHaveText(`at ${needle} (0x${needle.toString(16)})`)
      await expect(page.getByTestId('inspector')).toContainText(`at byte ${needle} (0x${needle.toString(16)})`)
      await expect(page.locator('.hex-byte.match')).toHaveCount(6)
      await expect(page.locator('.hex-byte.match').first()).toHaveAttribute('data-offset', String(needle))
      await expect(page.locator('.hex-byte.match').first()).toHaveText('6e') // 'n'
      // the table follows: element (needle / 4) holds the match's first byte
      await expect(page.getByTestId('element-index')).toHaveText(`element (${Math.floor(needle / 4)})`)
      // again: there is no other, so the search goes round the end and finds the same one
      await bar.getByRole('button', { name: 'Find next' }).click()
      await expect(page.getByTestId('find-status')).toHaveText(
        `at ${needle} (0x${needle.toString(16)}), wrapped past the end`
      )
      // hex with a wildcard, backwards from the end of the file
      await page.fill('input[name=hex-goto]', String(size - 1))
      await page.press('input[name=hex-goto]', 'Enter')
      await find(page, 'hex', '68 61 ?? 73', 'Previous') // 'ha?s'
      await expect(page.getByTestId('find-status')).toHaveText(`at ${needle + 18} (0x${(needle + 18).toString(16)})`)
      // a typed value after the cursor, at element boundaries, within a tolerance
      await find(page, 'value', '3.49 as <f4', 'Find next', '0.02')
      await expect(page.getByTestId('find-status')).toHaveText(`at ${needle + 400} (0x${(needle + 400).toString(16)})`)
      await expect(page.locator('.inspector tr[data-type="<f4"] input')).toHaveValue('3.5')
      // a bad query says why
      await find(page, 'hex', '6e 6', 'Find next')
      await expect(page.getByTestId('find-status')).toContainText('odd number of digits')
      // typing over bytes in mode r is refused with the reason
      await page.getByTestId('hex-scroller').focus()
      await page.keyboard.press('a')
      await expect(page.getByTestId('hex-type-error')).toContainText('read-only (mode r)')
    },
    { width: 1400, height: 1000 }
  )
})

test('a long find shows progress and is cancelled', async ({ page }) => {
  // mode c cannot skip the file's holes: 64 GiB of them take long enough to cancel
  const file = path.join(dir, 'sparse-64g.bin')
  const fd = fs.openSync(file, 'w')
  fs.ftruncateSync(fd, 64 * 2 ** 30)
  fs.closeSync(fd)
  await withApp(page, [file, '--dtype', 'u1', '--mode', 'c'], async () => {
    await page.getByRole('button', { name: 'Hex' }).click()
    const bar = page.getByTestId('find-bar')
    await find(page, 'text', 'absent', 'Find next')
    await expect(page.getByTestId('find-progress')).toBeVisible()
    await expect
      .poll(async () => Number(await page.getByTestId('find-progress').getAttribute('value')))
      .toBeGreaterThan(0)
    // the rate and the time left, once measurable
    await expect(page.getByTestId('find-progress-text')).toHaveText(/^\d+% · [\d.]+ [kMG]?B\/s · .+ left$/)
    await bar.getByRole('button', { name: 'Cancel' }).click()
    await expect(page.getByTestId('find-status')).toHaveText('cancelled')
    await expect(page.getByTestId('find-progress')).toHaveCount(0)
  })
})

test('typing hex digits overwrites bytes at the cursor in r+: undo, flush, numpy reads them', async ({ page }) => {
  const file = path.join(dir, 'typed.bin')
  py(`np.zeros(64, dtype='u1').tofile(${JSON.stringify(file)}); print(1)`)
  await withApp(
    page,
    [file, '--dtype', 'u1', '--mode', 'r+'],
    async () => {
      await page.getByRole('button', { name: 'Hex' }).click()
      await page.locator('.hex-byte[data-offset="5"]').click()
      await page.keyboard.type('ab')
      await expect(page.locator('.hex-byte[data-offset="5"]')).toHaveText('ab')
      await expect(page.locator('.hex-byte.cursor')).toHaveAttribute('data-offset', '6')
      await page.locator('.hex-byte[data-offset="5"]').click() // the table jumps to element 5: typed 0xab = 171
      await expect(page.locator('.cell[data-element="5,0"]')).toHaveText('171')
      await page.locator('.hex-byte[data-offset="6"]').click()
      // one digit, then a move: the half-typed byte is written with its low nibble kept, not dropped
      await page.keyboard.type('c')
      await expect(page.locator('.hex-byte[data-offset="6"]')).toHaveText('c_')
      await page.keyboard.press('ArrowDown')
      await expect(page.locator('.hex-byte[data-offset="6"]')).toHaveText('c0')
      await expect(page.locator('.hex-byte.cursor')).toHaveAttribute('data-offset', String(6 + 16))
      await page.keyboard.type('0f')
      await expect(page.locator('.hex-byte[data-offset="22"]')).toHaveText('0f')
      // Ctrl+Z in the hex view undoes the last edit (byte 22), Ctrl+Shift+Z redoes it, Ctrl+Z again
      await page.keyboard.press('Control+z')
      await expect(page.locator('.hex-byte[data-offset="22"]')).toHaveText('00')
      await page.keyboard.press('Control+Shift+z')
      await expect(page.locator('.hex-byte[data-offset="22"]')).toHaveText('0f')
      await page.keyboard.press('Control+z')
      await expect(page.locator('.hex-byte[data-offset="22"]')).toHaveText('00')
      await page.getByRole('button', { name: 'Flush' }).click()
      await expect(page.getByTestId('dirty')).toHaveCount(0)
      const bytes = py<number[]>(`print(json.dumps(np.fromfile(${JSON.stringify(file)}, dtype='u1').tolist()))`)
      const want = new Array<number>(64).fill(0)
      want[5] = 0xab
      want[6] = 0xc0
      expect(bytes).toEqual(want)
    },
    { width: 1400, height: 1000 }
  )
})
