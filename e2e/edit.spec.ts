// Editing in place, safely: r+ writes the one element (numpy reads it after a flush, every other byte is
// unchanged), undo restores the original bytes, c keeps edits private, r refuses, bad values are refused.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { py, serve, tempDir, withApp } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const sha = (p: string): string => createHash('sha256').update(fs.readFileSync(p)).digest('hex')
const LAYOUT = ['--dtype', '>f8', '--shape', '20,30', '--offset', '64']

function fixture(name: string): string {
  const file = path.join(dir, name)
  py(`
a = np.random.default_rng(4).standard_normal((20, 30)).astype('>f8')
with open(${JSON.stringify(file)}, 'wb') as f:
    f.write(b'H' * 64); f.write(a.tobytes())
print(1)`)
  return file
}

async function editCell(page: Page, r: number, c: number, text: string): Promise<void> {
  await page.locator(`.cell[data-row="${r}"][data-col="${c}"]`).dblclick()
  await page.getByTestId('cell-editor').fill(text)
  await page.getByTestId('cell-editor').press('Enter')
}

/** The file's bytes with element (2, 3) blanked: what must not change. */
function othersDigest(file: string): string {
  const b = Buffer.from(fs.readFileSync(file))
  b.fill(0, 64 + (2 * 30 + 3) * 8, 64 + (2 * 30 + 4) * 8)
  return createHash('sha256').update(b).digest('hex')
}

test('r+: edit, flush, numpy reads the value, nothing else changed; undo restores the bytes', async ({ page }) => {
  const file = fixture('rplus.bin')
  const original = sha(file)
  const others = othersDigest(file)
  await withApp(page, [file, ...LAYOUT, '--mode', 'r+'], async () => {
    await editCell(page, 2, 3, '42.5')
    await expect(page.locator('.cell[data-row="2"][data-col="3"]')).toHaveText('42.5')
    await expect(page.getByTestId('dirty')).toBeVisible()
    await page.getByRole('button', { name: 'Flush' }).click()
    await expect(page.getByTestId('dirty')).toHaveCount(0)
    expect(
      py<number>(
        `print(json.dumps(float(np.memmap(${JSON.stringify(file)}, dtype='>f8', mode='r', offset=64, shape=(20, 30))[2, 3])))`
      )
    ).toBe(42.5)
    expect(othersDigest(file)).toBe(others)
    // a value out of range for the type is refused and nothing is written
    await editCell(page, 0, 0, 'not a number')
    await expect(page.getByTestId('table-message')).toContainText("'not a number' is not a number")
    await page.getByTestId('cell-editor').press('Escape')
    // undo (Ctrl+Z) restores the original bytes
    await page.getByTestId('grid').focus()
    await page.keyboard.press('Control+z')
    await expect(page.locator('.cell[data-row="2"][data-col="3"]')).not.toHaveText('42.5')
    await page.getByRole('button', { name: 'Flush' }).click()
    await expect(page.getByTestId('dirty')).toHaveCount(0)
    expect(sha(file)).toBe(original)
    // redo brings the edit back
    await page.getByTestId('grid').focus()
    await page.keyboard.press('Control+Shift+z')
    await expect(page.locator('.cell[data-row="2"][data-col="3"]')).toHaveText('42.5')
  })
})

test('c: edits stay in the private copy, the file never changes', async ({ page }) => {
  const file = fixture('copy.bin')
  const original = sha(file)
  await withApp(page, [file, ...LAYOUT, '--mode', 'c'], async () => {
    await expect(page.getByRole('tab')).toContainText('(private copy)')
    await editCell(page, 2, 3, '-1e300')
    await expect(page.locator('.cell[data-row="2"][data-col="3"]')).toHaveText('-1e+300')
    await expect(page.getByRole('button', { name: 'Flush' })).toHaveCount(0)
    expect(sha(file)).toBe(original)
  })
  expect(sha(file)).toBe(original)
})

test('r: an edit is refused and says how to edit', async ({ page }) => {
  const file = fixture('readonly.bin')
  const original = sha(file)
  await withApp(page, [file, ...LAYOUT], async () => {
    // refused as the editor would open, with the reason; nothing to type into
    await page.locator('.cell[data-row="2"][data-col="3"]').dblclick()
    await expect(page.getByTestId('table-message')).toContainText('read-only (mode r): reopen the file with mode r+')
    await expect(page.getByTestId('cell-editor')).toHaveCount(0)
    expect(sha(file)).toBe(original)
  })
})

