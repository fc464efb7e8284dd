// The bugs a new user hit (issue #16), each as they met it: every test here failed before its fix.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { openFromForm, py, tempDir, withApp } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const VOLUME = path.join(dir, 'stack.npy')
const PLAIN = path.join(dir, 'plain.npy')
test.beforeAll(() => {
  py(`
np.save(${JSON.stringify(VOLUME)}, np.arange(10 * 64 * 64 * 3, dtype='<f4').reshape(10, 64, 64, 3))
np.save(${JSON.stringify(PLAIN)}, np.arange(40 * 30, dtype='<i4').reshape(40, 30))
print(1)`)
})

test('1: with the Analysis panel open, switching tabs and + Open show one table (or the form) at a time', async ({
  page
}) => {
  await withApp(page, [VOLUME], async () => {
    await page.getByRole('button', { name: 'Analysis' }).click()
    await expect(page.getByTestId('analysis')).toBeVisible()
    await openFromForm(page, PLAIN)
    for (let k = 0; k < 4; k++) {
      await page
        .locator('.tab-title')
        .nth(k % 2)
        .click()
      await expect(page.getByTestId('grid')).toHaveCount(1)
      await expect(page.getByTestId('status-bar')).toContainText(k % 2 ? 'shape (40, 30)' : 'shape (10, 64, 64, 3)')
    }
    await page.getByRole('button', { name: '+ Open' }).click()
    await expect(page.getByTestId('grid')).toHaveCount(0)
    // the form is whole on screen, not pushed off the right edge
    const form = (await page.locator('.open-panel').boundingBox())!
    expect(form.x).toBeGreaterThanOrEqual(0)
    expect(form.x + form.width).toBeLessThanOrEqual(1280)
  })
})

test('2: after an invalid value, clicking another cell and typing writes there; Escape closes the editor', async ({
  page
}) => {
  const file = path.join(dir, 'edit.bin')
  py(`np.zeros((8, 6), '<f4').tofile(${JSON.stringify(file)}); print(1)`)
  await withApp(page, [file, '--dtype', '<f4', '--shape', '8,6', '--mode', 'r+'], async () => {
    await page.locator('.cell[data-row="1"][data-col="1"]').dblclick()
    await page.getByTestId('cell-editor').fill('abc')
    await page.getByTestId('cell-editor').press('Enter')
    await expect(page.getByTestId('table-message')).toContainText("'abc' is not a number")
    // the user gives up on that cell and types into another one
    await page.locator('.cell[data-row="3"][data-col="2"]').click()
    await expect(page.getByTestId('cell-editor')).toHaveCount(0)
    await page.keyboard.type('2.5')
    await page.keyboard.press('Enter')
    await expect(page.locator('.cell[data-row="3"][data-col="2"]')).toHaveText('2.5')
    // a second editor opened and abandoned with Escape closes
    await page.locator('.cell[data-row="4"][data-col="4"]').dblclick()
    await page.getByTestId('cell-editor').fill('zzz')
    await page.getByTestId('cell-editor').press('Enter')
    await page.getByTestId('cell-editor').press('Escape')
    await expect(page.getByTestId('cell-editor')).toHaveCount(0)
    await page.getByRole('button', { name: 'Flush' }).click()
    await expect(page.getByTestId('dirty')).toHaveCount(0)
    const a = py<number[][]>(`print(json.dumps(np.fromfile(${JSON.stringify(file)}, '<f4').reshape(8, 6).tolist()))`)
    expect(a[3]![2]).toBe(2.5)
    expect(a[1]![1]).toBe(0)
    expect(a[4]![4]).toBe(0)
  })
})

test('3: a hex go-to does not carry over into the next file opened', async ({ page }) => {
  await withApp(page, [PLAIN], async () => {
    await page.getByRole('button', { name: 'Hex' }).click()
    await page.fill('input[name=hex-goto]', '4128')
    await page.press('input[name=hex-goto]', 'Enter')
    await expect(page.getByTestId('element-index')).toContainText('element (33, 10)') // (4128 - 128) / 4 = 1000 = 33 × 30 + 10
    await page.getByRole('button', { name: 'Hex' }).click()
    await openFromForm(page, VOLUME)
    await expect(page.getByTestId('table-message')).toHaveCount(0)
    await expect(page.getByTestId('cursor')).toHaveText('cell (0, 0)')
    await expect(page.getByTestId('grid')).toHaveAttribute('data-top', '0')
    // and going back to the first tab does not replay it either
    await page.locator('.tab-title').first().click()
    await expect(page.getByTestId('table-message')).toHaveCount(0)
  })
})

