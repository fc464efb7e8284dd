// Statistics of a file another program is writing (issue 32): a result says which version of the file it
// describes; after a write it says the file changed since and offers Recompute; auto-recompute runs by itself,
// at most once every period the user picked.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { tempDir, withApp } from './helpers/serve'

const f32 = (values: number[]): Buffer => Buffer.from(new Float32Array(values).buffer)

test('statistics say which version they describe, offer Recompute after a write, and recompute by themselves', async ({
  page
}) => {
  const file = path.join(tempDir(), 'stats.f4')
  fs.writeFileSync(file, f32([1, 2, 3, 4, 5, 6, 7, 8]))
  await withApp(page, [file, '--dtype', '<f4', '--shape', '-1,4'], async () => {
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('button', { name: 'Compute statistics' }).click()
    await expect(page.getByTestId('stats-count')).toHaveText('8')
    await expect(page.getByTestId('stats-version')).toContainText('size 32 bytes, modified')
    // the time to the millisecond (a producer writes many versions a second), and the day
    await expect(page.getByTestId('stats-version')).toHaveText(/modified \d{2}:\d{2}:\d{2}\.\d{3} on \S+/)
    await expect(page.getByTestId('stats-stale')).toHaveCount(0)
    // a producer appends a row: the result is stale, and says so with the file's new version
    fs.appendFileSync(file, f32([100, 100, 100, 100]))
    await expect(page.getByTestId('stats-stale')).toContainText('The file has changed since (now size 48 bytes')
    await expect(page.getByTestId('stats-count')).toHaveText('8')
    // (the last run starts after clicked: auto-recompute cannot come before clicked + 5 s)
    const clicked = Date.now()
    await page.getByTestId('stats-stale').getByRole('button', { name: 'Recompute' }).click()
    await expect(page.getByTestId('stats-count')).toHaveText('12')
    await expect(page.getByTestId('stats-max')).toHaveText('100.0')
    await expect(page.getByTestId('stats-version')).toContainText('size 48 bytes')
    await expect(page.getByTestId('stats-stale')).toHaveCount(0)
    // auto-recompute at most every 5 s: a write right after the last run waits for the period to end
    await page.selectOption('select[name=stats-auto]', '5')
    fs.appendFileSync(file, f32([200, 200, 200, 200]))
    await expect(page.getByTestId('stats-stale')).toContainText('size 64 bytes')
    // still the old result 3 s after the last run started (when the machine was quick enough to look by then)
    if (Date.now() < clicked + 3000) {
      await page.waitForTimeout(clicked + 3000 - Date.now())
      await expect(page.getByTestId('stats-count')).toHaveText('12', { timeout: 500 })
    }
    await expect(page.getByTestId('stats-count')).toHaveText('16', { timeout: 10_000 })
    expect(Date.now() - clicked).toBeGreaterThanOrEqual(5000)
    await expect(page.getByTestId('stats-max')).toHaveText('200.0')
    await expect(page.getByTestId('stats-stale')).toHaveCount(0)
  })
})
