// The open form taller than the window (a preview and six proposed layouts) scrolls inside the content area, at
// 1400×900 and 1024×768: the status bar stays at the window's bottom and never covers the Open button (the new
// user's hour: the page scrolled, the button sat half under the status bar and a click landed on the bar).
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

for (const size of [
  { width: 1400, height: 900 },
  { width: 1024, height: 768 }
]) {
  test(`a long open form scrolls inside its area at ${size.width}×${size.height}`, async ({ page }) => {
    const file = path.join(dir, `grow-${size.width}.bin`)
    py(`np.arange(40, dtype='<f4').tofile(${JSON.stringify(file)}); print(1)`)
    const served = await serve([])
    try {
      await page.setViewportSize(size)
      await page.goto(served.url)
      await page.locator('input[name="path"]').fill(file)
      await expect(page.locator('.open-panel li').first()).toBeVisible()
      const bar = page.locator('footer.status-bar')
      const before = await bar.boundingBox()
      expect(before!.y + before!.height).toBeCloseTo(size.height, 0)
      const open = page.getByRole('button', { name: 'Open', exact: true })
      await open.scrollIntoViewIfNeeded()
      // the page itself never scrolls: the status bar is where it was
      expect(await page.evaluate('document.scrollingElement.scrollTop')).toBe(0)
      expect(await bar.boundingBox()).toEqual(before)
      const b = (await open.boundingBox())!
      expect(b.y + b.height).toBeLessThanOrEqual(before!.y)
      await open.click()
      await expect(page.getByTestId('status-bar')).toContainText(/shape/)
    } finally {
      await served.stop()
    }
  })
}
