// The keyboard's way around the window (issue #26): the tab strip is one stop in the Tab order with the arrows
// inside it, and Alt+G puts the keyboard in the grid.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { openFromForm, py, tempDir, withApp } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const files = Array.from({ length: 13 }, (_, k) => path.join(dir, `t${k}.npy`))

async function gridFocused(page: Page): Promise<boolean> {
  return page.getByTestId('grid').evaluate((el) => el.ownerDocument.activeElement === el)
}

test('with 13 tabs the grid is a few Tab presses from the page start, and Alt+G reaches it', async ({ page }) => {
  py(`
for k, f in enumerate(${JSON.stringify(files)}): np.save(f, np.full((3, 4), k, '<i2'))
print(1)`)
  await withApp(page, [files[0]!], async () => {
    for (const f of files.slice(1)) await openFromForm(page, f)
    await expect(page.getByRole('tab')).toHaveCount(13)
    // from the page start: a click on the brand, top left, puts the sequential focus starting point there
    await page.locator('.brand').click()
    let presses = 0
    while (!(await gridFocused(page)) && presses < 60) {
      await page.keyboard.press('Tab')
      presses++
    }
    expect(await gridFocused(page)).toBe(true)
    console.log(`Tab presses to the grid with 13 tabs: ${presses}`)
    // was 44: each tab and its × were stops; 20 since the view bar's 'follow file' switch (one control more)
    expect(presses).toBeLessThanOrEqual(20)

    // Alt+G from the strip puts the keyboard back in the grid
    await page.getByRole('tab', { selected: true }).focus()
    expect(await gridFocused(page)).toBe(false)
    await page.keyboard.press('Alt+g')
    expect(await gridFocused(page)).toBe(true)
  })
})

test('arrows move within the strip, Enter shows the focused tab, Delete closes it', async ({ page }) => {
  py(`
for k, f in enumerate(${JSON.stringify(files.slice(0, 3))}): np.save(f, np.full((3, 4), k, '<i2'))
print(1)`)
  await withApp(page, [files[0]!], async () => {
    for (const f of files.slice(1, 3)) await openFromForm(page, f)
    const strip = page.getByTestId('tab-strip')
    const selected = strip.getByRole('tab', { selected: true })
    await expect(selected).toContainText('t2.npy')
    await selected.focus()
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowLeft')
    // the focus moved; the shown tab did not
    await expect(strip.getByRole('tab').nth(0)).toBeFocused()
    await expect(selected).toContainText('t2.npy')
    await page.keyboard.press('ArrowLeft') // wraps to the last
    await expect(strip.getByRole('tab').nth(2)).toBeFocused()
    await page.keyboard.press('Home')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Enter')
    await expect(selected).toContainText('t1.npy')
    await page.keyboard.press('Home')
    await page.keyboard.press('Delete')
    await expect(strip.getByRole('tab')).toHaveCount(2)
    await expect(strip.getByRole('tab').nth(0)).toContainText('t1.npy')
    // one stop: only one tab is in the Tab order
    await expect(strip.locator('[role=tab][tabindex="0"]')).toHaveCount(1)
  })
})

test('Ctrl+W closes the focused tab; Delete on a tab with unsaved edits asks first', async ({ page }) => {
  const raw = path.join(dir, 'edited.bin')
  py(`
np.zeros((4, 5), '<f8').tofile(${JSON.stringify(raw)})
for k, f in enumerate(${JSON.stringify(files.slice(0, 2))}): np.save(f, np.full((3, 4), k, '<i2'))
print(1)`)
  await withApp(page, [raw, '--dtype', '<f8', '--shape', '4,5', '--mode', 'r+'], async () => {
    await page.locator('.cell[data-row="1"][data-col="2"]').dblclick()
    await page.getByTestId('cell-editor').fill('4.5')
    await page.getByTestId('cell-editor').press('Enter')
    await expect(page.locator('.cell[data-row="1"][data-col="2"]')).toHaveText('4.5')
    for (const f of files.slice(0, 2)) await openFromForm(page, f)
    const strip = page.getByTestId('tab-strip')
    await strip.getByRole('tab', { selected: true }).focus()
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('Control+w') // t0.npy, focused but not shown
    await expect(strip.getByRole('tab')).toHaveCount(2)
    await expect(strip.getByRole('tab').nth(1)).toContainText('t1.npy')
    await strip.getByRole('tab').nth(0).focus()
    await page.keyboard.press('Delete')
    const dialog = page.getByRole('alertdialog', { name: 'Close with unsaved edits' })
    await expect(dialog).toBeVisible()
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await expect(strip.getByRole('tab')).toHaveCount(2)
  })
})
