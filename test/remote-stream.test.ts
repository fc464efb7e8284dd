// Scans of remote objects beside their fetching (remote-stream.ts) against a real nginx on 127.0.0.1: line plots,
// images, finds and statistics give what the same file gives locally, whether the object's blocks go into the
// session's copy (it may hold them) or, for an object larger than ARRAYSCOPE_TEMP_MAX, through a private copy
// that never holds more than a bounded window of the object and is removed after.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { runCli } from './helpers/cli'
import { startFaultProxy } from './helpers/fault-proxy'
import { startNginx, type Nginx } from './helpers/nginx'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
let web: Nginx
const N = 12 << 20 // 48 MiB of float32
const f4 = { dtype: '<f4', shape: null, offset: 0, order: 'C' } as const
const NEEDLE = 9_876_543

beforeAll(async () => {
  py(`
import os
rng = np.random.default_rng(30)
a = (rng.standard_normal(${N}) * 2).astype('<f4')
a[::1_000_003] = np.nan
a[${NEEDLE}] = 1234.5
a.tofile(os.path.join(${JSON.stringify(tmp.dir)}, 'obj.f32'))
print(1)`)
  web = await startNginx(tmp.dir)
}, 60_000)

afterAll(async () => {
  await web?.stop()
  tmp.cleanup()
})

afterEach(() => {
  delete process.env.ARRAYSCOPE_TEMP_MAX
  delete process.env.ARRAYSCOPE_STREAM_AHEAD
})

const f64 = (b: Uint8Array): number[] => Array.from(new Float64Array(b.slice().buffer))

/** Line plot, image, find and statistics of one path, each as the service gives it. */
async function scansOf(s: ArrayService, file: string, during?: () => void) {
  const info = await s.handle('session:open', { path: file, layout: f4, mode: 'r' })
  const id = info.session
  const timer = during ? setInterval(during, 2) : undefined
  try {
    const line = await s.handle('scan:line', { session: id, scanId: 'l', start: 0, stop: N, buckets: 500 })
    // the image of the same bytes as 3072 × 4096
    const grid = await s.handle('session:open', { path: file, layout: { ...f4, shape: [3072, 4096] }, mode: 'r' })
    const image = await s.handle('scan:image', {
      session: grid.session,
      scanId: 'i',
      outRows: 48,
      outCols: 64,
      reduce: 'max'
    })
    const found = await s.handle('find:run', {
      session: id,
      scanId: 'f',
      kind: 'value',
      text: '1234.5 as <f4',
      start: 0,
      backwards: false
    })
    const stats = await s.statsOf(id, s.session(id).layout, { bins: 16, range: [-4, 4] }).promise
    return {
      id,
      line: { min: f64(line.min), max: f64(line.max) },
      image: f64(image.values),
      found: found.offset,
      stats: { ...stats, mean: stats.mean?.toFixed(9), std: stats.std?.toFixed(9) }
    }
  } finally {
    if (timer) clearInterval(timer)
  }
}

/** The private copies of this process in the temporary folder, and the bytes their disks hold. */
function privateCopies(kind = 'stream'): { count: number; allocated: number } {
  let allocated = 0
  const dirs = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`arrayscope-${kind}-${process.pid}-`))
  for (const d of dirs) {
    try {
      allocated += fs.statSync(path.join(os.tmpdir(), d, 'object.bin')).blocks * 512
    } catch {
      // removed meanwhile
    }
  }
  return { count: dirs.length, allocated }
}

