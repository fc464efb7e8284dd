// Scans over compressed chunked data read chunks as they are decoded (issue 27, item 3): a native pass with a
// gate reads only the part of its mapping the gate says is written, and waits (cancellable) for the rest; a
// statistics scan of a chunked gzip HDF5 dataset runs beside the fill of its copy, the gate raised row of chunks
// by row of chunks, and gives numpy's figures; a line plot and an image of it equal the ones over a filled copy.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { native } from '../src/main/service/native'
import { runStats, type Stats } from '../src/main/service/scan'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('a gated native pass', () => {
  const file = path.join(tmp.dir, 'gated.f4')
  const n = 1 << 20
  beforeAll(() => {
    const a = new Float32Array(n)
    for (let i = 0; i < n; i++) a[i] = (i % 1000) - 500
    fs.writeFileSync(file, Buffer.from(a.buffer))
  })
  const view = { elem: 'f4' as const, swap: false, base: 0, shape: [n], strides: [4] }

  it('reads nothing past the gate, and ends with every value once it opens', async () => {
    const m = new (native().Mapping)(file, 'r')
    try {
      const gate = new BigInt64Array(new SharedArrayBuffer(8))
      let settled = false
      const h = m.scan({ op: 'stats', ...view, gate }, () => {})
      void h.promise.then(() => (settled = true))
      await sleep(200)
      expect(settled).toBe(false)
      Atomics.store(gate, 0, BigInt(n * 2)) // half the file: the pass still waits for the rest
      await sleep(200)
      expect(settled).toBe(false)
      Atomics.store(gate, 0, BigInt(n * 4))
      const st = await h.promise
      expect(st).toMatchObject({ count: n, min: -500, max: 499 })
    } finally {
      m.close()
    }
  })

  it('is cancelled while it waits, and a gate of another type is refused', async () => {
    const m = new (native().Mapping)(file, 'r')
    try {
      const h = m.scan({ op: 'stats', ...view, gate: new BigInt64Array(new SharedArrayBuffer(8)) })
      await sleep(50)
      h.cancel()
      await expect(h.promise).rejects.toThrow(/cancel/)
      expect(() => m.scan({ op: 'stats', ...view, gate: new Float64Array(1) as unknown as BigInt64Array })).toThrow(
        /a scan's gate must be a BigInt64Array/
      )
    } finally {
      m.close()
    }
  })
})

