// How changes are noticed (issue 32): file-system notifications on the file and its folder ask for a check at
// once, at most `rate` checks a second however many writes come; a file replaced by a rename is watched again;
// the poll alone still sees a change; and the service shows a followed file's write without waiting for a poll —
// also for a file in /dev/shm (tmpfs), where the seed's shared-memory producer keeps its array, whose writes
// through a shared mapping change neither size nor time: the windows the views were sent are read again.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ChangeWatch } from '../src/main/service/change-watch'
import { ArrayService } from '../src/main/service/array-service'
import type { EditState } from '../src/shared/contract'
import { tempDir } from './helpers/numpy'
import { pythonPath } from './helpers/python'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const f32 = (values: number[]): Buffer => Buffer.from(new Float32Array(values).buffer)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function until(what: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out')
    await sleep(5)
  }
}

describe('ChangeWatch', () => {
  it('checks at once on a write, without polling', async () => {
    const file = path.join(tmp.dir, 'w.bin')
    fs.writeFileSync(file, f32([1, 2]))
    let checks = 0
    const w = new ChangeWatch({ check: () => checks++, rate: 50, pollMs: 0 })
    w.watch([file])
    await sleep(50)
    expect(checks).toBe(0)
    const t0 = Date.now()
    fs.appendFileSync(file, f32([3]))
    await until(() => checks > 0)
    expect(Date.now() - t0).toBeLessThan(500)
    expect(w.notifications).toBeGreaterThan(0)
    w.close()
  })

  it('folds a burst of writes into at most `rate` checks a second', async () => {
    const file = path.join(tmp.dir, 'burst.bin')
    fs.writeFileSync(file, '')
    let checks = 0
    const w = new ChangeWatch({ check: () => checks++, rate: 5, pollMs: 0 })
    w.watch([file])
    const fd = fs.openSync(file, 'a')
    const t0 = Date.now()
    while (Date.now() - t0 < 1000) {
      fs.writeSync(fd, f32([1]))
      await sleep(1)
    }
    fs.closeSync(fd)
    await sleep(300)
    const seconds = (Date.now() - t0) / 1000
    expect(w.notifications).toBeGreaterThan(50)
    expect(checks).toBeGreaterThan(0)
    expect(checks).toBeLessThanOrEqual(Math.ceil(seconds * 5) + 1)
    w.close()
  })

  it('sees a file replaced by a rename, and the new file’s writes after it', async () => {
    const file = path.join(tmp.dir, 'swap.bin')
    fs.writeFileSync(file, f32([1]))
    let checks = 0
    const w = new ChangeWatch({ check: () => (checks++, w.watch([file])), rate: 100, pollMs: 0 })
    w.watch([file])
    const next = path.join(tmp.dir, 'swap.bin.tmp')
    fs.writeFileSync(next, f32([2, 3]))
    fs.renameSync(next, file)
    await until(() => checks > 0)
    await sleep(50)
    const before = checks
    fs.appendFileSync(file, f32([4]))
    await until(() => checks > before)
    w.close()
  })

  it('polls where it has no notifications', async () => {
    const file = path.join(tmp.dir, 'poll.bin')
    fs.writeFileSync(file, f32([1]))
    let checks = 0
    const w = new ChangeWatch({ check: () => checks++, rate: 100, pollMs: 40, notifications: false })
    w.watch([file])
    await until(() => checks >= 3)
    expect(w.notifications).toBe(0)
    w.close()
  })
})

/** A service polling only once a minute: a change it shows within a second came by notification. */
async function followedWrite(dir: string): Promise<void> {
  const file = path.join(dir, `producer-${process.pid}.f4`)
  fs.writeFileSync(file, f32([0, 1, 2, 3]))
  const events: [string, unknown][] = []
  const s = new ArrayService({ watchIntervalMs: 60_000, emit: (name, payload) => events.push([name, payload]) })
  try {
    const layout = { dtype: '<f4', shape: [-1, 2], offset: 0, order: 'C' as const }
    const info = await s.handle('session:open', { path: file, layout, mode: 'r', follow: true })
    await sleep(50)
    const fd = fs.openSync(file, 'r+')
    fs.writeSync(fd, f32([7]), 0, 4, 4)
    fs.closeSync(fd)
    const t0 = Date.now()
    await until(() => events.some(([n]) => n === 'session:edited'), 1000)
    expect(Date.now() - t0).toBeLessThan(1000)
    fs.appendFileSync(file, f32([4, 5]))
    await until(() => events.some(([n, e]) => n === 'session:edited' && (e as EditState).info !== undefined), 1000)
    const w = await s.handle('window:get', {
      session: info.session,
      generation: 0,
      view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
      row0: 0,
      rows: 3,
      col0: 0,
      cols: 2
    })
    expect([...new Float32Array(w.bytes.slice().buffer)]).toEqual([0, 7, 2, 3, 4, 5])
  } finally {
    s.closeAll()
    fs.rmSync(file, { force: true })
  }
}