describe('remote scans streamed beside the fetching', () => {
  it('into the session copy: the same line plot, image, find and statistics as the local file, the copy kept', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const local = await scansOf(s, path.join(tmp.dir, 'obj.f32'))
      const remote = await scansOf(s, `${web.url}/obj.f32`)
      expect(local.found).toBe(NEEDLE * 4)
      expect(remote.line).toEqual(local.line)
      expect(remote.image).toEqual(local.image)
      expect(remote.found).toBe(local.found)
      expect(remote.stats).toEqual(local.stats)
      // the blocks stay in the copy for windows and later passes
      expect(s.session(remote.id).source.remoteObject!.missingBytes(0, N * 4)).toBe(0)
      expect(privateCopies().count).toBe(0)
    } finally {
      s.closeAll()
    }
  })

  it('larger than the copy may hold: the same results through a private copy of bounded size, then removed', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const local = await scansOf(s, path.join(tmp.dir, 'obj.f32'))
      process.env.ARRAYSCOPE_TEMP_MAX = '16M'
      process.env.ARRAYSCOPE_STREAM_AHEAD = String(8 << 20)
      let most = 0
      let seen = 0
      const remote = await scansOf(s, `${web.url}/obj.f32?private`, () => {
        const c = privateCopies()
        if (c.count) seen++
        most = Math.max(most, c.allocated)
      })
      expect(remote.line).toEqual(local.line)
      expect(remote.image).toEqual(local.image)
      expect(remote.found).toBe(local.found)
      expect(remote.stats).toEqual(local.stats)
      // the private copies were there while the scans ran, never held much more than 8 MiB ahead of the pass
      // (plus the requests in flight and the part being read), and are gone
      expect(seen).toBeGreaterThan(0)
      expect(most).toBeLessThan(24 << 20)
      expect(privateCopies().count).toBe(0)
      // nothing went into the session's copy past its first block (read at open)
      const store = s.session(remote.id).source.remoteObject!
      expect(store.missingBytes(0, N * 4)).toBeGreaterThanOrEqual(N * 4 - (1 << 20))
      // a find from past the value on: none after it; wrapped, the one before it (a second pass from 0)
      const from = { session: remote.id, kind: 'value', text: '1234.5 as <f4', start: NEEDLE * 4 + 4 } as const
      const none = await s.handle('find:run', { ...from, scanId: 'f2', backwards: false })
      expect(none.offset).toBeNull()
      const wrapped = await s.handle('find:run', { ...from, scanId: 'f3', backwards: false, wrap: true })
      expect(wrapped).toMatchObject({ offset: NEEDLE * 4, wrapped: true })
      // backwards, it is not streamed: the copy's bound applies, and its error says how to allow more
      await expect(s.handle('find:run', { ...from, scanId: 'f4', backwards: true })).rejects.toThrow(
        /ARRAYSCOPE_TEMP_MAX/
      )
    } finally {
      s.closeAll()
    }
  })

  it('a private stream cancelled mid-way ends as cancelled, leaves no copy, and the next scan completes', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      process.env.ARRAYSCOPE_TEMP_MAX = '16M'
      process.env.ARRAYSCOPE_STREAM_AHEAD = String(4 << 20)
      const info = await s.handle('session:open', { path: `${web.url}/obj.f32?cancel`, layout: f4, mode: 'r' })
      const job = s.handle('scan:line', { session: info.session, scanId: 'c', start: 0, stop: N, buckets: 100 })
      const cancelled = expect(job).rejects.toMatchObject({ code: 'cancelled' })
      for (let k = 0; k < 500 && privateCopies().count === 0; k++) await new Promise((r) => setTimeout(r, 2))
      await s.handle('scan:cancel', { scanId: 'c' })
      await cancelled
      for (let k = 0; k < 200 && privateCopies().count > 0; k++) await new Promise((r) => setTimeout(r, 5))
      expect(privateCopies().count).toBe(0)
      const again = await s.handle('scan:line', { session: info.session, scanId: 'd', start: 0, stop: N, buckets: 4 })
      expect(again.buckets).toBe(4)
    } finally {
      s.closeAll()
    }
  })

  it('a histogram of its own range over an object larger than the copy may hold: two streamed passes', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info0 = await s.handle('session:open', { path: path.join(tmp.dir, 'obj.f32'), layout: f4, mode: 'r' })
      const local = await s.statsOf(info0.session, s.session(info0.session).layout, { bins: 8 }).promise
      process.env.ARRAYSCOPE_TEMP_MAX = '16M'
      const info = await s.handle('session:open', { path: `${web.url}/obj.f32?two`, layout: f4, mode: 'r' })
      const remote = await s.statsOf(info.session, s.session(info.session).layout, { bins: 8 }).promise
      expect(remote.histogram).toEqual(local.histogram)
      expect(remote.count).toBe(local.count)
      // of integers (not streamed past the copy): two passes, each through a private copy of its own
      const i4 = { ...f4, dtype: '<i4' } as const
      const li = await s.handle('session:open', { path: path.join(tmp.dir, 'obj.f32'), layout: i4, mode: 'r' })
      const ri = await s.handle('session:open', { path: `${web.url}/obj.f32?ints`, layout: i4, mode: 'r' })
      const want = await s.statsOf(li.session, s.session(li.session).layout, { bins: 8 }).promise
      const got = await s.statsOf(ri.session, s.session(ri.session).layout, { bins: 8 }).promise
      expect(got).toEqual(want)
      expect(s.session(ri.session).source.remoteObject!.missingBytes(0, N * 4)).toBeGreaterThan(N * 4 - (2 << 20))
      expect(privateCopies().count).toBe(0)
    } finally {
      s.closeAll()
    }
  })
})

