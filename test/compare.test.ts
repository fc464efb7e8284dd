// Comparing two open arrays through the service (what the app's compare panel uses): figures and block maps
// (mismatches, max |A−B|, mean A−B, max ULP distance) against numpy, stepping through mismatches forwards and
// backwards, which cells of a window mismatch, and derived arrays (|A−B|, A−B, ULP distance) read as windows
// and exported.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { ulpDistance } from '../src/main/service/compare'
import { rejection } from './helpers/errors'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
const A = path.join(tmp.dir, 'a.npy')
const B = path.join(tmp.dir, 'b.bin')
const R = 40
const C = 50
let service: ArrayService
let a: string
let b: string

interface Ref {
  mismatched: number
  first: number[][]
  counts: number[]
  abs: (number | null)[]
  mean: (number | null)[]
  ulp: (number | null)[]
  absdiff: number[][]
  diff: number[][]
  ulps: number[][]
}
let ref: Ref

const ORD = `
def ordinal32(x):
    i = np.asarray(x, dtype=np.float32).view(np.int32).astype(np.int64)
    return np.where(i < 0, -(i & 0x7fffffff), i)
`

beforeAll(async () => {
  ref = py<Ref>(`
${ORD}
rng = np.random.default_rng(8)
a = rng.standard_normal((${R}, ${C})).astype('<f4')
b = a.astype('>f8')
b[3, 4] += 1e-3; b[10, 10] = np.nan; b[39, 49] *= 1 + 1e-5; b[20, 7] = a[20, 7] * (1 + 2e-7); b[0, 0] = 0
np.save(${JSON.stringify(A)}, a)
b.tofile(${JSON.stringify(B)})
x = a.astype(np.float64); y = b.astype(np.float64)
inv = ~np.isclose(a, b, rtol=1e-7, atol=0, equal_nan=True)
d = x - y
u = np.abs(ordinal32(a) - ordinal32(b.astype(np.float32))).astype(np.float64)
u[np.isnan(y)] = np.nan
counts, ab, mean, ulp = [], [], [], []
for i in range(4):
    for j in range(5):
        sl = (slice(i * ${R} // 4, (i + 1) * ${R} // 4), slice(j * ${C} // 5, (j + 1) * ${C} // 5))
        counts.append(int(inv[sl].sum()))
        f = np.isfinite(d[sl])
        ab.append(float(np.abs(d[sl][f]).max()) if f.any() else None)
        mean.append(float(d[sl][f].mean()) if f.any() else None)
        ulp.append(float(u[sl][f].max()) if f.any() else None)
nanj = lambda m: [[None if np.isnan(v) else float(v) for v in row] for row in m]
print(json.dumps(dict(mismatched=int(inv.sum()), first=np.argwhere(inv).tolist(), counts=counts, abs=ab, mean=mean, ulp=ulp,
    absdiff=nanj(np.abs(d)), diff=nanj(d), ulps=nanj(u))))`)
  service = new ArrayService({ watchIntervalMs: 0 })
  a = (await service.handle('session:open', { path: A, layout: null, mode: 'r' })).session
  b = (
    await service.handle('session:open', {
      path: B,
      layout: { dtype: '>f8', shape: [R, C], offset: 0, order: 'C' },
      mode: 'r'
    })
  ).session
})
afterAll(() => {
  service.closeAll()
  tmp.cleanup()
})

const f64 = (bytes: Uint8Array): number[] =>
  Array.from(new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8), (v) =>
    Number.isNaN(v) ? null : v
  ) as number[]

