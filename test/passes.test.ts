// Whole-file passes on files that are not in memory: the same results cold as warm and with a readahead
// window smaller than a chunk; the mapping's browsing advice untouched; pages dropped behind a pass only where
// they were not in memory before; a file that shrinks before or during a pass ends the pass with "file changed
// on disk", never with a result computed from the zeros past the new end.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { resolveLayout, type Layout } from '../src/shared/layout'
import { applySlice, parseSlice, type ArrayView } from '../src/shared/slice'
import { exportView } from '../src/main/service/export'
import { runFind } from '../src/main/service/find'
import { native, type Mapping } from '../src/main/service/native'
import { runBlocks, runBuckets, runStats } from '../src/main/service/scan'
import { py, tempDir } from './helpers/numpy'
import { evict } from './helpers/page-cache'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

/** A sparse file of size bytes (all hole) in the test folder. */
function sparseFile(name: string, size: number): string {
  const file = path.join(tmp.dir, name)
  fs.closeSync(fs.openSync(file, 'w'))
  fs.truncateSync(file, size)
  return file
}
afterEach(() => {
  delete process.env.ARRAYSCOPE_READAHEAD_MB
  delete process.env.ARRAYSCOPE_DROP_BEHIND
})

const R = 3001
const C = 4003
const FILE = path.join(tmp.dir, 'cold.f4')
// 48 MB of float32 behind a 16-byte header, NaN and ±Inf planted, and a byte pattern to find near the end
py(`
rng = np.random.default_rng(7)
a = rng.standard_normal((${R}, ${C})).astype('<f4')
a[5, 9] = np.nan; a[2000, 4000] = np.inf; a[3000, 1] = -np.inf
with open(${JSON.stringify(FILE)}, 'wb') as f:
    f.write(b'H' * 16); a.tofile(f)
with open(${JSON.stringify(FILE)}, 'r+b') as f:
    f.seek(16 + 4 * (${R} * ${C} - 100)); f.write(b'NEEDLE')
print(1)`)

function layout(order: 'C' | 'F'): Layout {
  return resolveLayout({ dtype: '<f4', shape: [R, C], offset: 16, order }, fs.statSync(FILE).size)
}

/** Every pass over the views that matter for file order: all of it (C and F), a column, a reversed stride. */
async function everyPass(m: Mapping): Promise<unknown[]> {
  const out: unknown[] = []
  for (const order of ['C', 'F'] as const) {
    const l = layout(order)
    const views: ArrayView[] = [l, applySlice(l, parseSlice(':, 7')), applySlice(l, parseSlice('::-1, ::-3'))]
    for (const v of views) {
      out.push(await runStats(m, v, { bins: 64 }).promise)
      out.push(await runStats(m, v, { bins: 16, range: [-1, 1] }).promise)
      if (v.shape.length === 1) {
        const b = await runBuckets(m, v, 0, v.shape[0]!, 50).promise
        out.push([Array.from(b.min), Array.from(b.max)])
      } else {
        out.push(Array.from((await runBlocks(m, v, 40, 30, 'mean').promise).values))
      }
    }
  }
  out.push(await runFind(m, layout('C'), { kind: 'text', text: 'NEEDLE', start: 0, backwards: false }).promise)
  out.push(await runFind(m, layout('C'), { kind: 'hex', text: '48 48 ?? 48', start: 1000, backwards: true }).promise)
  return out
}