test('4: a typed slice: Copy as code gives the view, headers and status bar give array indices', async ({ page }) => {
  await withApp(page, [VOLUME], async () => {
    await page.fill('input[name=slice]', '5, 18:42, 15:45, 0')
    await page.press('input[name=slice]', 'Enter')
    await expect(page.getByTestId('status-bar')).toContainText('view (24, 30)')
    await page.getByRole('button', { name: 'Copy as code' }).click()
    await expect(page.getByTestId('recipe-python')).toContainText('view = a[5, 18:42, 15:45, 0]\n')
    await expect(page.getByTestId('recipe-python')).not.toContainText('][')
    await expect(page.getByTestId('recipe-cli')).toContainText("--slice '5, 18:42, 15:45, 0'")
    await page.getByRole('button', { name: 'Close', exact: true }).click()
    await page.locator('.cell[data-row="2"][data-col="5"]').click()
    await expect(page.getByTestId('cursor')).toHaveText('cell (2, 5)')
    await expect(page.getByTestId('element-index')).toHaveText('view (2, 5) · array (5, 20, 20, 0)')
    await expect(page.locator('.row-header').first()).toHaveText('18')
    await expect(page.locator('.col-header').first()).toHaveText('15')
    const v = py<string>(`print(json.dumps(str(np.load(${JSON.stringify(VOLUME)})[5, 20, 20, 0])))`)
    await expect(page.locator('.cell[data-row="2"][data-col="5"]')).toHaveText(v)
  })
})

test('5: the open form preselects the best proposed layout of a raw file and previews it', async ({ page }) => {
  const file = path.join(dir, 'frames_u16_640x480.raw')
  const first = py<string[]>(`
rng = np.random.default_rng(5)
y, x = np.mgrid[0:480, 0:640]
f = np.stack([(np.sin(x / 31.0 + k) * np.cos(y / 17.0) * 1500 + 2048 + rng.normal(0, 20, (480, 640))) for k in range(3)])
f = f.astype('<u2'); f.tofile(${JSON.stringify(file)})
print(json.dumps([str(v) for v in f[0, 0, :3]]))`)
  await withApp(page, [PLAIN], async () => {
    await page.getByRole('button', { name: '+ Open' }).click()
    await page.fill('input[name=path]', file)
    await expect(page.getByTestId('validation')).toContainText(
      '(3, 480, 640) of <u2: 1,843,200 bytes after offset 0 — the best proposed layout'
    )
    await expect(page.locator('input[name=dtype]')).toHaveValue('<u2')
    const preview = page.getByTestId('preview')
    await expect(preview.locator('tr').first().locator('td').nth(0)).toHaveText(first[0]!)
    await expect(preview.locator('tr').first().locator('td').nth(2)).toHaveText(first[2]!)
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(page.getByTestId('status-bar')).toContainText('shape (3, 480, 640)')
  })
})

test('6: bookmarks are named in the app; mode r refuses an edit at once', async ({ page }) => {
  await withApp(page, [PLAIN], async () => {
    // read-only: the first typed key is refused with the reason, no editor opens
    await page.locator('.cell[data-row="0"][data-col="0"]').click()
    await page.keyboard.press('7')
    await expect(page.getByTestId('cell-editor')).toHaveCount(0)
    await expect(page.getByTestId('table-message')).toContainText('read-only (mode r)')
    await page.locator('.cell[data-row="0"][data-col="1"]').dblclick()
    await expect(page.getByTestId('cell-editor')).toHaveCount(0)
    await page.getByRole('button', { name: 'Hex' }).click()
    let prompted = false
    page.on('dialog', (d) => {
      prompted = true
      void d.dismiss()
    })
    await page.getByRole('button', { name: 'Bookmark' }).click()
    const dialog = page.getByRole('dialog', { name: 'Bookmark' })
    await expect(dialog).toBeVisible()
    await dialog.getByRole('textbox').fill('start of data')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await expect(page.getByTestId('bookmarks')).toContainText('start of data')
    expect(prompted).toBe(false)
  })
})
