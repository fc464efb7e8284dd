// What a new user expected at once (issue #16): find by condition in the table (natively over the whole array,
// with progress) and statistics along an axis (a profile of the current view), against numpy.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { py, tempDir, withApp } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const CUBE = path.join(dir, 'cube.npy')
let cube: { nan: number[][]; inf: number[][]; gt: number[][]; absgt: number[][] }

test.beforeAll(() => {
  cube = py(`
rng = np.random.default_rng(21)
a = rng.standard_normal((4, 50, 60)).astype('<f4')
a[2, 10, 20] = np.nan; a[3, 40, 5] = np.nan; a[0, 0, 0] = np.nan
a[1, 5, 5] = -np.inf
a[1, 30, 31] = 9.5; a[3, 2, 2] = -9.75
np.save(${JSON.stringify(CUBE)}, a)
idx = lambda m: [list(map(int, np.unravel_index(i, a.shape))) for i in np.flatnonzero(m)]
with np.errstate(invalid='ignore'):
    print(json.dumps(dict(nan=idx(np.isnan(a)), inf=idx(np.isinf(a)), gt=idx(a > 4.5), absgt=idx(np.abs(a) > 4.5))))`)
})

/** C order of two N-D indices. */
function cmp(a: number[], b: number[]): number {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! - b[k]!
  return 0
}

async function findNext(page: Page, button: 'Next' | 'Previous'): Promise<void> {
  await page.getByTestId('condition-bar').getByRole('button', { name: button, exact: true }).click()
}

test('find by condition: NaN, ±Inf, > x and |x| > x step through the whole 3-D array in C order', async ({ page }) => {
  await withApp(page, [CUBE], async () => {
    const bar = page.getByTestId('condition-bar')
    const status = page.getByTestId('condition-status')
    // NaN: (0, 0, 0) is under the cursor, so Next starts after it
    await bar.locator('select[name=condition]').selectOption('nan')
    await findNext(page, 'Next')
    await expect(status).toHaveText('at (2, 10, 20)')
    await expect(page.locator('input[name="index-0"]')).toHaveValue('2')
    await expect(page.getByTestId('cursor')).toHaveText('cell (10, 20)')
    await expect(page.locator('.cell[data-row="10"][data-col="20"]')).toHaveText('nan')
    await findNext(page, 'Next')
    await expect(status).toHaveText('at (3, 40, 5)')
    await findNext(page, 'Next')
    await expect(status).toHaveText('at (0, 0, 0), wrapped past the end')
    await findNext(page, 'Previous')
    await expect(status).toHaveText('at (3, 40, 5), wrapped past the start')
    expect(cube.nan).toEqual([
      [0, 0, 0],
      [2, 10, 20],
      [3, 40, 5]
    ])
    // ±Inf
    await bar.locator('select[name=condition]').selectOption('inf')
    await findNext(page, 'Next')
    await expect(status).toHaveText(
      `at (${cube.inf[0]!.join(', ')})${cube.inf[0]![0]! < 3 ? ', wrapped past the end' : ''}`
    )
    await expect(page.getByTestId('element-index')).toHaveText(`element (${cube.inf[0]!.join(', ')})`)
    // value > 4.5 from the start, then |value| > 4.5 backwards from the end
    await page.getByTestId('grid').focus()
    await page.locator('input[name="index-0"]').fill('0')
    await page.getByTestId('grid').focus()
    await page.keyboard.press('Control+Home')
    await bar.locator('select[name=condition]').selectOption('gt')
    await bar.getByLabel('value to compare with').fill('4.5')
    await findNext(page, 'Next')
    await expect(status).toHaveText(`at (${cube.gt[0]!.join(', ')})`)
    await bar.locator('select[name=condition]').selectOption('absgt')
    await findNext(page, 'Next')
    const after = cube.absgt.find((i) => cmp(i, cube.gt[0]!) > 0)!
    await expect(status).toHaveText(`at (${after.join(', ')})`)
    // a value that is not a number is refused with the reason
    await bar.getByLabel('value to compare with').fill('abc')
    await findNext(page, 'Next')
    await expect(status).toHaveText("type a number to compare with, not 'abc'")
  })
})

test('find by condition on a sliced view reports view and array indices', async ({ page }) => {
  await withApp(page, [CUBE], async () => {
    await page.fill('input[name=slice]', '2, 5:, ::-1')
    await page.press('input[name=slice]', 'Enter')
    await page.getByTestId('condition-bar').locator('select[name=condition]').selectOption('nan')
    await findNext(page, 'Next')
    // a[2, 5:, ::-1]: element (2, 10, 20) is at view (5, 39)
    await expect(page.getByTestId('condition-status')).toHaveText('at view (5, 39) · array (2, 10, 20)')
    await expect(page.getByTestId('cursor')).toHaveText('cell (5, 39)')
  })
})

