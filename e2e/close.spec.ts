// Closing a tab with unsaved edits asks Flush / Discard / Cancel (mode c: Discard / Cancel), and each choice
// does what it says to the file: Cancel keeps the tab, Discard puts back every edited byte (the file's checksum
// is the original again), Flush writes them (numpy reads them). A flush that cannot happen keeps the tab.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { py, tempDir, withApp } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const sha = (p: string): string => createHash('sha256').update(fs.readFileSync(p)).digest('hex')
const LAYOUT = ['--dtype', '<f8', '--shape', '20,30']

function fixture(name: string): string {
  const file = path.join(dir, name)
  py(`np.random.default_rng(8).standard_normal((20, 30)).tofile(${JSON.stringify(file)}); print(1)`)
  return file
}

async function editCell(page: Page, r: number, c: number, text: string): Promise<void> {
  await page.locator(`.cell[data-row="${r}"][data-col="${c}"]`).dblclick()
  await page.getByTestId('cell-editor').fill(text)
  await page.getByTestId('cell-editor').press('Enter')
  await expect(page.locator(`.cell[data-row="${r}"][data-col="${c}"]`)).toHaveText(text)
}

const dialog = (page: Page) => page.getByRole('alertdialog', { name: 'Close with unsaved edits' })

test('r+: Cancel keeps the tab, Discard restores the file byte for byte', async ({ page }) => {
  const file = fixture('discard.bin')
  const original = sha(file)
  await withApp(page, [file, ...LAYOUT, '--mode', 'r+'], async () => {
    await editCell(page, 2, 3, '42.5')
    await editCell(page, 5, 6, '-7.5')
    expect(sha(file)).not.toBe(original) // r+: edits are in the file's pages at once
    await page.getByRole('button', { name: `close ${file}` }).click()
    await expect(dialog(page)).toBeVisible()
    await expect(dialog(page).getByRole('button')).toHaveText(['Flush', 'Discard', 'Cancel'])
    await dialog(page).getByRole('button', { name: 'Cancel' }).click()
    await expect(dialog(page)).toHaveCount(0)
    await expect(page.getByRole('tab')).toHaveCount(1)
    await expect(page.locator('.cell[data-row="2"][data-col="3"]')).toHaveText('42.5')
    await page.getByRole('button', { name: `close ${file}` }).click()
    await dialog(page).getByRole('button', { name: 'Discard' }).click()
    await expect(page.getByRole('tab')).toHaveCount(0)
    expect(sha(file)).toBe(original)
  })
})

test('r+: Flush on close writes the edits; numpy reads them', async ({ page }) => {
  const file = fixture('flush.bin')
  await withApp(page, [file, ...LAYOUT, '--mode', 'r+'], async () => {
    await editCell(page, 4, 5, '1.25')
    await page.getByRole('button', { name: `close ${file}` }).click()
    await dialog(page).getByRole('button', { name: 'Flush' }).click()
    await expect(page.getByRole('tab')).toHaveCount(0)
    expect(
      py<number>(`print(json.dumps(float(np.fromfile(${JSON.stringify(file)}, dtype='<f8').reshape(20, 30)[4, 5])))`)
    ).toBe(1.25)
  })
})

test('r+: a flush that cannot happen (the file was replaced) keeps the tab and says why', async ({ page }) => {
  const file = fixture('replaced.bin')
  await withApp(page, [file, ...LAYOUT, '--mode', 'r+'], async () => {
    await editCell(page, 0, 0, '3.5')
    fs.renameSync(file, `${file}.old`)
    fs.writeFileSync(file, Buffer.alloc(4800))
    await page.getByRole('button', { name: `close ${file}` }).click()
    await dialog(page).getByRole('button', { name: 'Flush' }).click()
    await expect(page.getByTestId('close-error')).toContainText('was replaced by another file since it was opened')
    await expect(page.getByRole('tab')).toHaveCount(1)
    expect(fs.readFileSync(file).equals(Buffer.alloc(4800))).toBe(true)
    await dialog(page).getByRole('button', { name: 'Cancel' }).click()
  })
})

test('c: closing with edits asks Discard / Cancel; the file never changes', async ({ page }) => {
  const file = fixture('copy.bin')
  const original = sha(file)
  await withApp(page, [file, ...LAYOUT, '--mode', 'c'], async () => {
    await editCell(page, 1, 1, '5.5')
    await page.getByRole('button', { name: `close ${file}` }).click()
    await expect(dialog(page).getByRole('button')).toHaveText(['Discard', 'Cancel'])
    await expect(page.getByTestId('close-detail')).toContainText('private copy that the file never sees')
    await dialog(page).getByRole('button', { name: 'Discard' }).click()
    await expect(page.getByRole('tab')).toHaveCount(0)
    expect(sha(file)).toBe(original)
  })
})

test('no edits: the tab closes at once', async ({ page }) => {
  const file = fixture('clean.bin')
  await withApp(page, [file, ...LAYOUT, '--mode', 'r+'], async () => {
    await page.getByRole('button', { name: `close ${file}` }).click()
    await expect(page.getByRole('tab')).toHaveCount(0)
    await expect(dialog(page)).toHaveCount(0)
  })
})
