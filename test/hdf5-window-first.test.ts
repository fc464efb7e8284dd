// Table windows during a chunked statistics pass (issue 27: window-first.ts, native/src/background_pool.cc): a
// window's chunks are decoded at once, ahead of the fill's, which run on the addon's own threads and are niced
// while a window waits. Windows asked during the pass show the values they show after it (numpy's); no chunk is
// decoded twice (the fill skips what a window decoded); a window while the fill is cancelled, and one on a
// corrupted chunk while the pass runs, behave as without a pass; the background call decodes and fails as the
// pool's; a niced job's thread ends after it, so no thread stays niced.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { nativeStats } from '../src/main/service/hdf5-native-fill'
import { native } from '../src/main/service/native'
import { rejection } from './helpers/errors'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const file = path.join(tmp.dir, 'grid.h5')
const bad = path.join(tmp.dir, 'bad.h5')
const big = path.join(tmp.dir, 'big.h5') // one chunk of 32 MiB: a background job that runs long enough
// 2048 × 4096 float32 in 256 × 1024 chunks: 32 chunks of 1 MiB, gzip + shuffle + fletcher32
const ROWS = 2048
const COLS = 4096
// windows of 3 × 4 at these places: inside chunks, across a chunk row's edge, across a chunk column's edge
const PLACES: [number, number][] = [
  [1900, 3000],
  [255, 100],
  [700, 1022],
  [1024, 2047],
  [1500, 50],
  [300, 3500],
  [2045, 4092],
  [600, 2500]
]
type Where = { address: number; size: number }
let ref: { min: number; max: number; windows: number[][]; bad: Where & { at: number[] }; big: Where }

beforeAll(() => {
  ref = py(`
import h5py
rng = np.random.default_rng(11)
a = np.round(rng.standard_normal((${ROWS}, ${COLS})), 2).astype('<f4')
for fn in (${JSON.stringify(file)}, ${JSON.stringify(bad)}):
    with h5py.File(fn, 'w') as f:
        f.create_dataset('a', data=a, chunks=(256, 1024), compression='gzip', shuffle=True, fletcher32=True)
with h5py.File(${JSON.stringify(big)}, 'w') as f:
    f.create_dataset('a', data=a, chunks=a.shape, compression='gzip', shuffle=True)
    i = f['a'].id.get_chunk_info(0)
    whole = {'address': i.byte_offset, 'size': i.size}
with h5py.File(${JSON.stringify(bad)}, 'r') as f:
    info = f['a'].id.get_chunk_info(21)  # chunk (5, 1): rows 1280.., columns 1024..
with open(${JSON.stringify(bad)}, 'r+b') as g:
    g.seek(info.byte_offset + 1000)
    b = g.read(1)
    g.seek(info.byte_offset + 1000)
    g.write(bytes([b[0] ^ 0xff]))
places = ${JSON.stringify(PLACES)}
print(json.dumps({'min': float(a.min()), 'max': float(a.max()),
                  'windows': [[float(x) for x in a[r:r + 3, c:c + 4].ravel()] for r, c in places],
                  'bad': {'at': list(info.chunk_offset), 'address': info.byte_offset, 'size': info.size},
                  'big': whole}))`)
}, 120_000)

async function win(s: ArrayService, session: string, row0: number, col0: number): Promise<number[]> {
  const w = await s.handle('window:get', {
    session,
    generation: 0,
    view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
    row0,
    rows: 3,
    col0,
    cols: 4
  })
  return [...new Float32Array(w.bytes.buffer.slice(w.bytes.byteOffset, w.bytes.byteOffset + 48))]
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Waits (up to 5 s) until ok() holds. */
async function until(ok: () => boolean): Promise<void> {
  for (let k = 0; k < 500 && !ok(); k++) await sleep(10)
  expect(ok()).toBe(true)
}

/** The nice value of this process's threads named name (Linux: /proc/self/task/<tid>/stat, field 19). */
function niceOf(name?: string): number[] {
  const out: number[] = []
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const comm = fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim()
      if (name !== undefined && comm !== name) continue
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      out.push(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]))
    } catch {
      // a thread that ended meanwhile
    }
  }
  return out
}