test('integers are range-checked', async ({ page }) => {
  const file = path.join(dir, 'ints.bin')
  py(`np.arange(12, dtype='i1').tofile(${JSON.stringify(file)}); print(1)`)
  const original = sha(file)
  await withApp(page, [file, '--dtype', 'i1', '--shape', '3,4', '--mode', 'r+'], async () => {
    await editCell(page, 1, 1, '300')
    await expect(page.getByTestId('table-message')).toContainText('300 is out of range for int8 [-128, 127]')
    expect(sha(file)).toBe(original)
  })
})

test('paste a TSV block and fill a selection, each as one undoable edit', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  const file = path.join(dir, 'paste.bin')
  py(`np.zeros((4, 5), dtype='<i2').tofile(${JSON.stringify(file)}); print(1)`)
  await withApp(page, [file, '--dtype', '<i2', '--shape', '4,5', '--mode', 'r+'], async () => {
    await page.evaluate("navigator.clipboard.writeText('1\\t2\\t3\\n4\\t5\\t6\\n')")
    await page.locator('.cell[data-row="1"][data-col="1"]').click()
    await page.keyboard.press('Control+v')
    await expect(page.getByTestId('table-message')).toHaveText('pasted 6 cells')
    await expect(page.locator('.cell[data-row="2"][data-col="3"]')).toHaveText('6')
    // select (0,0)–(1,1) and fill it with -7
    await page.locator('.cell[data-row="0"][data-col="0"]').click()
    await page.locator('.cell[data-row="1"][data-col="1"]').click({ modifiers: ['Shift'] })
    await page.keyboard.press('-')
    await page.getByTestId('cell-editor').fill('-7')
    await page.getByTestId('cell-editor').press('Control+Enter')
    await expect(page.locator('.cell[data-row="1"][data-col="1"]')).toHaveText('-7')
    await page.getByRole('button', { name: 'Flush' }).click()
    await expect(page.getByTestId('dirty')).toHaveCount(0)
    expect(
      py<number[][]>(`print(json.dumps(np.fromfile(${JSON.stringify(file)}, dtype='<i2').reshape(4, 5).tolist()))`)
    ).toEqual([
      [-7, -7, 0, 0, 0],
      [-7, -7, 2, 3, 0],
      [0, 4, 5, 6, 0],
      [0, 0, 0, 0, 0]
    ])
    // undo the fill: the paste stays
    await page.getByRole('button', { name: 'Undo' }).click()
    await expect(page.locator('.cell[data-row="1"][data-col="1"]')).toHaveText('1')
    await expect(page.locator('.cell[data-row="0"][data-col="0"]')).toHaveText('0')
  })
})

test('w+ creates a zero-filled file of the layout, after confirming the replacement of an existing one', async ({
  page
}) => {
  const file = path.join(dir, 'created.bin')
  const served = await serve([])
  try {
    await page.goto(served.url)
    await page.fill('input[name=path]', file)
    await expect(page.getByTestId('probe')).toContainText('no such file')
    await page.selectOption('select[name=mode]', 'w+')
    await page.fill('input[name=dtype]', '<i4')
    await page.fill('input[name=shape]', '3, 4')
    await page.fill('input[name=offset]', '16')
    await expect(page.getByTestId('validation')).toHaveText('creates (3, 4) of <i4: a zero-filled file of 64 bytes')
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.locator('.cell[data-row="2"][data-col="3"]')).toHaveText('0')
    await page.locator('.cell[data-row="2"][data-col="3"]').dblclick()
    await page.getByTestId('cell-editor').fill('-12345')
    await page.getByTestId('cell-editor').press('Enter')
    await page.getByRole('button', { name: 'Flush' }).click()
    await expect(page.getByTestId('dirty')).toHaveCount(0)
    expect(fs.statSync(file).size).toBe(64)
    expect(
      py<number[][]>(
        `print(json.dumps(np.memmap(${JSON.stringify(file)}, dtype='<i4', mode='r', offset=16, shape=(3, 4)).tolist()))`
      )[2]![3]
    ).toBe(-12345)
    // creating it again asks first; dismissing keeps the file
    await page.getByRole('button', { name: '+ Open' }).click()
    await page.fill('input[name=path]', file)
    await expect(page.getByTestId('probe')).toContainText('64 bytes')
    await page.selectOption('select[name=mode]', 'w+')
    await page.fill('input[name=shape]', '2, 2')
    await expect(page.getByTestId('validation')).toContainText('REPLACES the existing 64-byte file')
    page.once('dialog', (d) => void d.dismiss())
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(page.getByRole('tab')).toHaveCount(1)
    expect(fs.statSync(file).size).toBe(64)
    // accepting sends the confirmation the Node side requires (w+ never replaces a file unasked)
    await page.fill('input[name=offset]', '16')
    page.once('dialog', (d) => void d.accept())
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(page.getByRole('tab')).toHaveCount(2)
    expect(fs.statSync(file).size).toBe(16 + 2 * 2 * 4)
  } finally {
    await served.stop()
  }
})

