// Switching axes sent the table's cursor back to (0, 0, 0) (issue 26): it now stays on its element where the
// new view can show it.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const cell = (page: Page, r: number, c: number) => page.locator(`.cell[data-row="${r}"][data-col="${c}"]`)
const ready = (page: Page) => expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')

test('switching axes and moving sliders keep the cursor on its element where the view can show it', async ({
  page
}) => {
  const cube = path.join(dir, 'cube.npy')
  py(`np.save(${JSON.stringify(cube)}, np.arange(4*5*6, dtype='<i4').reshape(4, 5, 6)); print(1)`)
  const a = (i: number, j: number, k: number): string => String(i * 30 + j * 6 + k)
  const served = await serve([cube])
  try {
    await page.goto(served.url)
    await ready(page)
    await page.fill('input[name=index-0]', '2')
    await ready(page)
    await cell(page, 3, 4).click()
    const where = page.getByTestId('element-index')
    await expect(where).toHaveText('element (2, 3, 4)')
    // rows = axis 0: axis 1 becomes a slider at the cursor's 3, the cursor stays on a[2, 3, 4]
    await page.selectOption('select[name=row-axis]', '0')
    await ready(page)
    await expect(page.locator('input[name=index-1]')).toHaveValue('3')
    await expect(where).toHaveText('element (2, 3, 4)')
    await expect(cell(page, 2, 4)).toHaveText(a(2, 3, 4))
    // a slider moved: the cursor keeps its row and column
    await page.fill('input[name=index-1]', '1')
    await ready(page)
    await expect(where).toHaveText('element (2, 1, 4)')
    // a transpose (columns = axis 0 swaps the pickers): the same element, now at row 4, column 2
    await page.selectOption('select[name=col-axis]', '0')
    await ready(page)
    await expect(where).toHaveText('element (2, 1, 4)')
    await expect(cell(page, 4, 2)).toHaveText(a(2, 1, 4))
    // a new slice renumbers the elements: the cursor starts at the view's top-left again (axis 1 still at 1)
    await page.fill('input[name=slice]', '1:')
    await page.press('input[name=slice]', 'Enter')
    await ready(page)
    await expect(where).toHaveText('view (0, 1, 0) · array (1, 1, 0)')
  } finally {
    await served.stop()
  }
})
