// After "Open as container" (or Enter on a container's path) the open form gives way to the container's tree in the
// sidebar and a hint to pick an array there (issue #26: the form stayed on screen, with no hint).
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
const npz = path.join(dir, 'arrays.npz')
test.beforeAll(() => {
  py(`
np.savez(${JSON.stringify(npz)}, grid=np.arange(12.0).reshape(3, 4), labels=np.arange(5, dtype=np.int16))
print(1)`)
})

async function pickAndOpen(page: Page): Promise<void> {
  const hint = page.getByTestId('pick-hint')
  await expect(hint).toBeVisible()
  await expect(hint).toContainText('arrays.npz')
  await expect(hint).toContainText('Pick an array')
  await expect(page.locator('form.open-panel')).toHaveCount(0)
  await expect(page.getByTestId('container-panel')).toBeVisible()
  // an array picked: its table replaces the hint
  await page.locator('[data-testid="container-entry"][data-name="grid"]').click()
  await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
  await expect(hint).toHaveCount(0)
}

test('"Open as container" gives way to the tree and a hint to pick an array', async ({ page }) => {
  const served = await serve([])
  try {
    await page.goto(served.url)
    await page.locator('input[name="path"]').fill(npz)
    await page.getByRole('button', { name: 'Open as container' }).click()
    await pickAndOpen(page)
    // "+ Open" shows the form again; Enter on the container's path gives the hint again
    await page.getByRole('button', { name: '+ Open' }).click()
    await expect(page.locator('form.open-panel')).toBeVisible()
    await page.locator('input[name="path"]').fill(npz)
    await expect(page.getByTestId('container-notice')).toBeVisible()
    await page.locator('input[name="path"]').press('Enter')
    await expect(page.getByTestId('pick-hint')).toBeVisible()
    await page.getByTestId('pick-hint').getByRole('button', { name: 'Open another file…' }).click()
    await expect(page.locator('form.open-panel')).toBeVisible()
  } finally {
    await served.stop()
  }
})

test('a container named on the command line starts with its tree and the hint', async ({ page }) => {
  const served = await serve([npz])
  try {
    await page.goto(served.url)
    await pickAndOpen(page)
  } finally {
    await served.stop()
  }
})
