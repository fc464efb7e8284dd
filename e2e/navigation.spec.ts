// Navigating: a billion rows, N-D axes and slices, records as columns, the layout solver, recent layouts,
// go to a byte offset, copy as TSV, copy as code — in Chromium against serve mode, checked against numpy.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { py, serve, tempDir, type Served } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

async function ready(page: Page): Promise<void> {
  await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
}

async function goTo(page: Page, target: string): Promise<void> {
  await page.fill('input[name=goto]', target)
  await page.press('input[name=goto]', 'Enter')
  await ready(page)
}

const cell = (page: Page, r: number, c: number) => page.locator(`.cell[data-row="${r}"][data-col="${c}"]`)

test('a billion rows: jump to row 999,999,999 and read the value numpy reads', async ({ page }) => {
  const file = path.join(dir, 'billion.f4')
  const expected = py<Record<string, string>>(`
n = 10**9
with open(${JSON.stringify(file)}, 'wb') as f:
    f.truncate(n * 4)
m = np.memmap(${JSON.stringify(file)}, dtype='<f4', mode='r+', shape=(n,))
m[n - 1] = 3.25; m[n - 2] = -7.5; m[500_000_000] = 1.0e-3; m.flush()
print(json.dumps({str(k): str(m[k]) for k in [n - 1, n - 2, 500_000_000]}))`)
  const served = await serve([file, '--dtype', '<f4'])
  try {
    await page.goto(served.url)
    await ready(page)
    await expect(page.getByTestId('status-bar')).toContainText('shape (1000000000,)')
    // a 1-D view wraps into rows of consecutive elements; data-element is the element's index in the view
    const element = (i: number) => page.locator(`.cell[data-element="${i},0"]`)
    await goTo(page, '999999999')
    await expect(element(999_999_999)).toHaveText(expected['999999999']!)
    await expect(page.getByTestId('element-index')).toHaveText('element (999999999)')
    await expect(page.locator('.cell.selected')).toHaveText(expected['999999999']!)
    await expect(element(999_999_998)).toHaveText(expected['999999998']!)
    await goTo(page, '500000000')
    await expect(element(500_000_000)).toHaveText(expected['500000000']!)
    await page.getByTestId('grid').focus()
    await page.keyboard.press('Control+End')
    await expect(page.locator('.cell.selected')).toHaveText('3.25')
    await expect(page.getByTestId('element-index')).toHaveText('element (999999999)')
    await page.keyboard.press('Control+Home')
    await expect(element(0)).toHaveText('0.0')
    await expect(page.getByTestId('element-index')).toHaveText('element (0)')
  } finally {
    await served.stop()
  }
})

test.describe('N-D arrays', () => {
  let served: Served
  let cube: string
  test.beforeAll(() => {
    cube = path.join(dir, 'cube.npy')
    py(`np.save(${JSON.stringify(cube)}, np.arange(4*5*6, dtype='<i4').reshape(4, 5, 6)); print(1)`)
  })
  // a server per test: a page restores the tabs, views and cursor its server's last page had
  test.beforeEach(async () => {
    served = await serve([cube])
  })
  test.afterEach(async () => served.stop())

  test('index sliders, axis switching and slices show what numpy indexes', async ({ page }) => {
    const a = (i: number, j: number, k: number): string => String(i * 30 + j * 6 + k)
    await page.goto(served.url)
    await ready(page)
    // rows = axis 1, columns = axis 2, axis 0 at index 0
    await expect(cell(page, 1, 3)).toHaveText(a(0, 1, 3))
    await page.fill('input[name=index-0]', '2')
    await ready(page)
    await expect(cell(page, 1, 3)).toHaveText(a(2, 1, 3))
    // rows = axis 0: axis 1 gets the slider
    await page.selectOption('select[name=row-axis]', '0')
    await ready(page)
    await page.fill('input[name=index-1]', '4')
    await ready(page)
    await expect(cell(page, 3, 5)).toHaveText(a(3, 4, 5))
    // the cursor followed its element a[2, 0, 0] to row 2 when rows became axis 0 (it used to reset to row 0)
    await expect(page.getByTestId('element-index')).toHaveText('element (2, 4, 0)')
    // picking the other picker's axis swaps (transpose): rows = axis 2, columns = axis 0
    await page.selectOption('select[name=col-axis]', '2')
    await page.selectOption('select[name=row-axis]', '2')
    await ready(page)
    await expect(cell(page, 5, 3)).toHaveText(a(3, 4, 5))
    // a slice expression: a[::-1, 2] is 4×6; rows axis 0, columns axis 1
    await page.fill('input[name=slice]', '::-1, 2')
    await page.press('input[name=slice]', 'Enter')
    await ready(page)
    await expect(cell(page, 0, 1)).toHaveText(a(3, 2, 1))
    await expect(cell(page, 3, 5)).toHaveText(a(0, 2, 5))
    await page.fill('input[name=slice]', '9')
    await page.press('input[name=slice]', 'Enter')
    await expect(page.getByText('index 9 is out of bounds for axis 0 with size 4')).toBeVisible()
  })

  test('go to a byte offset selects the element that holds it', async ({ page }) => {
    await page.goto(served.url)
    await ready(page)
    // element (3, 2, 1) is flat index 3*30 + 2*6 + 1 = 103: bytes 128 + 412 … 415
    await goTo(page, `@${128 + 103 * 4 + 2}`)
    await expect(page.getByTestId('element-index')).toHaveText('element (3, 2, 1)')
    await expect(page.getByTestId('table-message')).toHaveText('byte 542 is in element (3, 2, 1), byte 2 of 4')
    await expect(page.locator('.cell.selected')).toHaveText('103')
    await goTo(page, '@0x10')
    await expect(page.getByTestId('table-message')).toContainText('is in the header')
  })

  test('copy as TSV and copy as code', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'])
    await page.goto(served.url)
    await ready(page)
    await page.getByTestId('grid').focus()
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Shift+ArrowDown')
    await page.keyboard.press('Shift+ArrowRight')
    await page.keyboard.press('Control+c')
    await expect(page.getByTestId('table-message')).toHaveText('copied 4 cells as TSV')
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe('6\t7\n12\t13\n')
    await page.getByRole('button', { name: 'Copy as code' }).click()
    await expect(page.getByTestId('recipe-python')).toContainText(`a = np.load('${cube}', mmap_mode='r')`)
    await expect(page.getByTestId('recipe-python')).toContainText('view = a[0, :, :]')
    await expect(page.getByTestId('recipe-cli')).toHaveText(`arrayscope show ${cube} --slice '0, :, :'`)
  })
})

