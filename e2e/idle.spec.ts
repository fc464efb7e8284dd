// An app left open does nothing: no render loop, no restyling, no script running while nobody touches it — in
// the table (2-D, and a 1-D array wrapped into rows), the hex view, and the heatmap and line plot. (A render loop
// between the table's cursor effect and the app once kept a core busy, which also halved every native pass.)
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { py, tempDir, withApp } from './helpers/serve'

const dir = tempDir()
const GRID = path.join(dir, 'grid.npy')
const LINE = path.join(dir, 'line.npy')

test.beforeAll(() => {
  py(`np.save(${JSON.stringify(GRID)}, np.arange(300 * 200, dtype='<f4').reshape(300, 200))
np.save(${JSON.stringify(LINE)}, np.sin(np.arange(5000) / 50.0))
print(1)`)
})
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** Style recalculations and script time over a second of nobody touching the page. */
async function idleWork(page: Page): Promise<{ restyles: number; scriptMs: number }> {
  await page.waitForTimeout(500) // what the last action started settles
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  const metric = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]))
  const m0 = await metric()
  await page.waitForTimeout(1000)
  const m1 = await metric()
  await cdp.detach()
  return {
    restyles: m1.RecalcStyleCount! - m0.RecalcStyleCount!,
    scriptMs: (m1.ScriptDuration! - m0.ScriptDuration!) * 1000
  }
}

async function expectIdle(page: Page, where: string): Promise<void> {
  const w = await idleWork(page)
  // a loop renders every frame: 60 restyles and most of the second in script
  expect(w.restyles, `${where}: style recalculations in an idle second`).toBeLessThanOrEqual(2)
  expect(w.scriptMs, `${where}: script time in an idle second`).toBeLessThan(100)
}

test('the table, the hex view and the plots are quiet when nobody touches them', async ({ page }) => {
  await withApp(page, [GRID], async () => {
    await expectIdle(page, 'a 2-D table')
    await page.getByRole('button', { name: 'Hex' }).click()
    await expectIdle(page, 'the hex view')
    await page.getByRole('button', { name: 'Hex' }).click()
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('tab', { name: 'Heatmap' }).click()
    await expect(page.getByTestId('image')).toHaveAttribute('data-ready', 'true')
    await expectIdle(page, 'the heatmap')
    await page.getByRole('tab', { name: 'Profile' }).click()
    await expectIdle(page, 'the profile')
  })
  await withApp(page, [LINE], async () => {
    await expectIdle(page, 'a 1-D array wrapped into rows')
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('tab', { name: 'Line', exact: true }).click()
    await expect(page.getByTestId('line-plot').locator('.main-svg').first()).toBeVisible()
    await expectIdle(page, 'the line plot')
  })
})
