// The heatmap's axis labels of an image drawn small (a tall, narrow array kept at square pixels): found by a
// new user at 1024×768, where the column labels of a 1000 × 200 array ran into each other ("0 50 100150200").
// Labels are as many as their room takes; none overlaps the next, at 1400×900 and 1024×768.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { overlap, SIZES, type Box } from './helpers/issue26-files'
import { py, tempDir, withApp } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('the heatmap labels of a tall narrow image do not run into each other', async ({ page }) => {
  const file = path.join(dir, 'tall.npy')
  py(`np.save(${JSON.stringify(file)}, np.random.default_rng(3).standard_normal((1000, 200)).astype('<f4')); print(1)`)
  await withApp(page, [file], async () => {
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('tab', { name: 'Heatmap' }).click()
    for (const size of SIZES) {
      await page.setViewportSize(size)
      await expect(page.getByTestId('image')).toHaveAttribute('data-ready', 'true')
      for (const axis of ['top', 'left']) {
        // the boxes read at once (a redraw rewrites the labels: read one by one, a label could be gone)
        const boxes = (): Promise<Box[]> =>
          page.evaluate(`[...document.querySelectorAll('.image-ticks-${axis} span')].map((s) => {
            const r = s.getBoundingClientRect()
            return { x: r.x, y: r.y, width: r.width, height: r.height }
          })`)
        await expect.poll(async () => (await boxes()).length).toBeGreaterThan(1)
        const overlapping = async (): Promise<number[]> => {
          const b = await boxes()
          return b.flatMap((box, k) => (k > 0 && overlap(b[k - 1]!, box) ? [k] : []))
        }
        await expect.poll(overlapping, { message: `${axis} labels at ${size.width} overlap` }).toEqual([])
      }
      await page.screenshot({ path: `/tmp/image-ticks-${size.width}.png` })
    }
  })
})
