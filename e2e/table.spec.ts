// The app in Chromium against serve mode: open a numpy-made file and check the values the table shows.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { py, serve, tempDir, type Served } from './helpers/serve'

const dir = tempDir()
const RAW = path.join(dir, 'f-order-be.bin')
// numpy's str() of each probed element: what the table must show.
let expected: Record<string, string>
const PROBES: [number, number][] = [
  [0, 0],
  [0, 1],
  [1, 0],
  [17, 5],
  [500, 400],
  [999, 0],
  [0, 799],
  [999, 799],
  [123, 456]
]

test.beforeAll(() => {
  expected = py<Record<string, string>>(`
rng = np.random.default_rng(11)
a = (rng.standard_normal((1000, 800)) * 1000).astype('>f8')
a[3, 4] = np.nan
with open(${JSON.stringify(RAW)}, 'wb') as f:
    f.write(b'HEADER'.ljust(128, b'\\0'))
    f.write(a.tobytes(order='F'))
m = np.memmap(${JSON.stringify(RAW)}, dtype='>f8', mode='r', offset=128, shape=(1000, 800), order='F')
print(json.dumps({f'{r},{c}': str(m[r, c]) for r, c in ${JSON.stringify([...PROBES, [3, 4]])}}))`)
})
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

async function goTo(page: Page, row: number, col: number): Promise<string> {
  await page.fill('input[name=goto]', `${row}, ${col}`)
  await page.press('input[name=goto]', 'Enter')
  const cell = page.locator(`.cell[data-row="${row}"][data-col="${col}"]`)
  await expect(cell).not.toHaveClass(/loading/)
  await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
  return (await cell.textContent()) ?? ''
}

test.describe('serve mode with a file given on the command line', () => {
  let served: Served
  // a server per test: a page restores the tabs, views and cursor its server's last page had
  test.beforeEach(async () => {
    served = await serve([RAW, '--dtype', '>f8', '--shape', '1000,800', '--order', 'F', '--offset', '128'])
  })
  test.afterEach(async () => served.stop())

  test('shows the values numpy reads at several positions', async ({ page }) => {
    await page.goto(served.url)
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.getByTestId('status-bar')).toContainText('>f8')
    await expect(page.getByTestId('status-bar')).toContainText('shape (1000, 800)')
    for (const [r, c] of PROBES) {
      expect(await goTo(page, r, c), `cell (${r}, ${c})`).toBe(expected[`${r},${c}`])
    }
    expect(await goTo(page, 3, 4)).toBe('nan')
    await expect(page.locator('.cell[data-row="3"][data-col="4"]')).toHaveClass(/special/)
    await expect(page.getByTestId('cursor')).toHaveText('cell (3, 4)')
  })

  test('keyboard moves the cursor and keeps it visible', async ({ page }) => {
    await page.goto(served.url)
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await page.getByTestId('grid').focus()
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowRight')
    await expect(page.getByTestId('cursor')).toHaveText('cell (1, 1)')
    await page.keyboard.press('Control+End')
    await expect(page.getByTestId('cursor')).toHaveText('cell (999, 799)')
    const last = page.locator('.cell[data-row="999"][data-col="799"]')
    await expect(last).toHaveText(expected['999,799']!)
    await page.keyboard.press('Control+Home')
    await expect(page.locator('.cell[data-row="0"][data-col="0"]')).toHaveText(expected['0,0']!)
  })

  test('refuses a page without the token', async ({ page }) => {
    const res = await page.goto(served.url.replace(/token=.*/, 'token=nope'))
    expect(res?.status()).toBe(403)
  })
})

test.describe('serve mode without a file', () => {
  let served: Served
  test.beforeAll(async () => {
    served = await serve([])
  })
  test.afterAll(async () => served.stop())

  test('the open form validates the layout live and opens the file', async ({ page }) => {
    await page.goto(served.url)
    await page.fill('input[name=path]', RAW)
    await expect(page.getByTestId('probe')).toContainText('6,400,128 bytes')
    await page.fill('input[name=dtype]', '>f8')
    await page.fill('input[name=offset]', '128')
    await page.fill('input[name=shape]', '1000, 801')
    await expect(page.getByTestId('validation')).toHaveText(
      'shape (1000, 801) of >f8 needs 6408000 bytes after offset 128, the file has 6400000'
    )
    await expect(page.getByRole('button', { name: 'Open', exact: true })).toBeDisabled()
    await page.fill('input[name=shape]', '1000, 800')
    await page.selectOption('select[name=order]', 'F')
    await expect(page.getByTestId('validation')).toContainText('(1000, 800) of >f8: 6,400,000 bytes after offset 128')
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    expect(await goTo(page, 123, 456)).toBe(expected['123,456'])
  })

  test('a missing file is reported', async ({ page }) => {
    await page.goto(served.url)
    // the previous test's tab comes back (the saved workspace): go to the open form
    await page.getByRole('button', { name: '+ Open' }).click()
    await page.fill('input[name=path]', path.join(dir, 'does-not-exist.bin'))
    await expect(page.getByTestId('probe')).toContainText('no such file')
  })
})