describe('table windows during a chunked statistics pass', () => {
  it('show the values they show after it, each chunk decoded once, no thread left niced', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const { session } = await s.handle('session:open', { path: file, layout: null, mode: 'r', array: '/a' })
      // a first window (as the app's table asks at once): the fill after it yields to windows
      expect(await win(s, session, ...PLACES[0]!)).toEqual(ref.windows[0])
      const before = nativeStats.chunks
      let passDone = false
      const pass = s.handle('scan:stats', { session, scanId: 'during' }).finally(() => (passDone = true))
      // all asked before the fill can have gone far: their chunks are decoded ahead of its
      const during = await Promise.all(PLACES.map(([r, c]) => win(s, session, r, c)))
      const askedDuring = !passDone
      const r = await pass
      expect(askedDuring).toBe(true)
      expect(during).toEqual(ref.windows)
      expect(await Promise.all(PLACES.map(([r, c]) => win(s, session, r, c)))).toEqual(ref.windows)
      expect([r.min, r.max]).toEqual([ref.min, ref.max])
      // 32 chunks, one decoded before the pass: the fill does not decode again what the windows decoded
      expect(nativeStats.chunks - before).toBe(31)
      expect(s.session(session).source.chunkGrid!.bytesWritten).toBe(ROWS * COLS * 4)
      // the fill's chunks ran on the addon's background threads; those niced for a window ended after
      const main = niceOf()[0]!
      await until(() => niceOf('arrayscope-bg').every((n) => n === main))
      expect(niceOf('arrayscope-bg').length).toBeGreaterThan(0)
    } finally {
      s.closeAll()
    }
  }, 60_000)

  it('a window while the fill is cancelled shows its values; statistics afterwards are right', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const { session } = await s.handle('session:open', { path: file, layout: null, mode: 'r', array: '/a' })
      expect(await win(s, session, ...PLACES[1]!)).toEqual(ref.windows[1])
      const pass = s.handle('scan:stats', { session, scanId: 'cut' })
      const w = win(s, session, ...PLACES[2]!)
      await s.handle('scan:cancel', { scanId: 'cut' })
      expect((await rejection(pass)).code).toBe('cancelled')
      expect(await w).toEqual(ref.windows[2])
      expect(await win(s, session, ...PLACES[3]!)).toEqual(ref.windows[3])
      const r = await s.handle('scan:stats', { session, scanId: 'again' })
      expect([r.min, r.max]).toEqual([ref.min, ref.max])
    } finally {
      s.closeAll()
    }
  }, 60_000)

  it('a window on a corrupted chunk during the pass names the chunk; other windows still show', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const { session } = await s.handle('session:open', { path: bad, layout: null, mode: 'r', array: '/a' })
      expect(await win(s, session, ...PLACES[0]!)).toEqual(ref.windows[0])
      const named = new RegExp(`/a: the chunk at offsets \\(${ref.bad.at.join(', ')}\\) .*fletcher32 checksum fails`)
      const pass = s.handle('scan:stats', { session, scanId: 'bad' })
      const onBad = win(s, session, ref.bad.at[0]! + 10, ref.bad.at[1]! + 10)
      const elsewhere = win(s, session, ...PLACES[4]!)
      await expect(onBad).rejects.toThrow(named)
      await expect(pass).rejects.toThrow(named)
      expect(await elsewhere).toEqual(ref.windows[4])
    } finally {
      s.closeAll()
    }
  }, 60_000)

  it("the addon's background call writes what the pool's call writes, and fails as it does", async () => {
    const steps = [{ op: 'fletcher32' as const }, { op: 'inflate' as const, wrap: 'zlib' as const }]
    const unshuffle = { op: 'unshuffle' as const, size: 4 }
    const size = 256 * 1024 * 4
    const runs = Float64Array.from([0, 0, size])
    const src = fs.openSync(bad, 'r')
    const copies = [0, 1].map((k) => path.join(tmp.dir, `copy${k}.bin`))
    const dst = copies.map((p) => (fs.writeFileSync(p, ''), fs.openSync(p, 'r+')))
    try {
      // chunk 0 is sound: both calls write the same bytes
      const good = py<{ address: number; size: number }>(`
import h5py
with h5py.File(${JSON.stringify(bad)}, 'r') as f:
    i = f['a'].id.get_chunk_info(0)
print(json.dumps({'address': i.byte_offset, 'size': i.size}))`)
      const range: [number, number] = [good.address, good.size]
      const call = (k: number, background: boolean, r: [number, number]): Promise<number> =>
        native().fillChunkFileAsync(src, dst[k]!, [...steps, unshuffle], size, runs, r, background)
      expect(await call(0, false, range)).toBe(size)
      expect(await call(1, true, range)).toBe(size)
      expect(fs.readFileSync(copies[1]!).equals(fs.readFileSync(copies[0]!))).toBe(true)
      // the corrupted chunk: the same coded failure either way
      const broken: [number, number] = [ref.bad.address, ref.bad.size]
      const fore = await rejection(call(0, false, broken))
      const back = await rejection(call(1, true, broken))
      expect(back.code).toBe('CHECKSUM')
      expect([back.code, back.message]).toEqual([fore.code, fore.message])
    } finally {
      fs.closeSync(src)
      dst.forEach((d) => fs.closeSync(d))
    }
  }, 60_000)

  it('yieldBackground nices the background job running now; its thread ends after it', async () => {
    const size = ROWS * COLS * 4
    const steps = [
      { op: 'inflate' as const, wrap: 'zlib' as const },
      { op: 'unshuffle' as const, size: 4 }
    ]
    const src = fs.openSync(big, 'r')
    const out = path.join(tmp.dir, 'big-copy.bin')
    fs.writeFileSync(out, '')
    const dst = fs.openSync(out, 'r+')
    try {
      const main = niceOf()[0]!
      const range: [number, number] = [ref.big.address, ref.big.size]
      let settled = false
      const job = native()
        .fillChunkFileAsync(src, dst, steps, size, Float64Array.from([0, 0, size]), range, true)
        .finally(() => (settled = true))
      // once a background thread has taken the job (a 32 MiB inflate: tens of milliseconds), it is niced
      let niced = 0
      while (!settled && (niced = native().yieldBackground()) === 0) await sleep(1)
      expect(niced).toBe(1)
      expect(niceOf('arrayscope-bg')).toContain(Math.min(19, main + 10))
      expect(await job).toBe(size)
      await until(() => niceOf('arrayscope-bg').every((n) => n === main))
      // nothing runs now: nothing to nice
      expect(native().yieldBackground()).toBe(0)
      // the copy holds the array (one chunk: C order as it is): the first window's values where they belong
      const copy = fs.readFileSync(out)
      const [r0, c0] = PLACES[0]!
      const at = (r: number, c: number): number => copy.readFloatLE(((r0 + r) * COLS + c0 + c) * 4)
      expect([0, 1, 2].flatMap((r) => [0, 1, 2, 3].map((c) => at(r, c)))).toEqual(ref.windows[0])
    } finally {
      fs.closeSync(src)
      fs.closeSync(dst)
    }
  }, 60_000)
})