describe('statistics beside the fill of a chunked gzip dataset', () => {
  const h5 = path.join(tmp.dir, 'stream.h5')
  let ref: { min: number; max: number; mean: number; std: number; hist: number[] }
  beforeAll(() => {
    ref = py(`
import h5py
rng = np.random.default_rng(7)
a = rng.standard_normal((1536, 1000)).astype('<f4')
with h5py.File(${JSON.stringify(h5)}, 'w') as f:
    f.create_dataset('x', data=a, chunks=(64, 250), compression='gzip', shuffle=True)
h, _ = np.histogram(a.astype(np.float64), bins=16)  # the kernels bin float64 values, as test/scan.test.ts
print(json.dumps({'min': float(a.min()), 'max': float(a.max()), 'mean': float(a.mean(dtype=np.float64)),
                  'std': float(a.std(dtype=np.float64)), 'hist': [int(x) for x in h]}))`) as typeof ref
  })

  it('raises the gate row by row while the scan reads, and gives numpy’s figures', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: h5, layout: null, mode: 'r', array: '/x' })
      const src = s.session(info.session).source
      const seen = new Set<bigint>()
      let gate: BigInt64Array | undefined
      const job = src.streamFill(src.layout, undefined, (through, onProgress) => {
        gate = through.gate
        return runStats({ ...src.scanSource(), ...through }, src.layout, { bins: 16, onProgress })
      })
      // the gate's values while the fill runs: rows of chunks land one after another
      const watch = setInterval(() => gate && seen.add(Atomics.load(gate, 0)), 1)
      const st: Stats = await job.promise
      clearInterval(watch)
      expect(st.count).toBe(1536 * 1000)
      expect(st.min).toBe(ref.min)
      expect(st.max).toBe(ref.max)
      expect(st.mean).toBeCloseTo(ref.mean, 10)
      expect(st.std).toBeCloseTo(ref.std, 10)
      expect(st.histogram!.counts).toEqual(ref.hist)
      const inBetween = [...seen].filter((b) => b > 0n && b < BigInt(1536 * 1000 * 4))
      expect(inBetween.length).toBeGreaterThan(1)
      expect(src.chunkGrid!.chunksRead).toBe(24 * 4)
    } finally {
      s.closeAll()
    }
  }, 60_000)

  it('a line plot and an image read beside the fill equal the same scans over a filled copy', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const scans = async (id: string): Promise<unknown[]> => [
        // a condition's first match and a profile (every chunk, read beside the fill)
        await s.handle('find:condition', {
          session: id,
          scanId: 'c',
          condition: 'absgt',
          value: 3.5,
          start: 0,
          backwards: false
        }),
        await s.handle('scan:profile', { session: id, scanId: 'p', keep: 1 }),
        // a transposed tile (its chunks only), then an overview tile (every chunk, read beside the fill)
        await s.handle('scan:tile', { session: id, level: 1, ty: 1, tx: 0, transpose: true }),
        await s.handle('scan:tile', { session: id, level: 3, ty: 0, tx: 0 }),
        await s.handle('scan:image', { session: id, scanId: 'i', outRows: 48, outCols: 40, reduce: 'max' }),
        await s.handle('scan:line', {
          session: id,
          scanId: 'l',
          slice: '5:1500:3, 7',
          start: 0,
          stop: 499,
          buckets: 64
        })
      ]
      const open = async (): Promise<string> =>
        (await s.handle('session:open', { path: h5, layout: null, mode: 'r', array: '/x' })).session
      const streamed = await open() // nothing decoded yet: the image's scan reads beside the fill
      expect(s.session(streamed).source.chunkGrid!.chunksRead).toBe(0)
      const beside = await scans(streamed)
      const filled = await open()
      await s.fillFor(filled, s.session(filled).layout)
      const after = await scans(filled)
      // the profile's mean and std to rounding (threads add up their parts in either order); the rest exactly
      const [pa, pb] = [after.splice(1, 1)[0], beside.splice(1, 1)[0]].map((p) => profileFigures(p as never))
      expect(after).toEqual(beside)
      expect({ ...pa, mean: [], std: [] }).toEqual({ ...pb, mean: [], std: [] })
      for (const k of ['mean', 'std'] as const)
        pa![k].forEach((x, i) => expect(Math.abs(x - pb![k][i]!)).toBeLessThan(1e-12))
    } finally {
      s.closeAll()
    }
  }, 60_000)
})

/** A profile's figures as numbers. */
function profileFigures(p: Record<string, Uint8Array>): Record<'count' | 'min' | 'max' | 'mean' | 'std', number[]> {
  const f64 = (b: Uint8Array): number[] => Array.from(new Float64Array(b.slice().buffer))
  return { count: f64(p.count!), min: f64(p.min!), max: f64(p.max!), mean: f64(p.mean!), std: f64(p.std!) }
}

describe('find beside the fill', () => {
  const h5 = path.join(tmp.dir, 'find.h5')
  beforeAll(() => {
    py(`
import h5py
rng = np.random.default_rng(11)
a = rng.standard_normal((4000, 2000))
a[3, 17] = 12345.5
a[3990, 5] = -777.25
with h5py.File(${JSON.stringify(h5)}, 'w') as f:
    f.create_dataset('x', data=a, chunks=(100, 2000), compression='gzip', shuffle=True)
print(1)`)
  }, 60_000)

  it('ends at the first match in the chunks decoded so far, without decoding the rest', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: h5, layout: null, mode: 'r', array: '/x' })
      const grid = s.session(info.session).source.chunkGrid!
      const hit = await s.handle('find:run', {
        session: info.session,
        scanId: 'f',
        kind: 'value',
        text: '12345.5',
        aligned: true,
        start: 0,
        backwards: false
      })
      expect(hit.offset).toBe((3 * 2000 + 17) * 8)
      // 40 chunks of 1.6 MB: the match is in the first; the fill stopped short of the end (a few chunks
      // usually; the pass runs at a lower priority, so on a loaded machine the fill may get further)
      expect(grid.chunksRead).toBeLessThan(40)
      // a value near the end: found once its chunks are there, the same as over a filled copy
      const late = await s.handle('find:run', {
        session: info.session,
        scanId: 'g',
        kind: 'value',
        text: '-777.25',
        aligned: true,
        start: 0,
        backwards: false
      })
      expect(late.offset).toBe((3990 * 2000 + 5) * 8)
      const none = await s.handle('find:run', {
        session: info.session,
        scanId: 'h',
        kind: 'value',
        text: '99999',
        aligned: true,
        start: 0,
        backwards: false
      })
      expect(none.offset).toBeNull()
      expect(grid.chunksRead).toBe(40)
    } finally {
      s.closeAll()
    }
  }, 60_000)
})