describe('passes over cold files', () => {
  it('every pass gives the same results warm, cold, and cold with a readahead window smaller than a chunk', async () => {
    const m = new (native().Mapping)(FILE, 'r')
    m.advise('random')
    try {
      const warm = await everyPass(m)
      evict(FILE, m)
      expect(m.resident()).toBeLessThan(m.size / 4)
      const cold = await everyPass(m)
      expect(cold).toEqual(warm)
      evict(FILE, m)
      process.env.ARRAYSCOPE_READAHEAD_MB = '1'
      process.env.ARRAYSCOPE_DROP_BEHIND = 'always'
      expect(await everyPass(m)).toEqual(warm)
      // and the figures are numpy's
      const ref = py<number[]>(`
a = np.memmap(${JSON.stringify(FILE)}, dtype='<f4', mode='r', offset=16, shape=(${R}, ${C}), order='F')[:, 7].astype(np.float64)
f = a[np.isfinite(a)]
print(json.dumps([int(a.size), float(f.min()), float(f.max()), float(f.mean())]))`)
      const s = warm[12] as { count: number; min: number; max: number; mean: number }
      expect([s.count, s.min, s.max]).toEqual(ref.slice(0, 3))
      expect(Math.abs(s.mean - ref[3]!)).toBeLessThan(1e-12)
      expect(warm.at(-2)).toMatchObject({ offset: 16 + 4 * (R * C - 100) })
    } finally {
      m.close()
    }
  })

  it("a pass leaves the mapping's random-access advice for browsing as it was", async () => {
    const m = new (native().Mapping)(FILE, 'r')
    const flags = (): string => {
      const smaps = fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')
      const at = smaps.findIndex((line) => line.endsWith(FILE))
      const vm = smaps.slice(at).find((line) => line.startsWith('VmFlags:'))
      return vm ?? ''
    }
    try {
      m.advise('random')
      expect(flags()).toMatch(/\brr\b/)
      evict(FILE)
      await runStats(m, layout('C'), { bins: 8 }).promise
      await runFind(m, layout('C'), { kind: 'text', text: 'nowhere at all', start: 0, backwards: false }).promise
      expect(flags()).toMatch(/\brr\b/)
      expect(flags()).not.toMatch(/\bsr\b/)
    } finally {
      m.close()
    }
  })

  it('dropping behind keeps the pages that were in memory and drops those the pass read in (mode r only)', async () => {
    const m = new (native().Mapping)(FILE, 'r')
    const window = 8 << 20
    try {
      evict(FILE)
      m.read(window, new Uint8Array(1 << 20)) // the table's window: 1 MiB at 8 MiB
      expect(m.resident(window, 1 << 20)).toBe(1 << 20)
      process.env.ARRAYSCOPE_DROP_BEHIND = 'always'
      await runStats(m, layout('C')).promise
      expect(m.resident(window, 1 << 20)).toBe(1 << 20)
      expect(m.resident()).toBeLessThan((1 << 20) + (16 << 20)) // a page or two at chunk edges may stay
      process.env.ARRAYSCOPE_DROP_BEHIND = 'never'
      evict(FILE)
      await runStats(m, layout('C')).promise
      expect(m.resident()).toBeGreaterThan(m.size * 0.9)
    } finally {
      m.close()
    }
    // mode c: pages may hold the user's private edits, so nothing is ever dropped
    const c = new (native().Mapping)(FILE, 'c')
    try {
      process.env.ARRAYSCOPE_DROP_BEHIND = 'always'
      evict(FILE)
      await runStats(c, layout('C')).promise
      expect(c.resident()).toBeGreaterThan(c.size * 0.9)
    } finally {
      c.close()
    }
  })

  it('a cold raw and text export reads ahead and equals the file (and numpy tofile text)', async () => {
    const m = new (native().Mapping)(FILE, 'r')
    try {
      process.env.ARRAYSCOPE_DROP_BEHIND = 'always'
      evict(FILE)
      const out = path.join(tmp.dir, 'cold-export.raw')
      await exportView(m, layout('C'), { as: 'raw', out })
      const sha = (f: string, skip = 0): string =>
        crypto.createHash('sha256').update(fs.readFileSync(f).subarray(skip)).digest('hex')
      expect(m.resident()).toBeLessThan(16 << 20) // before reading the file to compare
      expect(sha(out)).toBe(sha(FILE, 16))
      evict(FILE, m)
      const text = path.join(tmp.dir, 'cold-export.txt')
      const col = applySlice(layout('F'), parseSlice('100:200, 3'))
      await exportView(m, col, { as: 'text', out: text, sep: ',', fmt: '%.5e' })
      const ref = path.join(tmp.dir, 'cold-export-ref.txt')
      py(`
a = np.memmap(${JSON.stringify(FILE)}, dtype='<f4', mode='r', offset=16, shape=(${R}, ${C}), order='F')
a[100:200, 3].tofile(${JSON.stringify(ref)}, sep=',', format='%.5e'); print(1)`)
      expect(fs.readFileSync(text, 'utf8')).toBe(fs.readFileSync(ref, 'utf8'))
    } finally {
      m.close()
    }
  })
})

