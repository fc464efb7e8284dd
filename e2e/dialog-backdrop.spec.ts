// Dialogs had no backdrop (issue 26): the page behind stayed clickable and undimmed.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const cell = (page: Page, r: number, c: number) => page.locator(`.cell[data-row="${r}"][data-col="${c}"]`)
const ready = (page: Page) => expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')

test('a dialog dims the page behind it and takes its clicks until closed', async ({ page }) => {
  const m = path.join(dir, 'm.npy')
  py(`np.save(${JSON.stringify(m)}, np.arange(200, dtype='<f8').reshape(20, 10)); print(1)`)
  const served = await serve([m])
  try {
    await page.goto(served.url)
    await ready(page)
    /** What a click at the centre of a cell would reach. */
    const hit = (r: number, c: number): Promise<string> =>
      cell(page, r, c).evaluate((el) => {
        const b = el.getBoundingClientRect()
        const at = el.ownerDocument.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2)
        return at === el || el.contains(at) ? 'cell' : (at?.tagName ?? 'nothing')
      })
    expect(await hit(5, 1)).toBe('cell')
    await page.getByRole('button', { name: 'Copy as code' }).click()
    const dialog = page.getByRole('dialog', { name: 'Copy as code' })
    await expect(dialog).toBeVisible()
    expect(await hit(5, 1)).not.toBe('cell')
    const dim = await page
      .locator('body')
      .evaluate((body) => body.ownerDocument.defaultView!.getComputedStyle(body, '::before').backgroundColor)
    expect(dim).toBe('rgba(0, 0, 0, 0.35)')
    await dialog.getByRole('button', { name: 'Close' }).click()
    await expect(dialog).toHaveCount(0)
    expect(await hit(5, 1)).toBe('cell')
  } finally {
    await served.stop()
  }
})
