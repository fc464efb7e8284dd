// Tabs of same-named arrays of different files (two HDF5 files' /d): each tab also names its file, where the
// array's name alone would be the same twice (found by a new user). A name met once stays as it was.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('two files’ /d tabs say which file each is', async ({ page }) => {
  const a = path.join(dir, 'first.h5')
  const b = path.join(dir, 'second.h5')
  py(`
import h5py
for name, k in ((${JSON.stringify(a)}, 1), (${JSON.stringify(b)}, 2)):
    with h5py.File(name, 'w') as f:
        f.create_dataset('d', data=np.full((40, 30), k, '<f4'), chunks=(10, 30), compression='gzip')
        f.create_dataset('only_' + str(k), data=np.zeros(3))
print(1)`)
  const served = await serve([a])
  try {
    await page.goto(served.url)
    const panel = page.getByTestId('container-panel')
    await panel.locator('[data-testid="container-entry"][data-name="/d"]').click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.locator('.tab-title')).toHaveText(['/d (chunked)'])
    await page.getByRole('button', { name: '+ Open' }).click()
    await page.fill('input[name=path]', b)
    await page.getByRole('button', { name: 'Open as container' }).click()
    // the second file's panel (the first one's stays in the sidebar above it)
    const second = page.locator(`[data-testid="container-panel"][data-path="${b}"]`)
    await second.locator('[data-testid="container-entry"][data-name="/d"]').click()
    await expect(page.locator('.tab-title')).toHaveText(['/d (chunked) · first.h5', '/d (chunked) · second.h5'])
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.locator('.cell[data-row="0"][data-col="0"]')).toHaveText('2.0')
    await second.locator('[data-testid="container-entry"][data-name="/only_2"]').click()
    await expect(page.locator('.tab-title').nth(2)).toHaveText('/only_2')
    await page.screenshot({ path: '/tmp/tab-names.png' })
  } finally {
    await served.stop()
  }
})