test('find by condition over 64 GiB shows progress and is cancelled', async ({ page }) => {
  const file = path.join(dir, 'sparse-64g.f4')
  const fd = fs.openSync(file, 'w')
  fs.ftruncateSync(fd, 64 * 2 ** 30)
  fs.closeSync(fd)
  await withApp(page, [file, '--dtype', '<f4', '--shape', `${2 ** 17},${2 ** 17}`, '--mode', 'c'], async () => {
    const bar = page.getByTestId('condition-bar')
    await bar.locator('select[name=condition]').selectOption('nan')
    await findNext(page, 'Next')
    await expect(page.getByTestId('condition-progress')).toBeVisible()
    await expect
      .poll(async () => Number(await page.getByTestId('condition-progress').getAttribute('value')))
      .toBeGreaterThan(0)
    await expect(page.getByTestId('condition-progress-text')).toHaveText(/^\d+% · [\d.]+ [kMG]?B\/s · .+ left$/)
    await bar.getByRole('button', { name: 'Cancel' }).click()
    await expect(page.getByTestId('condition-status')).toHaveText('cancelled')
    await expect(page.getByTestId('condition-progress')).toHaveCount(0)
  })
})

test('statistics along an axis: per-row and per-column mean, min, max, std of the view as numpy computes them', async ({
  page
}) => {
  const file = path.join(dir, 'profile.f4')
  const ref = py<{ rows: string[][]; cols: string[][] }>(`
rng = np.random.default_rng(22)
a = (rng.standard_normal((120, 80)) * 3 + np.arange(120)[:, None] * 0.5).astype('<f4')
a[7, 3] = np.nan; a[7, 9] = np.inf
a.tofile(${JSON.stringify(file)})
x = a.astype(np.float64)
def line(v):
    f = v[np.isfinite(v)]
    return [str(f.size), str(np.float32(f.mean())), str(np.float32(f.min())), str(np.float32(f.max())), str(np.float32(f.std()))]
print(json.dumps(dict(rows=[line(x[i]) for i in range(120)], cols=[line(x[:, j]) for j in range(80)])))`)
  const readout = (name: string, k: number, r: string[]): string =>
    `${name} ${k}: ${r[0]} finite · mean ${r[1]} · min ${r[2]} · max ${r[3]} · std ${r[4]}`
  await withApp(page, [file, '--dtype', '<f4', '--shape', '120,80'], async () => {
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByTestId('analysis').getByRole('tab', { name: 'Profile' }).click()
    const plot = page.getByTestId('profile-plot')
    await expect(plot).toHaveAttribute('data-points', '120')
    await expect(plot.locator('.main-svg').first()).toBeVisible()
    await expect(page.getByTestId('profile-readout')).toHaveText(readout('row (axis 0)', 0, ref.rows[0]!))
    await page.locator('.cell[data-row="7"][data-col="2"]').click()
    await expect(page.getByTestId('profile-readout')).toHaveText(readout('row (axis 0)', 7, ref.rows[7]!))
    await page.locator('select[name=profile-per]').selectOption('cols')
    await expect(plot).toHaveAttribute('data-points', '80')
    await expect(page.getByTestId('profile-readout')).toHaveText(readout('column (axis 1)', 2, ref.cols[2]!))
    // transposed (rows are axis 1): per row is now per column of the array
    await page.locator('select[name=row-axis]').selectOption('1')
    await page.locator('select[name=profile-per]').selectOption('rows')
    await expect(plot).toHaveAttribute('data-points', '80')
    // the cursor stays on its element [7, 2]: now in row 2 (axis 1)
    await expect(page.getByTestId('profile-readout')).toHaveText(readout('row (axis 1)', 2, ref.cols[2]!))
  })
})

test('statistics print as numpy prints the array type (float32: shortest float32 digits)', async ({ page }) => {
  const file = path.join(dir, 'stats.f4')
  const ref = py<Record<string, string>>(`
a = (np.random.default_rng(23).standard_normal(100_000) * 7 + 1 / 3).astype('<f4')
a.tofile(${JSON.stringify(file)})
x = a.astype(np.float64)
print(json.dumps(dict(min=str(a.min()), max=str(a.max()), mean=str(np.float32(x.mean())), std=str(np.float32(x.std())))))`)
  await withApp(page, [file, '--dtype', '<f4'], async () => {
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('button', { name: 'Compute statistics' }).click()
    for (const k of ['min', 'max', 'mean', 'std']) await expect(page.getByTestId(`stats-${k}`)).toHaveText(ref[k]!)
    expect(ref.mean!.length).toBeLessThan(12) // not float64's 17 digits
  })
})
