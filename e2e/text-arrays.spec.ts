// A CSV typed into the open form (serve mode, Chromium, issue 33): the solver proposes a text layout (the
// separator, the header row), the preview shows the first values, and Open shows the table at once while the
// rest of the text is parsed — the view bar says how far, the table grows to every row, values as np.loadtxt.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { serve, tempDir } from './helpers/serve'

const dir = tempDir()
const CSV = path.join(dir, 'logger.csv')
const ROWS = 1_200_000
const row = (i: number): string => `${i},${i / 4},${(i % 100) - 50}\n`

test.beforeAll(() => {
  const fd = fs.openSync(CSV, 'w')
  fs.writeSync(fd, 'step,time,level\r\n')
  for (let i = 0; i < ROWS; i += 100_000) {
    let chunk = ''
    for (let k = i; k < Math.min(ROWS, i + 100_000); k++) chunk += row(k)
    fs.writeSync(fd, chunk)
  }
  fs.closeSync(fd)
})
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('a CSV opens from the open form as a text table that grows as it is parsed', async ({ page }) => {
  const served = await serve(['--root', dir])
  try {
    await page.setViewportSize({ width: 1280, height: 900 })
    await page.goto(served.url)
    await page.fill('input[name=path]', CSV)
    // the best proposal is the text layout: a comma, the header row skipped
    await expect(page.locator('input[name=sep]')).toHaveValue(',')
    await expect(page.locator('input[name=skip]')).toHaveValue('1')
    await expect(page.getByTestId('validation')).toContainText("rows of values (np.loadtxt) separated by ','")
    await expect(page.getByTestId('preview')).toContainText('0.25')
    // the form's message (two lines at this width) stays above the preview, in a window too short for the form
    await page.setViewportSize({ width: 1024, height: 768 })
    const said = (await page.getByTestId('validation').boundingBox())!
    const preview = (await page.getByTestId('preview').boundingBox())!
    expect(said.height).toBeGreaterThan(20)
    expect(said.y + said.height).toBeLessThanOrEqual(preview.y)
    await page.setViewportSize({ width: 1280, height: 900 })
    // editing text in place is not offered
    await expect(page.locator('select[name=mode] option[value="r+"]')).toBeDisabled()
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    const cell = (i: number, j: number) => page.locator(`.cell[data-row="${i}"][data-col="${j}"]`)
    await expect(cell(0, 0)).toHaveText('0.0')
    await expect(cell(1, 1)).toHaveText('0.25')
    await expect(cell(2, 2)).toHaveText('-48.0')
    // the pass ends: the status goes and the table holds every row
    await expect(page.getByTestId('text-status')).toHaveCount(0, { timeout: 30_000 })
    await expect(page.getByTestId('status-bar')).toContainText(`shape (${ROWS}, 3)`, { timeout: 10_000 })
    await expect(page.getByTestId('status-bar')).toContainText('text')
  } finally {
    await served.stop()
  }
})
