// A followed file that grows (issue 32): a table showing its last row keeps showing the newest rows (tail -f)
// while a table scrolled elsewhere stays where it is, and the line plot extends with the array (and is drawn
// again when a value is rewritten in place).
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { tempDir, withApp } from './helpers/serve'

const f32 = (values: number[]): Buffer => Buffer.from(new Float32Array(values).buffer)
const rows = (from: number, to: number): Buffer =>
  f32(Array.from({ length: (to - from) * 4 }, (_, k) => from + Math.floor(k / 4)))
const cell = (page: Page, r: number, c: number) => page.locator(`.cell[data-row="${r}"][data-col="${c}"]`)

test('stick to the end: at the last row the table follows appended rows; scrolled elsewhere it stays', async ({
  page
}) => {
  const file = path.join(tempDir(), 'tail.f4')
  fs.writeFileSync(file, rows(0, 200))
  await withApp(page, [file, '--dtype', '<f4', '--shape', '-1,4'], async () => {
    const grid = page.getByTestId('grid')
    await expect(cell(page, 0, 0)).toHaveText('0.0')
    // scrolled to the end: row 199 is on screen
    await grid.evaluate((el) => (el.scrollTop = el.scrollHeight))
    await expect(cell(page, 199, 0)).toHaveText('199.0')
    fs.appendFileSync(file, rows(200, 250))
    await expect(page.getByTestId('status-bar')).toContainText('shape (250, 4)')
    await expect(cell(page, 249, 3)).toHaveText('249.0')
    await expect(cell(page, 249, 3)).toBeInViewport()
    // and again: it keeps sticking
    fs.appendFileSync(file, rows(250, 300))
    await expect(cell(page, 299, 0)).toHaveText('299.0')
    await expect(cell(page, 299, 0)).toBeInViewport()
    // scrolled elsewhere: appended rows leave the view where the user put it
    await grid.evaluate((el) => (el.scrollTop = 24 * 100))
    await expect(grid).toHaveAttribute('data-top', '100')
    fs.appendFileSync(file, rows(300, 350))
    await expect(page.getByTestId('status-bar')).toContainText('shape (350, 4)')
    await expect(grid).toHaveAttribute('data-top', '100')
    await expect(cell(page, 100, 0)).toHaveText('100.0')
    await expect(cell(page, 349, 0)).toHaveCount(0)
  })
})

test('the line plot of a growing array extends, and is drawn again when a value is rewritten', async ({ page }) => {
  const file = path.join(tempDir(), 'line.f4')
  fs.writeFileSync(file, f32(Array.from({ length: 100 }, (_, k) => k % 10)))
  await withApp(page, [file, '--dtype', '<f4', '--shape', '-1'], async () => {
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('tab', { name: 'Line', exact: true }).click()
    const line = page.getByTestId('line-plot')
    await expect(line).toHaveAttribute('data-stop', '100')
    await expect(line).not.toHaveAttribute('data-points', '0', { timeout: 30_000 })
    const ys = (): Promise<number[]> =>
      line.evaluate((el) => (el as unknown as { data?: { y: number[] }[] }).data?.[0]?.y ?? []) as Promise<number[]>
    // 50 samples more: the line reaches the new end
    fs.appendFileSync(file, f32(Array.from({ length: 50 }, () => 5)))
    await expect(line).toHaveAttribute('data-stop', '150')
    await expect(page.getByTestId('line-info')).toContainText('samples 0–149 of 150')
    // drawn to the new end (x of the last point), then a value rewritten in place: drawn again with it
    const xs = (): Promise<number[]> =>
      line.evaluate((el) => (el as unknown as { data?: { x: number[] }[] }).data?.[0]?.x ?? []) as Promise<number[]>
    await expect.poll(async () => Math.max(...(await xs()))).toBe(149)
    expect(Math.max(...(await ys()))).toBe(9)
    const fd = fs.openSync(file, 'r+')
    fs.writeSync(fd, f32([1000]), 0, 4, 4 * 120)
    fs.closeSync(fd)
    await expect.poll(async () => Math.max(...(await ys()))).toBe(1000)
  })
})
