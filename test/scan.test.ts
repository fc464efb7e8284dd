// The native scan kernels against numpy, over every dtype and both byte orders and layouts, NaN/Inf planted.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ScanStats } from '../src/shared/contract'
import { resolveLayout } from '../src/shared/layout'
import { applySlice, parseSlice } from '../src/shared/slice'
import { native } from '../src/main/service/native'
import { runBlocks, runBuckets, runStats } from '../src/main/service/scan'
import { NUMPY_DTYPES, py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

const DTYPES = NUMPY_DTYPES

/** numpy's figures for a view, as the contract's ScanStats carries them. */
interface Ref extends Omit<ScanStats, 'histogram'> {
  path: string
  finite: number[]
}

const near = (a: number | null, b: number | null, rel = 1e-9): void => {
  if (a === null || b === null) return expect(a).toBe(b)
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)))
}

describe.each(DTYPES)('%s', (dt) => {
  for (const order of ['C', 'F'] as const) {
    it(`stats, histogram, buckets and blocks equal numpy (order ${order}, sliced)`, async () => {
      const file = path.join(
        tmp.dir,
        `scan-${dt.replace(/[<>|?]/g, (c) => ({ '<': 'le', '>': 'be', '|': '', '?': 'bool' })[c]!)}-${order}.bin`
      )
      const shape = [37, 53]
      const slice = '3:, ::-2'
      const ref = py<Ref & { hist: number[]; buckets: [number[], number[]]; blocks: number[] }>(`
rng = np.random.default_rng(${dt.length * 7 + (order === 'C' ? 1 : 2)})
dt = np.dtype('${dt}')
if dt.kind == 'f':
    a = (rng.standard_normal((37, 53)) * 100 + 20).astype(dt)
    a[1, 2] = np.nan; a[5, 7] = np.inf; a[9, 11] = -np.inf; a[20, 30] = np.nan
elif dt.kind == 'b':
    a = rng.integers(0, 2, (37, 53)).astype(dt)
else:
    info = np.iinfo(dt)
    a = rng.integers(max(info.min, -10**6), min(info.max, 10**6), (37, 53), dtype=dt.newbyteorder('='))
with open(${JSON.stringify(file)}, 'wb') as f:
    f.write(b'\\x00' * 13); f.write(a.tobytes(order='${order}'))
m = np.memmap(${JSON.stringify(file)}, dtype=dt, mode='r', offset=13, shape=(37, 53), order='${order}')
v = m[${slice}]
x = np.asarray(v, dtype=np.float64)
fin = x[np.isfinite(x)]
def r(f): return None if fin.size == 0 else float(f(fin))
flat = np.asarray(m[3:, 8], dtype=np.float64)
n = 8
bl = []
R, C = x.shape
for i in range(3):
    for j in range(4):
        blk = x[i * R // 3:(i + 1) * R // 3, j * C // 4:(j + 1) * C // 4]
        blk = blk[np.isfinite(blk)]
        bl.append(float(blk.mean()))
mins = [float(np.nanmin(flat[b * flat.size // n:(b + 1) * flat.size // n])) for b in range(n)]
maxs = [float(np.nanmax(flat[b * flat.size // n:(b + 1) * flat.size // n])) for b in range(n)]
print(json.dumps({'count': int(x.size), 'min': r(np.min), 'max': r(np.max), 'mean': r(np.mean), 'std': r(np.std),
  'nan': int(np.isnan(x).sum()), 'posinf': int((x == np.inf).sum()), 'neginf': int((x == -np.inf).sum()),
  'finite': [], 'hist': [], 'buckets': [mins, maxs], 'blocks': bl}))`)
      const layout = resolveLayout({ dtype: dt, shape, offset: 13, order }, fs.statSync(file).size)
      const view = applySlice(layout, parseSlice(slice))
      const m = new (native().Mapping)(file, 'r')
      try {
        const s = await runStats(m, view, { bins: 16 }).promise
        expect(s.count).toBe(ref.count)
        expect([s.nan, s.posinf, s.neginf]).toEqual([ref.nan, ref.posinf, ref.neginf])
        expect(s.min).toBe(ref.min)
        expect(s.max).toBe(ref.max)
        near(s.mean, ref.mean)
        near(s.std, ref.std)
        // np.histogram with the same edges counts exactly the same
        const counts = py<number[]>(`
m = np.memmap(${JSON.stringify(file)}, dtype='${dt}', mode='r', offset=13, shape=(37, 53), order='${order}')
x = np.asarray(m[${slice}], dtype=np.float64).ravel()
print(json.dumps(np.histogram(x[np.isfinite(x)], bins=np.array(${JSON.stringify(s.histogram!.edges)}))[0].tolist()))`)
        expect(s.histogram!.counts).toEqual(counts)
        // a given range: statistics and histogram in one pass, counts as np.histogram(range=…) gives them
        const range: [number, number] = [ref.min! + (ref.max! - ref.min!) / 4, ref.max! + 1]
        const one = await runStats(m, view, { bins: 7, range }).promise
        const given = py<number[]>(`
m = np.memmap(${JSON.stringify(file)}, dtype='${dt}', mode='r', offset=13, shape=(37, 53), order='${order}')
x = np.asarray(m[${slice}], dtype=np.float64).ravel()
print(json.dumps(np.histogram(x[np.isfinite(x)], bins=7, range=(float('${range[0]}'), float('${range[1]}')))[0].tolist()))`)
        expect(one.histogram!.counts).toEqual(given)
        expect([one.min, one.max, one.nan, one.count]).toEqual([s.min, s.max, s.nan, s.count])
        expect(() => runBuckets(m, view, 0, 0, 1)).toThrow(/needs a 1-D view/)
        // min/max per bucket of a column (a strided 1-D view)
        const column = applySlice(layout, parseSlice('3:, 8'))
        const b = await runBuckets(m, column, 0, 34, 8).promise
        expect([Array.from(b.min), Array.from(b.max)]).toEqual(ref.buckets)
        const blocks = await runBlocks(m, view, 3, 4, 'mean').promise
        Array.from(blocks.values).forEach((v, k) => near(v, ref.blocks[k]!))
      } finally {
        m.close()
      }
    })
  }
})

