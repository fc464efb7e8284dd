// The hex view linked to the table: a .npy file's header bytes, the selected element's bytes at numpy's
// offset, and clicking a byte selecting its element.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('hex view: header bytes, linked cursor both ways', async ({ page }) => {
  const file = path.join(dir, 'm.npy')
  const ref = py<{ offset: number; itemsize: number; other: number; value: string; dtype: string }>(`
a = np.arange(6 * 7, dtype='>f8').reshape(6, 7) * 1.5
np.save(${JSON.stringify(file)}, a)
m = np.load(${JSON.stringify(file)}, mmap_mode='r')
print(json.dumps({'offset': int(m.offset + 2 * m.strides[0] + 3 * m.strides[1]), 'itemsize': m.itemsize,
                  'other': int(m.offset + 3 * m.strides[0] + 1 * m.strides[1]), 'value': str(m[2, 3]), 'dtype': m.dtype.str}))`)
  const served = await serve([file])
  try {
    await page.setViewportSize({ width: 1400, height: 1000 })
    await page.goto(served.url)
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
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
  } finally {
    await served.stop()
  }
})

test('the inspector edits the bytes at the cursor in r+ (one undoable edit)', async ({ page }) => {
  const file = path.join(dir, 'insp.bin')
  py(`np.zeros((4, 4), dtype='<f4').tofile(${JSON.stringify(file)}); print(1)`)
  const served = await serve([file, '--dtype', '<f4', '--shape', '4,4', '--mode', 'r+'])
  try {
    await page.setViewportSize({ width: 1400, height: 1000 })
    await page.goto(served.url)
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await page.getByRole('button', { name: 'Hex' }).click()
    await page.locator('.cell[data-row="1"][data-col="2"]').click()
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
  } finally {
    await served.stop()
  }
})

test('hex go-to (file or array relative), bytes per row, bookmarks remembered per file', async ({ page }) => {
  const file = path.join(dir, 'marks.npy')
  py(`np.save(${JSON.stringify(file)}, np.arange(64, dtype='<u2')); print(1)`)
  const served = await serve([file])
  try {
    await page.setViewportSize({ width: 1400, height: 1000 })
    await page.goto(served.url)
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await page.getByRole('button', { name: 'Hex' }).click()
    await page.fill('input[name=hex-goto]', '0x20')
    await page.press('input[name=hex-goto]', 'Enter')
    await expect(page.getByTestId('inspector')).toContainText('at byte 32 (0x20)')
    await page.selectOption('select[name=hex-goto-from]', 'array')
    await page.fill('input[name=hex-goto]', '10')
    await page.press('input[name=hex-goto]', 'Enter')
    await expect(page.getByTestId('inspector')).toContainText('at byte 138 (0x8a)')
    await expect(page.getByTestId('cursor')).toHaveText('cell (5, 0)') // element 5 holds bytes 138-139
    page.once('dialog', (d) => void d.accept('fifth element'))
    await page.getByRole('button', { name: 'Bookmark' }).click()
    await expect(page.getByTestId('bookmarks')).toContainText('fifth element')
    await page.selectOption('select[name=hex-per-row]', '32')
    await expect(page.locator('.hex-line').first().locator('.hex-byte')).toHaveCount(32)
    // remembered: a new page (and session) of the same file lists it; clicking it goes there
    await page.reload()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await page.getByRole('button', { name: 'Hex' }).click()
    await page.getByRole('button', { name: 'fifth element', exact: true }).click()
    await expect(page.getByTestId('inspector')).toContainText('at byte 138')
  } finally {
    await served.stop()
  }
})
