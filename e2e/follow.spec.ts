// Follow mode in the app (issue 32): a file opened read-only shows what another program writes — a value
// rewritten in place appears in its cell, rows appended to an inferred axis appear — and with the view bar's
// switch off, a write is reported as a change instead.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { tempDir, withApp } from './helpers/serve'
import { pythonPath } from '../test/helpers/python'

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

test('a value another program rewrites flashes in the table and the hex view; its neighbours do not', async ({
  page
}) => {
  const file = path.join(tempDir(), 'flash.f4')
  fs.writeFileSync(file, f32(Array.from({ length: 16 }, (_, k) => k)))
  const rewrite = (offset: number, value: number): void => {
    const fd = fs.openSync(file, 'r+')
    fs.writeSync(fd, f32([value]), 0, 4, offset)
    fs.closeSync(fd)
  }
  await withApp(page, [file, '--dtype', '<f4', '--shape', '-1,4'], async () => {
    await expect(cell(page, 3, 3)).toHaveText('15.0')
    await expect(page.locator('.cell.flash')).toHaveCount(0)
    rewrite(6 * 4, 99) // element (1, 2)
    await expect(cell(page, 1, 2)).toHaveClass(/\bflash\b/)
    // at that moment, it is the only one
    const flashing = await page.$$eval('.cell.flash', (els) => els.map((e) => `${e.dataset.row},${e.dataset.col}`))
    expect(flashing).toEqual(['1,2'])
    await expect(cell(page, 1, 2)).toHaveText('99.0')
    // and the flash ends
    await expect(cell(page, 1, 2)).not.toHaveClass(/\bflash\b/, { timeout: 3000 })
    // the hex view: of element (2, 0)'s bytes (8.0 = 00 00 00 41 becoming -1.0 = 00 00 80 bf), the two that
    // differ flash, and no other byte
    await page.getByRole('button', { name: 'Hex' }).click()
    await expect(page.getByTestId('hex-scroller')).toHaveAttribute('data-ready', 'true')
    rewrite(8 * 4, -1)
    await expect(page.locator('.hex-byte[data-offset="35"]')).toHaveClass(/\bflash\b/)
    const bytes = await page.$$eval('.hex-byte.flash', (els) => els.map((e) => Number(e.dataset.offset)))
    expect(bytes.sort((a, b) => a - b)).toEqual([34, 35])
    await expect(page.locator('.hex-byte[data-offset="35"]')).toHaveText('bf')
  })
})

test('a file in /dev/shm written through a numpy memmap (no size or time change) shows each write', async ({
  page
}) => {
  const file = path.join('/dev/shm', `arrayscope-e2e-${process.pid}.f4`)
  fs.writeFileSync(file, f32([0, 0, 0, 0, 0, 0, 0, 0]))
  const producer = spawn(
    pythonPath(),
    [
      '-c',
      `import sys, numpy as np
m = np.memmap(${JSON.stringify(file)}, dtype='<f4', mode='r+')
for k in range(1, 4):
    sys.stdin.readline()
    m[k] = 10 * k; m.flush(); print(k, flush=True)
sys.stdin.readline()`
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] }
  )
  let said = ''
  producer.stdout.on('data', (d: Buffer) => (said += d.toString()))
  try {
    await withApp(page, [file, '--dtype', '<f4', '--shape', '-1,4'], async () => {
      await expect(cell(page, 1, 3)).toHaveText('0.0')
      for (const k of [1, 2, 3]) {
        producer.stdin.write('go\n')
        await expect.poll(() => said.includes(String(k))).toBe(true)
        await expect(cell(page, 0, k)).toHaveText(`${10 * k}.0`)
      }
    })
  } finally {
    producer.stdin.end()
    fs.rmSync(file, { force: true })
  }
})

test('serve FILE --no-follow opens it unfollowed: the switch is off and a write is reported, not shown', async ({
  page
}) => {
  const file = path.join(tempDir(), 'unfollowed.f4')
  fs.writeFileSync(file, f32([0, 1, 2, 3, 4, 5, 6, 7]))
  await withApp(page, [file, '--dtype', '<f4', '--shape', '-1,4', '--no-follow'], async () => {
    await expect(cell(page, 1, 3)).toHaveText('7.0')
    await expect(page.locator('input[name=follow]')).not.toBeChecked()
    fs.appendFileSync(file, f32([8, 9, 10, 11]))
    await expect(page.getByText(/The file changed on disk/)).toBeVisible()
    await expect(cell(page, 2, 0)).toHaveCount(0)
  })
})