describe('a file that shrinks', () => {
  it('by one byte before a pass (inside the last page: no SIGBUS): every pass says the file changed', async () => {
    const file = path.join(tmp.dir, 'shrink.f4')
    py(`np.arange(1_000_000, dtype='<f4').tofile(${JSON.stringify(file)}); print(1)`)
    const l = resolveLayout({ dtype: '<f4', shape: null, offset: 0, order: 'C' }, 4_000_000)
    const m = new (native().Mapping)(file, 'r')
    try {
      expect((await runStats(m, l).promise).mean).toBe(499999.5)
      fs.truncateSync(file, 4_000_000 - 1)
      const changed = { code: 'ECHANGED', message: expect.stringMatching(/file changed on disk/) }
      await expect(runStats(m, l).promise).rejects.toMatchObject(changed)
      await expect(runStats(m, l, { bins: 4, range: [0, 1] }).promise).rejects.toMatchObject(changed)
      await expect(runBuckets(m, l, 0, 1_000_000, 10).promise).rejects.toMatchObject(changed)
      const square = resolveLayout({ dtype: '<f4', shape: [1000, 1000], offset: 0, order: 'C' }, 4_000_000)
      await expect(runBlocks(m, square, 10, 10, 'mean').promise).rejects.toMatchObject(changed)
      await expect(
        runFind(m, l, { kind: 'hex', text: 'DE AD', start: 0, backwards: false }).promise
      ).rejects.toMatchObject(changed)
    } finally {
      m.close()
    }
  })

  it('during a pass: the pass ends with "file changed on disk"', async () => {
    const size = 4 * 2 ** 30
    const file = sparseFile('shrink-during.f4', size)
    const l = resolveLayout({ dtype: '<f4', shape: null, offset: 0, order: 'C' }, size)
    const m = new (native().Mapping)(file, 'r')
    try {
      let cut = false
      const job = runStats(m, l, {
        onProgress: () => {
          if (cut) return
          cut = true
          fs.truncateSync(file, size - 1)
        }
      })
      await expect(job.promise).rejects.toMatchObject({ code: 'ECHANGED' })
      expect(cut).toBe(true)
    } finally {
      m.close()
    }
  })
})

// The pass's worker threads yield to the process's own (the event loop answering window requests) and to the
// renderer: on 2 cores a 32 GiB pass at normal priority made a cached window wait up to 10 ms at p99.
describe.runIf(process.platform === 'linux')('a pass runs below the process priority', () => {
  /** The nice value of each of this process's threads now. */
  const niceOfThreads = (): number[] =>
    fs.readdirSync('/proc/self/task').flatMap((tid) => {
      try {
        const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
        return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])]
      } catch {
        return [] // the thread ended meanwhile
      }
    })

  it('its workers run at nice +10 while it lasts; the process keeps its own priority', async () => {
    const size = 2 * 2 ** 30
    const file = sparseFile('nice.f4', size)
    // r+: holes are read (as zeros), not skipped, so the pass lasts long enough to look at its threads
    const m = new (native().Mapping)(file, 'r+')
    try {
      const base = Math.min(...niceOfThreads())
      const seen = new Set<number>()
      const job = runStats(m, resolveLayout({ dtype: '<f4', shape: null, offset: 0, order: 'C' }, size), {
        onProgress: () => niceOfThreads().forEach((n) => seen.add(n))
      })
      await job.promise
      expect(seen.has(Math.min(19, base + 10)), `nice values seen: ${[...seen]}`).toBe(true)
      expect(niceOfThreads().every((n) => n === base)).toBe(true) // the workers are gone, the rest untouched
    } finally {
      m.close()
    }
  })
})
