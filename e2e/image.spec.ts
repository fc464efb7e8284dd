// The image viewer beyond the heatmap of the analysis spec: an RGB image stack (frames, height, width, 3 × u1)
// shows each frame in colour, its pixels' channels equal numpy's on hover, and moving through the frames in the
// table moves the image with them; a click moves the table to that pixel.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, tempDir, withApp } from './helpers/serve'

const dir = tempDir()
const FILE = path.join(dir, 'frames.npy')
let ref: { px: number[][] }

test.beforeAll(() => {
  ref = py(`
rng = np.random.default_rng(4)
a = rng.integers(0, 256, (4, 60, 80, 3), dtype=np.uint8)
np.save(${JSON.stringify(FILE)}, a)
print(json.dumps({'px': [a[0, 10, 20].tolist(), a[2, 10, 20].tolist()]}))`)
})
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('an RGB image stack: frames in colour, channel values on hover, frames follow the table', async ({ page }) => {
  await withApp(page, [FILE], async () => {
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('tab', { name: 'Heatmap' }).click()
    await expect(page.getByTestId('image-rgb')).toHaveText('RGB from axis 3 (block means)')
    const image = page.getByTestId('image')
    await expect(image).toHaveAttribute('data-ready', 'true')
    await expect(image).toHaveAttribute('data-level', '0')
    const box = (await image.boundingBox())!
    const at = async (row: number, col: number): Promise<{ x: number; y: number }> => {
      const p = (await page.evaluate(`(() => {
        const v = window.__arrayscopeImage.viewport
        return { x: (${col} + 0.5 - v.x0) * v.sx, y: (${row} + 0.5 - v.y0) * v.sy }
      })()`)) as { x: number; y: number }
      return { x: box.x + p.x, y: box.y + p.y }
    }
    let p = await at(10, 20)
    await page.mouse.move(p.x, p.y)
    await expect(page.getByTestId('image-hover')).toHaveText(`(10, 20) = [${ref.px[0]!.join(', ')}]`)
    // frame 2: the table's index for axis 0 moves the image
    await page.fill('input[name=index-0]', '2')
    p = await at(10, 20)
    // hover text follows the pointer: move it until the new frame's tiles are there
    await expect
      .poll(async () => {
        await page.mouse.move(p.x + 1, p.y)
        await page.mouse.move(p.x, p.y)
        return page.getByTestId('image-hover').textContent()
      })
      .toBe(`(10, 20) = [${ref.px[1]!.join(', ')}]`)
    // a click moves the table to that pixel of this frame
    await page.mouse.click(p.x, p.y)
    await expect(page.getByTestId('element-index')).toHaveText(/^element \(2, 10, 20, \d\)$/)
  })
})
