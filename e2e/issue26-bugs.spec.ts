// The bugs a new user hit with real files (issue #26), each as they met it: every test here failed before its fix.
// Layout items check element boxes (inside the window, not overlapping) at 1400×900 and 1024×768. (Bugs 1–7; 8–12 in issue26-bugs-late.spec.ts.)
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, serve, withApp } from './helpers/serve'
import { A, B, dir, expectLaidOut, H5, INDEX, inside, makeFiles, openEntry, Q0, SIZES } from './helpers/issue26-files'

test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
let ref: { tensors: number }
test.beforeAll(() => {
  ref = makeFiles()
})

test('1: Compare shows max |A − B| and max |A − B| / |B| as numbers', async ({ page }) => {
  await withApp(page, [A], async () => {
    await page.getByRole('button', { name: 'Compare…' }).click()
    await page.locator('input[name="compare-source"]').nth(1).check()
    await page.locator('input[name="compare-path"]').fill(B)
    await page.getByRole('dialog', { name: 'Compare' }).getByRole('button', { name: 'Compare' }).click()
    const panel = page.getByTestId('compare-panel')
    await expect(panel.getByTestId('compare-mismatched')).toContainText('2 / 4800')
    await expect(panel.getByTestId('compare-max-abs')).toHaveText('0.5')
    await expect(panel.getByTestId('compare-max-rel')).toHaveText('1.0')
    await expect(panel).not.toContainText('[object Object]')
  })
})

test('2: Enter on a container path in the open form shows its arrays, never its bytes as raw', async ({ page }) => {
  await withApp(page, [A], async () => {
    await page.getByRole('button', { name: '+ Open' }).click()
    await page.fill('input[name=path]', INDEX)
    await expect(page.getByTestId('container-notice')).toContainText('a sharded safetensors index')
    await expect(page.getByTestId('proposals')).toBeVisible() // the solver's guesses have arrived
    await page.press('input[name=path]', 'Enter')
    await expect(page.getByTestId('container-summary')).toHaveText(
      new RegExp(`sharded safetensors · ${ref.tensors} arrays`)
    )
    await expect(page.getByRole('tab')).toHaveCount(1)
    // back to the form from the pick-an-array hint: nothing was opened raw, so nothing is offered as the layout
    await page.getByTestId('pick-hint').getByRole('button', { name: 'Open another file…' }).click()
    await page.fill('input[name=path]', INDEX)
    await expect(page.getByTestId('container-notice')).toBeVisible()
    await expect(page.getByTestId('proposals')).toBeVisible()
    await expect(page.getByTestId('validation')).not.toContainText('last opened')
    await expect(page.getByTestId('validation')).not.toContainText('bytes after offset')
  })
})

test('3: the container sidebar, the table, Hex and Analysis side by side: nothing overlaps', async ({ page }) => {
  await withApp(page, [INDEX, '--array', Q0], async () => {
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('button', { name: 'Hex' }).click()
    for (const size of SIZES) {
      await page.setViewportSize(size)
      await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
      await expect(page.locator('.hex-line').first()).toBeVisible()
      const boxes = await expectLaidOut(page, ['.containers', '.table-view', '.hex', '.analysis'])
      // the table's own controls stay in the table, and it keeps room for some columns
      for (const s of ['input[name=slice]', '.table-tools', '.grid-scroller'])
        expect(inside(boxes['.table-view']!, (await page.locator(s).first().boundingBox())!), `${s} in the table`).toBe(
          true
        )
      expect(boxes['.table-view']!.width).toBeGreaterThanOrEqual(240)
      await expect(page.locator('.cell[data-row="0"][data-col="1"]')).toBeVisible()
      await page.screenshot({ path: `/tmp/issue26-3-${size.width}.png` })
    }
  })
})

test('4: a chunked dataset chosen with mode r+ opens read-only and says so', async ({ page }) => {
  const served = await serve([H5])
  try {
    await page.goto(served.url)
    const panel = page.getByTestId('container-panel')
    await panel.locator('select[name="container-mode"]').selectOption('r+')
    await panel.locator('input[name="container-filter"]').fill('chunked')
    await panel.locator('[data-testid="container-entry"][data-name="/raw/chunked"]').click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.getByTestId('status-bar')).toContainText('mode r')
    await expect(page.locator('.cell[data-row="1"][data-col="2"]')).toHaveText('22.0')
    await expect(panel.getByTestId('container-note')).toContainText('opened read-only')
    await expect(panel.getByRole('alert')).toHaveCount(0)
  } finally {
    await served.stop()
  }
})