describe('compare through the service', () => {
  it('figures and block maps equal numpy', async () => {
    const r = await service.handle('diff:run', { scanId: 'd', a, b, map: { rows: 4, cols: 5 }, mapValues: true })
    expect(r.mismatched).toBe(ref.mismatched)
    expect(r.mismatches.map((m) => m.index)).toEqual(ref.first)
    expect(r.maxAbsDiff).toBe('nan')
    expect(f64(r.map!.counts)).toEqual(ref.counts)
    expect(f64(r.map!.abs!)).toEqual(ref.abs)
    expect(f64(r.map!.ulp!)).toEqual(ref.ulp)
    f64(r.map!.mean!).forEach((m, k) => expect(Math.abs(m - ref.mean[k]!)).toBeLessThan(1e-12))
  })

  it('steps through mismatches: the next ones after an index, the previous ones before it', async () => {
    const all = ref.first
    const flat = (i: number[]): number => i[0]! * C + i[1]!
    const first = await service.handle('diff:run', { scanId: 'd', a, b, max: 2 })
    expect(first.mismatches.map((m) => m.index)).toEqual(all.slice(0, 2))
    const next = await service.handle('diff:run', { scanId: 'd', a, b, max: 2, after: flat(all[1]!) })
    expect(next.mismatches.map((m) => m.index)).toEqual(all.slice(2, 4))
    const last = await service.handle('diff:run', { scanId: 'd', a, b, max: 2, last: true, before: R * C })
    expect(last.mismatches.map((m) => m.index)).toEqual(all.slice(-2))
    const prev = await service.handle('diff:run', { scanId: 'd', a, b, max: 1, last: true, before: flat(all.at(-1)!) })
    expect(prev.mismatches.map((m) => m.index)).toEqual(all.slice(-2, -1))
    expect(prev.mismatches[0]!.a).toMatch(/^-?\d/)
  })

  it('marks the cells of a table window that are not close (a window of a transposed, sliced view)', async () => {
    const w = await service.handle('diff:window', {
      a,
      b,
      view: { rowAxis: 1, colAxis: 0, index: [0, 0], slice: '::2, 2:' },
      row0: 0,
      col0: 0,
      rows: 30,
      cols: 15
    })
    const want = py<number[]>(`
a = np.load(${JSON.stringify(A)}); b = np.fromfile(${JSON.stringify(B)}, '>f8').reshape(${R}, ${C})
inv = ~np.isclose(a, b, rtol=1e-7, atol=0, equal_nan=True)[::2, 2:].T[:30, :15]
print(json.dumps(inv.astype(int).ravel().tolist()))`)
    expect([w.rows, w.cols]).toEqual([30, 15])
    expect(Array.from(w.mask)).toEqual(want)
  })

  it('derived arrays read as windows equal numpy: |A−B|, A−B and the ULP distance in A’s float type', async () => {
    for (const kind of ['absdiff', 'diff', 'ulp'] as const) {
      const d = await service.handle('session:derive', { a, b, kind })
      expect(d.layout.dtype).toBe('<f8')
      expect(d.derived?.kind).toBe(kind)
      const w = await service.handle('window:get', {
        session: d.session,
        generation: 1,
        view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
        row0: 0,
        col0: 0,
        rows: R,
        cols: C
      })
      const want = { absdiff: ref.absdiff, diff: ref.diff, ulp: ref.ulps }[kind]
      const got = f64(w.bytes)
      want.flat().forEach((v, k) => {
        if (v === null) expect(got[k]).toBeNull()
        else expect(Math.abs(got[k]! - v)).toBeLessThanOrEqual(kind === 'ulp' ? 0 : 1e-15 * Math.max(1, Math.abs(v)))
      })
      // read-only, not scanned; exported it is what the table shows
      expect(
        (
          await rejection(
            service.handle('edit:apply', { session: d.session, writes: [{ offset: 0, bytes: new Uint8Array(8) }] })
          )
        ).code
      ).toBe('readonly')
      expect((await rejection(service.handle('scan:stats', { session: d.session, scanId: 's' }))).message).toMatch(
        /computed per window/
      )
      if (kind === 'diff') {
        const out = path.join(tmp.dir, 'diff.npy')
        await service.handle('export:run', { session: d.session, scanId: 'e', as: 'npy', out })
        const same = py<boolean>(`
a = np.load(${JSON.stringify(A)}).astype(np.float64); b = np.fromfile(${JSON.stringify(B)}, '>f8').reshape(${R}, ${C})
print(json.dumps(bool(np.array_equal(np.load(${JSON.stringify(out)}), a - b, equal_nan=True))))`)
        expect(same).toBe(true)
        expect(fs.existsSync(out)).toBe(true)
      }
      await service.handle('session:close', { session: d.session })
    }
  })

  it('ULP distances in float16, float32 and float64 count the representable values between', () => {
    expect(ulpDistance(1, 1 + 2 ** -52, 64)).toBe(1)
    expect(ulpDistance(-0, 0, 64)).toBe(0)
    expect(ulpDistance(-(2 ** -1074), 2 ** -1074, 64)).toBe(2)
    expect(ulpDistance(1, 1 + 2 ** -23, 32)).toBe(1)
    expect(ulpDistance(1, 2, 32)).toBe(2 ** 23)
    expect(ulpDistance(1, 1 + 2 ** -10, 16)).toBe(1)
    expect(ulpDistance(65504, Infinity, 16)).toBe(1)
    expect(ulpDistance(2 ** -24, 0, 16)).toBe(1)
    expect(ulpDistance(1, NaN, 32)).toBeNaN()
  })

  it('a shape mismatch names both shapes', async () => {
    const c = (
      await service.handle('session:open', {
        path: B,
        layout: { dtype: '>f8', shape: [C, R], offset: 0, order: 'C' },
        mode: 'r'
      })
    ).session
    const e = await rejection(service.handle('diff:run', { scanId: 'x', a, b: c }))
    expect(e.message).toMatch(/shape mismatch: A has shape \(40, 50\), B has shape \(50, 40\)/)
    // the app's advice, not the CLI's flag (the app has no --slice; its slice applies to both sides)
    expect(e.message).toMatch(/the slice applies to both/)
    expect(e.message).not.toMatch(/--slice/)
    expect((await rejection(service.handle('session:derive', { a, b: c, kind: 'diff' }))).message).toMatch(/shape/)
  })
})