test('the .npy header editor rewrites dtype and shape in place; undo restores it', async ({ page }) => {
  const file = path.join(dir, 'header.npy')
  py(`np.save(${JSON.stringify(file)}, np.arange(12, dtype='<i4').reshape(3, 4)); print(1)`)
  const original = sha(file)
  await withApp(page, [file, '--mode', 'r+'], async () => {
    await page.getByRole('button', { name: 'Header…' }).click()
    // a shape whose data size does not match the file is refused
    await page.fill('input[name=header-shape]', '5, 4')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect(page.getByTestId('header-message')).toHaveText(
      'shape (5, 4) of <i4 needs 80 bytes; the file holds 48 bytes of data after its header'
    )
    await page.fill('input[name=header-dtype]', '<u2')
    await page.fill('input[name=header-shape]', '2, 12')
    await page.check('input[name=header-fortran]')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect(page.getByTestId('header-message')).toContainText('header rewritten')
    await expect(page.getByTestId('status-bar')).toContainText('shape (2, 12)')
    await page.getByRole('button', { name: 'Close', exact: true }).click()
    await page.getByRole('button', { name: 'Flush' }).click()
    await expect(page.getByTestId('dirty')).toHaveCount(0)
    const ref = py<{ shape: number[]; dtype: string; fortran: boolean; offset: number; v: number }>(`
a = np.load(${JSON.stringify(file)}, mmap_mode='r')
print(json.dumps({'shape': list(a.shape), 'dtype': a.dtype.str, 'fortran': bool(a.flags.f_contiguous and not a.flags.c_contiguous), 'offset': int(a.offset), 'v': int(a[0, 2])}))`)
    expect(ref).toEqual({ shape: [2, 12], dtype: '<u2', fortran: true, offset: 128, v: 2 })
    await expect(page.locator('.cell[data-row="0"][data-col="2"]')).toHaveText(String(ref.v))
    await page.getByRole('button', { name: 'Undo' }).click()
    await expect(page.getByTestId('status-bar')).toContainText('shape (3, 4)')
    await page.getByRole('button', { name: 'Flush' }).click()
    await expect(page.getByTestId('dirty')).toHaveCount(0)
    expect(sha(file)).toBe(original)
  })
})

test('strings show as numpy prints them and are edited with a length check', async ({ page }) => {
  const file = path.join(dir, 'strings.bin')
  py(`np.array([['ab', 'd\\u00e9\\u20ac'], ['', 'xyz']], '<U3').tofile(${JSON.stringify(file)}); print(1)`)
  await withApp(page, [file, '--dtype', '<U3', '--shape', '2,2', '--mode', 'r+'], async () => {
    await expect(page.locator('.cell[data-row="0"][data-col="1"]')).toHaveText("'dé€'")
    // the text shown (a str literal) edits as the text itself
    await editCell(page, 1, 0, "'d\u00e9j'")
    await expect(page.locator('.cell[data-row="1"][data-col="0"]')).toHaveText("'d\u00e9j'")
    await editCell(page, 0, 0, 'toolong')
    await expect(page.getByTestId('table-message')).toContainText('7 characters do not fit in U3, which holds 3')
    await page.getByTestId('cell-editor').press('Escape')
    await page.getByRole('button', { name: 'Flush' }).click()
    await expect(page.getByTestId('dirty')).toHaveCount(0)
    expect(
      py<string[][]>(`print(json.dumps(np.fromfile(${JSON.stringify(file)}, '<U3').reshape(2, 2).tolist()))`)
    ).toEqual([
      ['ab', 'dé€'],
      ['déj', 'xyz']
    ])
  })
})