test('5: + Open and the active tab stay in view beside the sidebar and the r+ edit tools; Ctrl+O opens the form', async ({
  page
}) => {
  await withApp(page, [INDEX, '--array', Q0, '--mode', 'r+'], async () => {
    await page.getByTestId('container-panel').locator('select[name="container-mode"]').selectOption('r+')
    await openEntry(page, 'model.layers.11.self_attn.k_proj.weight')
    await openEntry(page, 'model.layers.20.self_attn.q_proj.weight')
    await page.locator('.cell[data-row="1"][data-col="1"]').dblclick()
    await page.getByTestId('cell-editor').fill('7')
    await page.getByTestId('cell-editor').press('Enter')
    await expect(page.getByTestId('dirty')).toBeVisible()
    for (const size of SIZES) {
      await page.setViewportSize(size)
      const toolbar = await expectLaidOut(page, [
        '.brand',
        '[data-testid="tab-strip"]',
        'button:text-is("+ Open")',
        '.edit-tools',
        'button:text-is("Export…")',
        'button:text-is("Copy as code")'
      ])
      await page.screenshot({ path: `/tmp/issue26-5-${size.width}.png` })
      const strip = toolbar['[data-testid="tab-strip"]']!
      const active = (await page.locator('.tab[role=tab].active').boundingBox())!
      expect(
        inside(strip, active),
        `the active tab ${JSON.stringify(active)} is in view in the strip ${JSON.stringify(strip)}`
      ).toBe(true)
    }
    await page.locator('.cell[data-row="2"][data-col="2"]').click()
    await page.keyboard.press('Control+o')
    await expect(page.locator('.open-panel')).toBeVisible()
  })
})

test('6: tabs of one container lead with the array name', async ({ page }) => {
  await withApp(page, [INDEX, '--array', Q0], async () => {
    await openEntry(page, 'model.layers.1.self_attn.q_proj.weight')
    const titles = await page.locator('.tab-title').allTextContents()
    expect(titles).toHaveLength(2)
    expect(titles[0]!.startsWith(Q0)).toBe(true)
    expect(titles[1]!.startsWith('model.layers.1.self_attn.q_proj.weight')).toBe(true)
  })
})

test('7: the Compare dialog fits the window, takes a path at once, defaults to a tab of the same shape, and remembers', async ({
  page
}) => {
  const other = path.join(dir, 'other.npy')
  py(`np.save(${JSON.stringify(other)}, np.zeros((5, 5), '<f4')); print(1)`)
  await withApp(page, [A], async () => {
    for (const f of [other, B]) {
      await page.getByRole('button', { name: '+ Open' }).click()
      await page.fill('input[name=path]', f)
      await expect(page.getByTestId('validation')).toContainText('bytes after offset')
      await page.getByRole('button', { name: 'Open', exact: true }).click()
      await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    }
    await page.locator('.tab-title').first().click()
    for (const size of SIZES) {
      await page.setViewportSize(size)
      await page.getByRole('button', { name: 'Compare…' }).click()
      const dialog = page.getByRole('dialog', { name: 'Compare' })
      await expectLaidOut(page, ['.compare-dialog'])
      for (const s of ['input[name="compare-path"]', 'input[name="compare-rtol"]', 'button:text-is("Compare")'])
        expect(inside((await dialog.boundingBox())!, (await dialog.locator(s).boundingBox())!), s).toBe(true)
      await page.screenshot({ path: `/tmp/issue26-7-${size.width}.png` })
      // the open tab offered is the one of A's shape, not the first one
      await expect(dialog.locator('select[name="compare-tab"] option:checked')).toHaveText(/run\.npy/)
      await dialog.getByRole('button', { name: 'Cancel' }).click()
    }
    await page.getByRole('button', { name: 'Compare…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Compare' })
    // a path can be typed without choosing "a file" first
    await expect(dialog.locator('input[name="compare-path"]')).toBeEnabled()
    await dialog.locator('input[name="compare-path"]').fill(B)
    await expect(dialog.locator('input[name="compare-source"]').nth(1)).toBeChecked()
    await dialog.locator('input[name="compare-rtol"]').fill('1e-3')
    await dialog.getByRole('button', { name: 'Compare' }).click()
    await expect(page.getByTestId('compare-mismatched')).toContainText('2 / 4800')
    // the next run starts from the last one's B and tolerances
    await page.getByRole('button', { name: 'Compare…' }).click()
    await expect(dialog.locator('input[name="compare-path"]')).toHaveValue(B)
    await expect(dialog.locator('input[name="compare-source"]').nth(1)).toBeChecked()
    await expect(dialog.locator('input[name="compare-rtol"]')).toHaveValue('1e-3')
  })
})
