// The sidebar could not be resized (issue 26): a drag handle (and ←/→) within limits.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('the sidebar resizes by dragging its edge or with the arrow keys, within its limits', async ({ page }) => {
  const st = path.join(dir, 'model.safetensors')
  py(`
from safetensors.numpy import save_file
save_file({f'model.layers.{k}.self_attn.q_proj.weight': np.ones((4, 4), np.float32) for k in range(3)}, ${JSON.stringify(st)})
print(1)`)
  await page.setViewportSize({ width: 1400, height: 900 })
  const served = await serve([st])
  try {
    await page.goto(served.url)
    const sidebar = page.getByTestId('containers')
    await expect(sidebar.getByTestId('container-summary')).toBeVisible()
    const handle = page.getByTestId('sidebar-handle')
    const before = (await sidebar.boundingBox())!
    const h = (await handle.boundingBox())!
    await page.mouse.move(h.x + h.width / 2, h.y + 200)
    await page.mouse.down()
    await page.mouse.move(h.x + 200, h.y + 200, { steps: 5 })
    await page.mouse.up()
    const wider = (await sidebar.boundingBox())!
    expect(wider.width).toBeGreaterThan(before.width + 150)
    // the table keeps the rest of the window, beside it
    const content = page.locator('main.content')
    const box = (await content.boundingBox())!
    expect(wider.x + wider.width).toBeLessThanOrEqual(box.x + box.width)
    // no wider than 60% of the window, no narrower than 180 px
    await page.mouse.move(wider.x + wider.width, h.y + 200)
    await page.mouse.down()
    await page.mouse.move(1390, h.y + 200, { steps: 5 })
    await page.mouse.up()
    expect((await sidebar.boundingBox())!.width).toBeLessThanOrEqual(1400 * 0.6 + 1)
    await handle.focus()
    for (let i = 0; i < 60; i++) await page.keyboard.press('ArrowLeft')
    expect(Math.round((await sidebar.boundingBox())!.width)).toBe(180)
    await expect(handle).toHaveAttribute('aria-valuenow', '180')
  } finally {
    await served.stop()
  }
})
