// Compare two files in the app: planted differences counted as numpy counts them, stepped through with F3 /
// Shift+F3, shown in the map (a click goes there), side by side, as a derived A − B tab, and as differing
// bytes in the hex view.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { py, tempDir, withApp } from './helpers/serve'

const dir = tempDir()
const A = path.join(dir, 'golden.npy')
const B = path.join(dir, 'run.npy')
let ref: { mismatched: number; diff57: string; b57: string }

test.beforeAll(() => {
  ref = py(`
rng = np.random.default_rng(2)
a = rng.standard_normal((200, 300)).astype('<f4')
b = a.copy()
for (i, j) in [(5, 7), (50, 100), (150, 250), (199, 299)]:
    b[i, j] += np.float32(0.25)
b[120, 3] = np.nan
np.save(${JSON.stringify(A)}, a); np.save(${JSON.stringify(B)}, b)
inv = ~np.isclose(a, b, rtol=1e-7, atol=0, equal_nan=True)
print(json.dumps(dict(mismatched=int(inv.sum()), diff57=str(np.float64(a[5, 7]) - np.float64(b[5, 7])), b57=str(b[5, 7]))))`)
})
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

async function cursorAt(page: Page): Promise<[number, number]> {
  const cell = page.locator('[data-testid="compare-a"] .cell.selected')
  return [Number(await cell.getAttribute('data-row')), Number(await cell.getAttribute('data-col'))]
}

test('compare two files: figures, F3 through planted differences, the map, side by side, A − B, hex', async ({
  page
}) => {
  await withApp(page, [A], async () => {
    await page.getByRole('button', { name: 'Compare…' }).click()
    await page.locator('input[name="compare-source"]').nth(1).check()
    await page.locator('input[name="compare-path"]').fill(B)
    await page.getByRole('dialog', { name: 'Compare' }).getByRole('button', { name: 'Compare' }).click()
    const panel = page.getByTestId('compare-panel')
    await expect(panel.getByTestId('compare-mismatched')).toHaveText(`${ref.mismatched} / 60000 (0.00833%)`)
    await expect(panel.getByTestId('compare-max-abs')).toHaveText('nan')
    await expect(panel.getByTestId('compare-mismatches').locator('li')).toHaveCount(5)

    // F3 steps from the cursor (0, 0) through the mismatches in C order; Shift+F3 goes back
    await page.getByTestId('compare-a').getByTestId('grid').focus()
    await page.keyboard.press('F3')
    await expect(panel.getByTestId('compare-status')).toHaveText('mismatch at (5, 7)')
    await expect.poll(() => cursorAt(page)).toEqual([5, 7])
    await expect(page.getByTestId('cursor')).toHaveText('cell (5, 7)') // F3 reads the app's cursor
    await expect(page.locator('[data-testid="compare-a"] .cell.selected')).toHaveClass(/mismatch/)
    await page.keyboard.press('F3')
    await expect.poll(() => cursorAt(page)).toEqual([50, 100])
    await expect(page.getByTestId('cursor')).toHaveText('cell (50, 100)') // F3 reads the app's cursor
    await page.keyboard.press('F3')
    await expect.poll(() => cursorAt(page)).toEqual([120, 3])
    await expect(page.getByTestId('cursor')).toHaveText('cell (120, 3)') // F3 reads the app's cursor
    await page.keyboard.press('Shift+F3')
    await expect.poll(() => cursorAt(page)).toEqual([50, 100])
    await expect(page.getByTestId('cursor')).toHaveText('cell (50, 100)') // F3 reads the app's cursor

    // the map: mismatch counts per block; a click on the block that holds (150, 250) goes there
    const map = panel.getByTestId('compare-map')
    await expect(map).toHaveAttribute('data-max-count', '1')
    const box = await map.evaluate((el) => ({ width: el.clientWidth, height: el.clientHeight }))
    const [mapRows, mapCols] = [128, 256]
    const bi = Math.floor((150 * mapRows) / 200)
    const bj = Math.floor((250 * mapCols) / 300)
    await map.click({ position: { x: ((bj + 0.5) / mapCols) * box.width, y: ((bi + 0.5) / mapRows) * box.height } })
    await expect.poll(() => cursorAt(page)).toEqual([150, 250])
    await expect(page.getByTestId('cursor')).toHaveText('cell (150, 250)') // F3 reads the app's cursor

    // side by side: B's table shows B's values, its cell marked too
    await panel.getByLabel('side by side').check()
    const bSide = page.getByTestId('compare-b')
    await expect(bSide.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await page.getByTestId('compare-a').getByTestId('grid').focus()
    await page.keyboard.press('Control+Home')
    await expect(page.getByTestId('cursor')).toHaveText('cell (0, 0)') // F3 steps from where the cursor is
    await page.keyboard.press('F3')
    await expect(bSide.locator('.cell[data-row="5"][data-col="7"]')).toHaveText(ref.b57)
    await expect(bSide.locator('.cell[data-row="5"][data-col="7"]')).toHaveClass(/mismatch/)

    // the hex view marks bytes that differ from B's file
    await page.getByRole('button', { name: 'Hex' }).click()
    await expect(page.locator('.hex-byte.differs').first()).toBeVisible()

    // A − B as a tab of its own
    await panel.getByRole('button', { name: 'A − B', exact: true }).click()
    await expect(page.getByRole('tab', { selected: true })).toContainText('A − B')
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.locator('.cell[data-row="5"][data-col="7"]')).toHaveText(
      new RegExp(`^${ref.diff57.slice(0, 8).replace('.', '\\.')}`)
    )
  })
})