describe('the service follows by notification', () => {
  it('shows a write to a followed file without waiting for the poll', async () => {
    await followedWrite(tmp.dir)
  })

  it('follows a file in /dev/shm (tmpfs) like any file', async () => {
    expect(fs.statSync('/dev/shm').isDirectory()).toBe(true)
    await followedWrite('/dev/shm')
  })
})

describe('a write through a shared mapping', () => {
  it('is seen in what the views were sent, though tmpfs changes neither size nor time (/dev/shm)', async () => {
    const file = path.join('/dev/shm', `arrayscope-mapped-${process.pid}.f4`)
    fs.writeFileSync(file, f32([0, 0, 0, 0]))
    const events: [string, unknown][] = []
    const s = new ArrayService({ watchIntervalMs: 50, emit: (name, payload) => events.push([name, payload]) })
    // the seed's producer: a numpy memmap written and flushed, twice to the same page
    const producer = spawn(
      pythonPath(),
      [
        '-c',
        `import sys, numpy as np
m = np.memmap(${JSON.stringify(file)}, dtype='<f4', mode='r+')
m[0] = 1; m.flush(); print('first', flush=True)
sys.stdin.readline()
m[1] = 7; m.flush(); print('second', flush=True)
sys.stdin.readline()`
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] }
    )
    let said = ''
    producer.stdout.on('data', (d: Buffer) => (said += d.toString()))
    const edits = (): number => events.filter(([n]) => n === 'session:edited').length
    try {
      const layout = { dtype: '<f4', shape: [-1, 2], offset: 0, order: 'C' as const }
      const info = await s.handle('session:open', { path: file, layout, mode: 'r', follow: true })
      const view = async (): Promise<number[]> => {
        const w = await s.handle('window:get', {
          session: info.session,
          generation: 0,
          view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
          row0: 0,
          rows: 2,
          col0: 0,
          cols: 2
        })
        return [...new Float32Array(w.bytes.slice().buffer)]
      }
      expect(await view()).toEqual([0, 0, 0, 0])
      await until(() => said.includes('first'))
      await until(() => edits() > 0) // the page's first write fault set the time
      expect(await view()).toEqual([1, 0, 0, 0])
      await sleep(200)
      const before = { n: edits(), mtime: fs.statSync(file).mtimeMs }
      producer.stdin.write('go\n')
      await until(() => said.includes('second'))
      // nothing a stat or a notification could tell
      expect(fs.statSync(file).mtimeMs).toBe(before.mtime)
      await until(() => edits() > before.n, 2000)
      expect(await view()).toEqual([1, 7, 0, 0])
    } finally {
      producer.stdin.end()
      s.closeAll()
      fs.rmSync(file, { force: true })
    }
  })
})

describe('an idle followed file', () => {
  it('costs under 2 % of a core: polls, notifications and the content check of 24 windows shown', async () => {
    const file = path.join(tmp.dir, 'idle.f4')
    fs.writeFileSync(file, Buffer.alloc(4096 * 1000 * 4))
    const s = new ArrayService({})
    try {
      const layout = { dtype: '<f4', shape: [-1, 4096], offset: 0, order: 'C' as const }
      const info = await s.handle('session:open', { path: file, layout, mode: 'r', follow: true })
      for (let k = 0; k < 24; k++) {
        await s.handle('window:get', {
          session: info.session,
          generation: 0,
          view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
          row0: 64 * (k % 12),
          rows: 64,
          col0: 16 * Math.floor(k / 12),
          cols: 16
        })
      }
      const c0 = process.cpuUsage()
      const t0 = performance.now()
      await sleep(2000)
      const c = process.cpuUsage(c0)
      const percent = ((c.user + c.system) / 1000 / (performance.now() - t0)) * 100
      expect(percent).toBeLessThan(2)
    } finally {
      s.closeAll()
    }
  })
})