test('records show one column per field', async ({ page }) => {
  const file = path.join(dir, 'records.npy')
  py(`
a = np.zeros(5, dtype=[('x', '<f4'), ('v', '<i2', (3,)), ('ok', '?')])
a['x'] = [0.5, 1.5, 2.5, 3.5, 4.5]; a['v'][:, 1] = [10, 11, 12, 13, 14]; a['ok'][2] = True
np.save(${JSON.stringify(file)}, a); print(1)`)
  const served = await serve([file])
  try {
    await page.goto(served.url)
    await ready(page)
    // five records wrap into one row: element +k's fields side by side
    await expect(page.locator('.col-header').nth(0)).toHaveText('+0.x')
    await expect(page.locator('.col-header').nth(1)).toHaveText('+0.v')
    await expect(page.locator('.col-header').nth(2)).toHaveText('+0.ok')
    const fieldsOf = (i: number) => page.locator(`.cell[data-element="${i},0"]`)
    await expect(fieldsOf(3).nth(0)).toHaveText('3.5')
    await expect(fieldsOf(3).nth(1)).toHaveText('[0, 13, 0]')
    await expect(fieldsOf(2).nth(2)).toHaveText('True')
  } finally {
    await served.stop()
  }
})

test('the layout solver proposes the layout of an unknown dump, and the layout is remembered', async ({ page }) => {
  const file = path.join(dir, 'unknown.dat')
  const expected = py<string>(`
y, x = np.mgrid[0:240, 0:333]
a = (np.sin(x / 15.0) * np.cos(y / 21.0) * 40 + 7).astype('>f4')
with open(${JSON.stringify(file)}, 'wb') as f:
    f.write(np.random.default_rng(5).integers(0, 256, 512, dtype=np.uint8).tobytes()); f.write(a.tobytes())
print(json.dumps(str(a[100, 200])))`)
  const served = await serve([])
  try {
    await page.goto(served.url)
    await page.fill('input[name=path]', file)
    await expect(page.getByTestId('proposals')).toContainText('>f4 (240, 333) offset 512')
    await page.getByTestId('proposal-0').click()
    await expect(page.getByTestId('validation')).toContainText('(240, 333) of >f4: 319,680 bytes after offset 512')
    await expect(page.getByTestId('preview')).toBeVisible()
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await ready(page)
    await goTo(page, '100, 200')
    await expect(cell(page, 100, 200)).toHaveText(expected)
    // a second tab with the same file: the form restores the layout it was opened with
    await page.getByRole('button', { name: '+ Open' }).click()
    await page.fill('input[name=path]', file)
    await expect(page.getByTestId('validation')).toContainText('the layout you last opened this file with')
    await expect(page.locator('input[name=shape]')).toHaveValue('240, 333')
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(page.getByRole('tab')).toHaveCount(2)
  } finally {
    await served.stop()
  }
})