describe('remote exports streamed from the network', () => {
  it('raw and .npy of a whole object larger than its copy may hold, and of a slice, are the bytes numpy writes', async () => {
    const done: number[] = []
    const s = new ArrayService({
      watchIntervalMs: 0,
      emit: (e, p) => {
        const q = p as { scanId?: string; done: number; total: number }
        if (e === 'export:progress' && q.scanId === 'x1') done.push(q.done / q.total)
      }
    })
    try {
      process.env.ARRAYSCOPE_TEMP_MAX = '16M'
      const info = await s.handle('session:open', { path: `${web.url}/obj.f32?export`, layout: f4, mode: 'r' })
      const raw = path.join(tmp.dir, 'out.f32')
      const npy = path.join(tmp.dir, 'out.npy')
      const part = path.join(tmp.dir, 'part.npy')
      await s.handle('export:run', { session: info.session, scanId: 'x1', out: raw, as: 'raw' })
      await s.handle('export:run', { session: info.session, scanId: 'x2', out: npy, as: 'npy' })
      await s.handle('export:run', { session: info.session, scanId: 'x3', out: part, as: 'npy', slice: '1000:2000003' })
      expect(fs.readFileSync(raw).equals(fs.readFileSync(path.join(tmp.dir, 'obj.f32')))).toBe(true)
      const same = py<boolean[]>(`
a = np.fromfile(${JSON.stringify(path.join(tmp.dir, 'obj.f32'))}, '<f4')
b = np.load(${JSON.stringify(npy)}); c = np.load(${JSON.stringify(part)})
print(json.dumps([bool(np.array_equal(a, b, equal_nan=True)), bool(np.array_equal(a[1000:2000003], c, equal_nan=True))]))`)
      expect(same).toEqual([true, true])
      expect(done.at(-1)).toBe(1)
      // nothing went through the session's copy
      expect(s.session(info.session).source.remoteObject!.missingBytes(0, N * 4)).toBeGreaterThanOrEqual(
        N * 4 - (1 << 20)
      )
    } finally {
      s.closeAll()
    }
  })

  it('strided, cast and text exports of an object larger than its copy may hold read a bounded private copy', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      process.env.ARRAYSCOPE_TEMP_MAX = '16M'
      process.env.ARRAYSCOPE_STREAM_AHEAD = String(4 << 20)
      const grid = { ...f4, shape: [3072, 4096] }
      const info = await s.handle('session:open', { path: `${web.url}/obj.f32?strided`, layout: grid, mode: 'r' })
      const outs = ['every.npy', 'cast.npy', 'slice.csv'].map((n) => path.join(tmp.dir, n))
      let most = 0
      const watch = setInterval(() => (most = Math.max(most, privateCopies('export').allocated)), 2)
      try {
        await s.handle('export:run', {
          session: info.session,
          scanId: 'e1',
          out: outs[0]!,
          as: 'npy',
          slice: '::3, 1::2'
        })
        await s.handle('export:run', { session: info.session, scanId: 'e2', out: outs[1]!, as: 'npy', toDtype: '<f8' })
        await s.handle('export:run', {
          session: info.session,
          scanId: 'e3',
          out: outs[2]!,
          as: 'csv',
          slice: '100:400, 7:9'
        })
      } finally {
        clearInterval(watch)
      }
      const same = py<boolean[]>(`
a = np.fromfile(${JSON.stringify(path.join(tmp.dir, 'obj.f32'))}, '<f4').reshape(3072, 4096)
c = np.loadtxt(${JSON.stringify(outs[2])}, delimiter=',', ndmin=2)
print(json.dumps([bool(np.array_equal(np.load(${JSON.stringify(outs[0])}), a[::3, 1::2], equal_nan=True)),
                  bool(np.array_equal(np.load(${JSON.stringify(outs[1])}), a.astype('<f8'), equal_nan=True)),
                  bool(np.array_equal(c, a[100:400, 7:9].astype(np.float64), equal_nan=True))]))`)
      expect(same).toEqual([true, true, true])
      // the private copies held a few MiB at a time, never the object, and are gone; the session's copy holds
      // only the CSV's rows (a small view: read through it, as windows are)
      expect(most).toBeGreaterThan(0)
      expect(most).toBeLessThan(16 << 20)
      expect(privateCopies('export').count).toBe(0)
      expect(s.session(info.session).source.remoteObject!.missingBytes(0, N * 4)).toBeGreaterThan(N * 4 - (8 << 20))
    } finally {
      s.closeAll()
    }
  })

  it('its first range answered late (dropped mid-body, read again): the lanes that waited for the writer end cleanly', async () => {
    // ten ranges of 8 MiB: while the first is retried the others fill the 8 places held, and wait
    const big = path.join(tmp.dir, 'ten.f32')
    py(`np.arange(${20 << 20}, dtype='<f4').tofile(${JSON.stringify(big)}); print(1)`)
    const proxy = await startFaultProxy(web.url)
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: `${proxy.url}/dropnth-2/ten.f32`, layout: f4, mode: 'r' })
      const out = path.join(tmp.dir, 'ten-out.f32')
      await s.handle('export:run', { session: info.session, scanId: 'late', out, as: 'raw' })
      expect(fs.readFileSync(out).equals(fs.readFileSync(big))).toBe(true)
    } finally {
      s.closeAll()
      await proxy.stop()
    }
  }, 60_000)

  it('cancelled while ranges arrive: nothing written, no temporary file beside the target', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: `${web.url}/obj.f32?xc`, layout: f4, mode: 'r' })
      const dir = path.join(tmp.dir, 'cancel')
      fs.mkdirSync(dir)
      const out = path.join(dir, 'x.f32')
      const job = s.handle('export:run', { session: info.session, scanId: 'xc', out, as: 'raw' })
      const failed = expect(job).rejects.toMatchObject({ code: 'cancelled' })
      await new Promise((r) => setTimeout(r, 15))
      await s.handle('export:cancel', { scanId: 'xc' })
      await failed
      expect(fs.readdirSync(dir)).toEqual([])
    } finally {
      s.closeAll()
    }
  })
})

