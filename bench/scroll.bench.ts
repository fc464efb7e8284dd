// Scrolling a billion-row table in Chromium (serve mode): frame times while the page scrolls through the
// whole range and while it scrolls with the mouse wheel. Target (docs/architecture.md#performance-targets):
// p95 ≤ 17 ms.
import fs from 'node:fs'
import path from 'node:path'
import { chromium } from '@playwright/test'
import { ArrayService } from '../src/main/service/array-service'
import { startServer } from '../src/main/serve/server'
import { benchDir, ms, summary } from './helpers'

const ROWS = 1_000_000_000
const COLS = 4

async function main(): Promise<void> {
  const file = path.join(benchDir(), 'billion-rows-4-cols.f4')
  if (!fs.existsSync(file) || fs.statSync(file).size !== ROWS * COLS * 4) {
    const fd = fs.openSync(file, 'w')
    fs.ftruncateSync(fd, ROWS * COLS * 4)
    fs.closeSync(fd)
  }
  const service = new ArrayService({
    watchIntervalMs: 0,
    appInfo: {
      transport: 'serve',
      initial: { path: file, layout: { dtype: '<f4', shape: [ROWS, COLS], offset: 0, order: 'C' }, mode: 'r' }
    }
  })
  const server = await startServer({ service, rendererDir: path.join(__dirname, '..', '..', 'out', 'renderer') })
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update']
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.goto(server.url)
    await page.waitForSelector('[data-testid=grid][data-ready=true]')
    // The page-side loop, as text: this file is typechecked without DOM types.
    const loop = `async (m) => {
      const grid = document.querySelector('[data-testid=grid]')
      const frames = []
      grid.scrollTop = 0
      await new Promise((r) => requestAnimationFrame(r))
      await new Promise((r) => setTimeout(r, 200))
      let last = performance.now()
      for (let k = 0; k < 600; k++) {
        if (m === 'sweep') grid.scrollTop = ((k + 1) / 600) * (grid.scrollHeight - grid.clientHeight)
        else if (m === 'wheel') grid.scrollTop += 120
        await new Promise((r) => requestAnimationFrame(r))
        const now = performance.now()
        frames.push(now - last)
        last = now
      }
      return frames
    }`
    const run = (mode: 'sweep' | 'wheel' | 'idle'): Promise<number[]> =>
      page.evaluate(`(${loop})('${mode}')`) as Promise<number[]>
    await run('wheel') // warm-up
    for (const mode of ['idle', 'sweep', 'wheel'] as const) {
      const frames = await run(mode)
      const sorted = [...frames].sort((a, b) => a - b)
      const p95 = sorted[Math.floor(sorted.length * 0.95)]!
      const dropped = frames.filter((f) => f > 25).length
      const rows = await page.getAttribute('[data-testid=grid]', 'data-top')
      console.log(
        `${{ idle: 'idle page (the measurement floor), 600 frames', sweep: 'sweep top→bottom of 10^9 rows in 600 frames', wheel: 'wheel, 120 px per frame, 600 frames' }[mode]}: ` +
          `frame p50 ${ms(summary(frames).p50)}  p95 ${ms(p95)}  max ${ms(sorted[sorted.length - 1]!)}  ` +
          `frames > 25 ms: ${dropped}  (target p95 ≤ 17 ms at 60 Hz; ended at row ${rows})`
      )
    }
  } finally {
    await browser.close()
    await server.close()
    service.closeAll()
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
