// Six containers open in the sidebar at 1024×768: each keeps its tree's height and the sidebar scrolls (the new
// user's hour: with five open, the lists of arrays were squeezed to nothing, their arrays out of reach).
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('six containers keep their lists of arrays; the sidebar scrolls to each', async ({ page }) => {
  const files = Array.from({ length: 6 }, (_, k) => path.join(dir, `run${k}.npz`))
  py(`
for f in ${JSON.stringify(files)}:
    np.savez(f, a=np.arange(3.0), b=np.ones(2), c=np.zeros(4))
print(1)`)
  await page.setViewportSize({ width: 1024, height: 768 })
  const served = await serve([])
  try {
    await page.goto(served.url)
    for (const [k, f] of files.entries()) {
      if (k > 0) await page.getByRole('button', { name: '+ Open' }).click()
      await page.locator('input[name="path"]').fill(f)
      await page.getByRole('button', { name: 'Open as container' }).click()
      await expect(page.getByTestId('container-panel')).toHaveCount(k + 1)
    }
    const trees = page.getByTestId('container-tree')
    await expect(trees).toHaveCount(6)
    for (let k = 0; k < 6; k++) {
      const tree = trees.nth(k)
      await tree.scrollIntoViewIfNeeded()
      // its three arrays are shown whole
      const box = (await tree.boundingBox())!
      expect(box.height).toBeGreaterThan(40)
      await expect(tree.getByText('c', { exact: true }).first()).toBeInViewport()
    }
  } finally {
    await served.stop()
  }
})
