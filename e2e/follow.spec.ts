// Follow mode in the app (issue 32): a file opened read-only shows what another program writes — a value
// rewritten in place appears in its cell, rows appended to an inferred axis appear — and with the view bar's
// switch off, a write is reported as a change instead.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { tempDir, withApp } from './helpers/serve'

const f32 = (values: number[]): Buffer => Buffer.from(new Float32Array(values).buffer)
const cell = (page: Page, r: number, c: number) => page.locator(`.cell[data-row="${r}"][data-col="${c}"]`)

test('a followed file: rewritten values and appended rows appear; switched off, a write is reported', async ({
  page
}) => {
  const file = path.join(tempDir(), 'producer.f4')
  fs.writeFileSync(file, f32([0, 1, 2, 3, 4, 5, 6, 7]))
  await withApp(page, [file, '--dtype', '<f4', '--shape', '-1,4'], async () => {
    await expect(page.locator('input[name=follow]')).toBeChecked()
    await expect(cell(page, 1, 3)).toHaveText('7.0')
    // another program rewrites a value in place
    const fd = fs.openSync(file, 'r+')
    fs.writeSync(fd, f32([42]), 0, 4, 4)
    fs.closeSync(fd)
    await expect(cell(page, 0, 1)).toHaveText('42.0')
    // and appends two rows: the inferred axis grows
    fs.appendFileSync(file, f32([8, 9, 10, 11, 12, 13, 14, 15]))
    await expect(cell(page, 3, 3)).toHaveText('15.0')
    await expect(page.getByTestId('status-bar')).toContainText('shape (4, 4)')
    // follow switched off: the next write is reported, not shown
    await page.locator('input[name=follow]').uncheck()
    fs.appendFileSync(file, f32([16, 17, 18, 19]))
    await expect(page.getByText(/The file changed on disk/)).toBeVisible()
    await expect(cell(page, 4, 0)).toHaveCount(0)
  })
})