describe('buckets, exact integers, cancellation', () => {
  it('min/max per bucket of a 1-D view equal numpy, NaN ignored', async () => {
    const file = path.join(tmp.dir, 'line.f4')
    const ref = py<[number[], number[]]>(`
a = np.sin(np.arange(100_003) / 50.0).astype('<f4'); a[17] = np.nan; a.tofile(${JSON.stringify(file)})
x = a.astype(np.float64)[::-1]
n = 64
print(json.dumps([[float(np.nanmin(x[b*x.size//n:(b+1)*x.size//n])) for b in range(n)], [float(np.nanmax(x[b*x.size//n:(b+1)*x.size//n])) for b in range(n)]]))`)
    const layout = resolveLayout({ dtype: '<f4', shape: null, offset: 0, order: 'C' }, fs.statSync(file).size)
    const m = new (native().Mapping)(file, 'r')
    const r = await runBuckets(m, applySlice(layout, parseSlice('::-1')), 0, 100_003, 64).promise
    expect(Array.from(r.min)).toEqual(ref[0])
    expect(Array.from(r.max)).toEqual(ref[1])
    m.close()
  })

  it('int64 sums are exact (no overflow) and extremes exact beyond 2^53', async () => {
    const file = path.join(tmp.dir, 'big.i8')
    const ref = py<{ sum: string; min: string; max: string }>(`
a = np.array([2**62, 2**62, 2**62, -3, 2**53 + 1], dtype='>i8'); a.tofile(${JSON.stringify(file)})
print(json.dumps({'sum': str(sum(int(v) for v in a)), 'min': str(a.min()), 'max': str(a.max())}))`)
    const layout = resolveLayout({ dtype: '>i8', shape: null, offset: 0, order: 'C' }, 40)
    const m = new (native().Mapping)(file, 'r')
    const s = await runStats(m, layout).promise
    expect([s.sum, s.minExact, s.maxExact]).toEqual([ref.sum, ref.min, ref.max])
    m.close()
  })

  it('a cancelled scan rejects as cancelled; closing during a scan is safe', async () => {
    const file = path.join(tmp.dir, 'sparse-8g.f4')
    const fd = fs.openSync(file, 'w')
    fs.ftruncateSync(fd, 8 * 2 ** 30)
    fs.closeSync(fd)
    const layout = resolveLayout({ dtype: '<f4', shape: null, offset: 0, order: 'C' }, 8 * 2 ** 30)
    const m = new (native().Mapping)(file, 'r')
    let progressed = 0
    const job = runStats(m, layout, { onProgress: (d) => (progressed = d) })
    await new Promise((r) => setTimeout(r, 300))
    job.cancel()
    await expect(job.promise).rejects.toMatchObject({ code: 'ECANCELLED' })
    expect(progressed).toBeGreaterThan(0)
    let started = false
    const again = runStats(m, layout, { onProgress: () => (started = true) })
    while (!started) await new Promise((r) => setTimeout(r, 20))
    m.close() // cancels and unmaps once the threads have stopped
    await expect(again.promise).rejects.toMatchObject({ code: 'ECANCELLED' })
    expect(m.closed).toBe(true)
  })
})