describe('the CLI on a remote object larger than its copy may hold', () => {
  it('find, export and diff stream', async () => {
    process.env.ARRAYSCOPE_TEMP_MAX = '16M'
    const url = `${web.url}/obj.f32?cli`
    const found = await runCli(['find', url, '--dtype', '<f4', '--value', '1234.5 as <f4', '--max', '2'])
    expect(found.stderr).toBe('')
    expect(found.stdout).toBe(`${NEEDLE * 4}\t0x${(NEEDLE * 4).toString(16)}\n`)
    const out = path.join(tmp.dir, 'cli.npy')
    const exported = await runCli(['export', url, '--dtype', '<f4', '--as', 'npy', '--out', out])
    expect(exported.code).toBe(0)
    const ok = py<boolean>(`
a = np.fromfile(${JSON.stringify(path.join(tmp.dir, 'obj.f32'))}, '<f4')
print(json.dumps(bool(np.array_equal(a, np.load(${JSON.stringify(out)}), equal_nan=True))))`)
    expect(ok).toBe(true)
    // a diff against a local file: the remote side streams through a private copy, numpy's figures
    const changed = path.join(tmp.dir, 'changed.f32')
    const want = py<number>(`
a = np.fromfile(${JSON.stringify(path.join(tmp.dir, 'obj.f32'))}, '<f4')
b = a.copy(); b[5::1_234_567] += 1
b.tofile(${JSON.stringify(changed)})
print(int((~np.isclose(b, a, rtol=1e-7, atol=0, equal_nan=True)).sum()))`)
    const diff = await runCli(['diff', url, changed, '--dtype', '<f4', '--json'])
    expect(diff.stderr).toBe('')
    expect(diff.code).toBe(1)
    const report = JSON.parse(diff.stdout) as { mismatched: number; mismatches: { index: number[]; b: unknown }[] }
    expect(report.mismatched).toBe(want)
    expect(report.mismatches[0]!.index).toEqual([5])
    // the same in the compare panel, the remote side as B
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const b = await s.handle('session:open', { path: `${url}&panel`, layout: f4, mode: 'r' })
      const a = await s.handle('session:open', { path: changed, layout: f4, mode: 'r' })
      const r = await s.handle('diff:run', {
        a: a.session,
        b: b.session,
        scanId: 'rd',
        rtol: 1e-7,
        atol: 0,
        equalNan: true
      })
      expect(r.mismatched).toBe(want)
      expect(privateCopies().count).toBe(0)
    } finally {
      s.closeAll()
    }
  })
})
