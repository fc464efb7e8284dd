// Paths in the open form (issue 26): "~" is the home folder, a folder is listed instead of refused, and
// Browse… in serve mode lists folders and files with sizes and recognised formats, within --root only.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('a folder typed or browsed is listed; entries open; the browser stops at --root', async ({ page }) => {
  const root = path.join(dir, 'root')
  fs.mkdirSync(path.join(root, 'runs'), { recursive: true })
  py(`
np.save(${JSON.stringify(path.join(root, 'runs', 'loss.npy'))}, np.arange(12, dtype='<f4'))
np.zeros(4096, np.uint8).tofile(${JSON.stringify(path.join(root, 'dump.bin'))})
from safetensors.numpy import save_file
save_file({'w': np.ones((2, 2), np.float32)}, ${JSON.stringify(path.join(root, 'model.safetensors'))}); print(1)`)
  const real = fs.realpathSync(root)
  const served = await serve(['--root', root])
  try {
    await page.goto(served.url)
    // Browse… with nothing typed: the root
    await page.getByRole('button', { name: 'Browse…' }).click()
    await expect(page.locator('input[name=path]')).toHaveValue(real)
    const browser = page.getByTestId('folder-browser')
    await expect(browser).toContainText(`Folder ${real}`)
    await expect(page.getByTestId('probe')).not.toContainText('is a folder')
    const rows = browser.locator('li')
    await expect(rows).toHaveText([
      /runs\/$/,
      /^dump\.bin 4\.00 KiB \(4,096 bytes\)$/, // no format: raw bytes
      /^model\.safetensors 88 bytes safetensors$/
    ])
    // no way up out of --root
    await expect(browser.getByRole('button', { name: '↑ ..' })).toHaveCount(0)
    // into a folder and back up
    await browser.getByRole('button', { name: /runs\/$/ }).click()
    await expect(page.locator('input[name=path]')).toHaveValue(path.join(real, 'runs'))
    await expect(browser.locator('li', { hasText: 'loss.npy' })).toContainText('npy')
    await browser.getByRole('button', { name: '↑ ..' }).click()
    await expect(page.locator('input[name=path]')).toHaveValue(real)
    // a file picked is probed as if typed
    await browser.getByRole('button', { name: 'model.safetensors' }).click()
    await expect(page.getByTestId('container-notice')).toBeVisible()
    await expect(page.getByTestId('folder-browser')).toHaveCount(0)
    // a folder outside --root is refused with the reason, not listed
    await page.fill('input[name=path]', path.dirname(real))
    await expect(page.getByTestId('probe')).toContainText('outside')
    await expect(page.getByTestId('folder-browser')).toHaveCount(0)
  } finally {
    await served.stop()
  }
})

test('~ is the home folder: "~/x.npy" opens, "~" lists the home folder', async ({ page }) => {
  const home = path.join(dir, 'home')
  fs.mkdirSync(home, { recursive: true })
  py(`np.save(${JSON.stringify(path.join(home, 'x.npy'))}, np.arange(6, dtype='<i2').reshape(2, 3)); print(1)`)
  const saved = process.env.HOME
  process.env.HOME = home // the server inherits it: its os.homedir()
  const served = await serve([])
  process.env.HOME = saved
  try {
    await page.goto(served.url)
    await page.fill('input[name=path]', '~')
    await expect(page.getByTestId('folder-browser')).toContainText(`Folder ${fs.realpathSync(home)}`)
    await page.fill('input[name=path]', '~/x.npy')
    await expect(page.getByTestId('probe')).toContainText('.npy header read')
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.getByTestId('status-bar')).toContainText('shape (2, 3)')
  } finally {
    await served.stop()
  }
})