// Every SIMD level this CPU runs (ARRAYSCOPE_SIMD lowers the level a scan picks when it starts).
describe.each(native().simdLevels())('contiguous floats at SIMD level %s', (level) => {
  beforeAll(() => {
    process.env.ARRAYSCOPE_SIMD = level
    expect(native().simdLevel()).toBe(level)
  })
  afterAll(() => {
    delete process.env.ARRAYSCOPE_SIMD
  })

  it('float64 statistics and float32/float64 bucket min/max equal numpy', async () => {
    const file = path.join(tmp.dir, `contig-${level}.f8`)
    const ref = py<{ stats: number[]; counts: number[]; b4: (number | string)[][]; b8: (number | string)[][] }>(`
rng = np.random.default_rng(5)
a = (rng.standard_normal(300_007) * 1e3 + 7).astype('<f8')
a[3] = np.nan; a[40] = np.inf; a[41] = -np.inf; a[299_000] = np.nan
a.tofile(${JSON.stringify(file)})
a.astype('<f4').tofile(${JSON.stringify(file + '.f4')})
fin = a[np.isfinite(a)]
def j(v): return float(v) if np.isfinite(v) else ('Infinity' if v > 0 else '-Infinity')  # JSON has no inf
def buckets(x, n=97):
    return [[j(np.nanmin(x[b*x.size//n:(b+1)*x.size//n])) for b in range(n)], [j(np.nanmax(x[b*x.size//n:(b+1)*x.size//n])) for b in range(n)]]
print(json.dumps(dict(stats=[float(fin.min()), float(fin.max()), float(fin.mean()), float(fin.std())],
    counts=[int(a.size), int(np.isnan(a).sum()), int(np.isposinf(a).sum()), int(np.isneginf(a).sum())],
    b8=buckets(a), b4=buckets(a.astype('<f4').astype(np.float64)))))`)
    for (const [dt, f, b] of [
      ['<f8', file, ref.b8],
      ['<f4', file + '.f4', ref.b4]
    ] as const) {
      const layout = resolveLayout({ dtype: dt, shape: null, offset: 0, order: 'C' }, fs.statSync(f).size)
      const m = new (native().Mapping)(f, 'r')
      try {
        const r = await runBuckets(m, layout, 0, 300_007, 97).promise
        expect([Array.from(r.min), Array.from(r.max)]).toEqual(b.map((side) => side.map(Number)))
        if (dt === '<f8') {
          const s = await runStats(m, layout).promise
          expect([s.count, s.nan, s.posinf, s.neginf]).toEqual(ref.counts)
          expect([s.min, s.max]).toEqual(ref.stats.slice(0, 2))
          near(s.mean, ref.stats[2]!)
          near(s.std, ref.stats[3]!)
        }
      } finally {
        m.close()
      }
    }
  })

  it('statistics and histograms equal numpy: auto range (two passes) and a given range (one pass), edges hit exactly', async () => {
    const file = path.join(tmp.dir, 'contig.f4')
    // 1,000,003 values (an odd tail), NaN/±Inf planted, values exactly on bin edges, on lo and on hi, and
    // an unaligned start (offset 2)
    const ref = py<{
      auto: number[]
      given: number[]
      edges: number[]
      min: number
      max: number
      mean: number
      std: number
      nan: number
      posinf: number
      neginf: number
      count: number
    }>(`
rng = np.random.default_rng(12)
a = (rng.standard_normal(1_000_003) * 3).astype('<f4')
edges = np.linspace(-4, 4, 65)
a[10:75] = edges.astype('<f4')
a[100:110] = np.nan; a[200:205] = np.inf; a[300:303] = -np.inf
with open(${JSON.stringify(file)}, 'wb') as f:
    f.write(b'xx'); a.tofile(f)
fin = a[np.isfinite(a)].astype(np.float64)
auto = np.histogram(fin, bins=256)[0]
given = np.histogram(a[np.isfinite(a)], bins=64, range=(-4, 4))[0]
print(json.dumps(dict(auto=auto.tolist(), given=given.tolist(), edges=np.histogram_bin_edges(fin, 256).tolist(),
    min=float(fin.min()), max=float(fin.max()), mean=float(fin.mean()), std=float(fin.std()),
    nan=int(np.isnan(a).sum()), posinf=int(np.isposinf(a).sum()), neginf=int(np.isneginf(a).sum()), count=int(a.size))))`)
    const m = new (native().Mapping)(file, 'r')
    const layout = resolveLayout({ dtype: '<f4', shape: null, offset: 2, order: 'C' }, 2 + 4 * 1_000_003)
    const auto = await runStats(m, layout, { bins: 256 }).promise
    expect(auto.histogram!.counts).toEqual(ref.auto)
    expect(auto.histogram!.edges).toEqual(ref.edges)
    const given = await runStats(m, layout, { bins: 64, range: [-4, 4] }).promise
    expect(given.histogram!.counts).toEqual(ref.given)
    for (const s of [auto, given]) {
      expect([s.min, s.max, s.nan, s.posinf, s.neginf, s.count]).toEqual([
        ref.min,
        ref.max,
        ref.nan,
        ref.posinf,
        ref.neginf,
        ref.count
      ])
      near(s.mean, ref.mean)
      near(s.std, ref.std)
    }
    m.close()
    // aligned (no header) too: the fast path reads the mapping directly
    const file0 = path.join(tmp.dir, 'contig0.f4')
    const part = py<number[]>(`
a = np.fromfile(${JSON.stringify(file)}, '<f4', offset=2)
a.tofile(${JSON.stringify(file0)})
print(json.dumps(np.histogram(a[np.isfinite(a)], bins=64, range=(-4, 4))[0].tolist()))`)
    const m0 = new (native().Mapping)(file0, 'r')
    const layout0 = resolveLayout({ dtype: '<f4', shape: null, offset: 0, order: 'C' }, 4 * 1_000_003)
    expect((await runStats(m0, layout0, { bins: 64, range: [-4, 4] }).promise).histogram!.counts).toEqual(part)
    expect((await runStats(m0, layout0, { bins: 256 }).promise).histogram!.counts).toEqual(ref.auto)
    // more than 256 bins (no byte bins), and values far from 0 relative to their spread (float32 bin estimates
    // not precise enough: the float64 path)
    const more = py<number[]>(`
a = np.fromfile(${JSON.stringify(file0)}, '<f4'); fin = a[np.isfinite(a)].astype(np.float64)
print(json.dumps(np.histogram(fin, bins=1000)[0].tolist()))`)
    expect((await runStats(m0, layout0, { bins: 1000 }).promise).histogram!.counts).toEqual(more)
    m0.close()
    const far = path.join(tmp.dir, 'far.f4')
    const farRef = py<number[]>(`
a = (1e4 + np.random.default_rng(3).standard_normal(100_003) * 0.01).astype('<f4'); a[5] = np.nan
a.tofile(${JSON.stringify(far)})
fin = a[np.isfinite(a)].astype(np.float64)
print(json.dumps(np.histogram(fin, bins=256)[0].tolist()))`)
    const mf = new (native().Mapping)(far, 'r')
    const layoutF = resolveLayout({ dtype: '<f4', shape: null, offset: 0, order: 'C' }, 4 * 100_003)
    expect((await runStats(mf, layoutF, { bins: 256 }).promise).histogram!.counts).toEqual(farRef)
    mf.close()
  })
})
