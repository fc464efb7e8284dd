// Heatmap tiles against numpy's block reductions of the same blocks: min, max and mean of the finite elements
// and the NaN/±Inf flags, at several pyramid levels, C and F order, a sliced and a transposed view, edge tiles
// that are partial; the sampled preview; a tile recomputed after an edit.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { native } from '../src/main/service/native'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
const R = 300
const C = 530
const SPARSE = [4096, 8192]
const files = { C: path.join(tmp.dir, 'c.npy'), F: path.join(tmp.dir, 'f.npy') }
let service: ArrayService
const sessions: Record<'C' | 'F', string> = { C: '', F: '' }

beforeAll(async () => {
  py(`
rng = np.random.default_rng(6)
a = (rng.standard_normal((${R}, ${C})) * 10).astype('<f4')
a[7, 9] = np.nan; a[100, 200] = np.inf; a[299, 529] = -np.inf; a[40:50, 60:80] = np.nan
np.save(${JSON.stringify(files.C)}, a)
np.save(${JSON.stringify(files.F)}, np.asfortranarray(a))
print(1)`)
  service = new ArrayService({ watchIntervalMs: 0 })
  for (const order of ['C', 'F'] as const) {
    sessions[order] = (await service.handle('session:open', { path: files[order], layout: null, mode: 'r+' })).session
  }
})
afterAll(() => {
  service.closeAll()
  tmp.cleanup()
})

/** numpy's reduction of tile (ty, tx) at a level of the view expression v of the array a. */
function reference(
  v: string,
  level: number,
  ty: number,
  tx: number,
  sample = false,
  file = files.C
): (number | null)[] {
  return py<(number | null)[]>(`
a = (np.load(${JSON.stringify(file)}) if ${JSON.stringify(file)}.endswith('.npy') else np.memmap(${JSON.stringify(file)}, dtype='<f4', mode='r', shape=(${SPARSE.join(', ')}))).astype(np.float64)
v = ${v}
b = 2 ** ${level}; span = 256 * b
r0, c0 = ${ty} * span, ${tx} * span
reg = v[r0:r0 + span, c0:c0 + span]
h, w = -(-reg.shape[0] // b), -(-reg.shape[1] // b)
if ${sample ? 'True' : 'False'}:
    rs = [min(i * b + (min((i + 1) * b, reg.shape[0]) - i * b) // 2, reg.shape[0] - 1) for i in range(h)]
    cs = [min(j * b + (min((j + 1) * b, reg.shape[1]) - j * b) // 2, reg.shape[1] - 1) for j in range(w)]
    x = reg[np.ix_(rs, cs)]
    f = np.isfinite(x)
    flags = np.where(np.isnan(x), 1, np.where(~f & (x > 0), 2, np.where(~f, 4, 0)))
    vals = np.where(f, x, np.nan)
    px = np.stack([vals, vals, vals, flags], -1)
else:
    pad = np.full((h * b, w * b), np.nan); pad[:reg.shape[0], :reg.shape[1]] = reg
    blk = pad.reshape(h, b, w, b).transpose(0, 2, 1, 3).reshape(h, w, b * b)
    inside = np.zeros((h * b, w * b), bool); inside[:reg.shape[0], :reg.shape[1]] = True
    inside = inside.reshape(h, b, w, b).transpose(0, 2, 1, 3).reshape(h, w, b * b)
    fin = np.where(np.isfinite(blk), blk, np.nan)
    with np.errstate(all='ignore'):
        import warnings; warnings.simplefilter('ignore')
        mn, mx, mean = np.nanmin(fin, -1), np.nanmax(fin, -1), np.nanmean(fin, -1)
    flags = (np.isnan(blk) & inside).any(-1) * 1 | (blk == np.inf).any(-1) * 2 | (blk == -np.inf).any(-1) * 4
    px = np.stack([mn.astype(np.float32), mx.astype(np.float32), mean.astype(np.float32), flags], -1).astype(np.float64)
out = [None if np.isnan(x) else float(x) for x in px.ravel()]
print(json.dumps(out))`)
}

/** Where a tile first differs from numpy's (float32 rounding allowed), or -1. */
function firstDifference(got: (number | null)[], want: (number | null)[]): number {
  return got.findIndex((x, k) => {
    const w = want[k]!
    return w === null || x === null ? x !== w : Math.abs(x - w) > Math.abs(w) * 1e-6 + 1e-6
  })
}

async function tile(
  session: string,
  r: { slice?: string; transpose?: boolean; level: number; ty: number; tx: number; sample?: boolean }
): Promise<(number | null)[]> {
  const t = await service.handle('scan:tile', { session, ...r })
  return Array.from(new Float32Array(t.pixels.buffer, t.pixels.byteOffset, t.pixels.byteLength / 4), (x) =>
    Number.isNaN(x) ? null : x
  )
}

describe('tiles equal numpy block reductions', () => {
  for (const order of ['C', 'F'] as const) {
    it(`order ${order}: levels 0, 1, 3, 5 and 6, edge tiles, a sliced view and a transposed one`, async () => {
      const s = sessions[order]
      const cases: [string, { slice?: string; transpose?: boolean }, number, number, number][] = [
        ['a', {}, 0, 0, 0],
        ['a', {}, 0, 1, 2], // partial at the bottom and right
        ['a', {}, 1, 0, 1],
        ['a', {}, 3, 0, 0],
        ['a', {}, 5, 0, 0], // blocks 32 wide: reduced by the SIMD kernels (narrower ones column-wise)
        ['a', {}, 6, 0, 0],
        ['a[::-1, 3:]', { slice: '::-1, 3:' }, 1, 0, 0],
        ['a.T', { transpose: true }, 1, 1, 0],
        ['a[::-1, 3:].T', { slice: '::-1, 3:', transpose: true }, 2, 0, 0]
      ]
      for (const [expr, opts, level, ty, tx] of cases) {
        const got = await tile(s, { ...opts, level, ty, tx })
        const want = reference(expr, level, ty, tx)
        expect(got.length, `${expr} level ${level}`).toBe(want.length)
        // one assertion per case (a million expect() calls would take seconds)
        const bad = firstDifference(got, want)
        expect(bad, `${expr} level ${level}: first difference at ${bad} (${got[bad]} vs ${want[bad]})`).toBe(-1)
      }
    })
  }

  it('float64 and big-endian float32 views: the same blocks as numpy (column-wise, by kernel and decoded)', async () => {
    const f8 = path.join(tmp.dir, 'f8.npy')
    const be = path.join(tmp.dir, 'be.npy')
    py(
      `a = np.load(${JSON.stringify(files.C)}); np.save(${JSON.stringify(f8)}, a.astype('<f8')); np.save(${JSON.stringify(be)}, a.astype('>f4')); print(1)`
    )
    for (const file of [f8, be]) {
      const { session } = await service.handle('session:open', { path: file, layout: null, mode: 'r' })
      for (const level of [1, 3, 5]) {
        const got = await tile(session, { level, ty: 0, tx: 0 })
        const want = reference('a', level, 0, 0)
        const bad = firstDifference(got, want)
        expect(bad, `${path.basename(file)} level ${level}: first difference at ${bad}`).toBe(-1)
      }
      await service.handle('session:close', { session })
    }
  })

  // every block path at every SIMD level: the column sweep (its kernel for rows without NaN/±Inf, its careful
  // path for the rows with them), AVX-512's blocks walked in registers, and the statistics kernels
  it.each(native().simdLevels())('blocks at SIMD level %s: the same as numpy', async (simd) => {
    process.env.ARRAYSCOPE_SIMD = simd
    try {
      for (const file of [files.C, files.F]) {
        const { session } = await service.handle('session:open', { path: file, layout: null, mode: 'r' })
        for (const level of [1, 2, 4, 5, 6]) {
          const got = await tile(session, { level, ty: 0, tx: 0 })
          const bad = firstDifference(got, reference('a', level, 0, 0))
          expect(bad, `${path.basename(file)} level ${level}: first difference at ${bad}`).toBe(-1)
        }
        await service.handle('session:close', { session })
      }
    } finally {
      delete process.env.ARRAYSCOPE_SIMD
    }
  })

  // holes read as zeros without being read: a whole block of rows, single rows (data in other columns of the
  // same rows, or in the rows around), and sampled elements
  it('a sparse file in mode r: the same blocks as numpy, holes read as zeros', async () => {
    const file = path.join(tmp.dir, 'sparse.f4')
    py(`
with open(${JSON.stringify(file)}, 'wb') as f: f.truncate(${SPARSE[0]} * ${SPARSE[1]} * 4)
m = np.memmap(${JSON.stringify(file)}, dtype='<f4', mode='r+', shape=(${SPARSE.join(', ')}))
m[1000, 5000:5100] = np.arange(100) - 50.5
m[2000:2010, :] = 3.25
m[3000, 7000] = -7; m[100, 100] = np.nan; m[2500, 10] = np.inf; m[4095, 8191] = 9
m.flush(); print(1)`)
    const layout = { dtype: '<f4', shape: SPARSE, offset: 0, order: 'C' as const }
    const { session } = await service.handle('session:open', { path: file, layout, mode: 'r' })
    try {
      const cases: [string, { slice?: string; transpose?: boolean }, number, number, number, boolean][] = [
        ['a', {}, 4, 0, 0, false],
        ['a', {}, 4, 0, 1, false],
        ['a', {}, 3, 0, 2, false], // narrow blocks (the column sweep)
        ['a', {}, 5, 0, 0, false], // blocks by the kernels
        ['a', {}, 0, 3, 19, false],
        ['a', {}, 5, 0, 0, true],
        ['a', {}, 2, 1, 4, true],
        ['a[::-1, 3:]', { slice: '::-1, 3:' }, 4, 0, 0, false],
        ['a.T', { transpose: true }, 3, 2, 0, false]
      ]
      for (const [expr, opts, level, ty, tx, sample] of cases) {
        const got = await tile(session, { ...opts, level, ty, tx, sample })
        const bad = firstDifference(got, reference(expr, level, ty, tx, sample, file))
        expect(
          bad,
          `${expr} level ${level} (${ty}, ${tx})${sample ? ' sampled' : ''}: first difference at ${bad}`
        ).toBe(-1)
      }
    } finally {
      await service.handle('session:close', { session })
    }
  })

  it('the sampled preview is the element at each block centre', async () => {
    const got = await tile(sessions.C, { level: 3, ty: 0, tx: 0, sample: true })
    expect(got).toEqual(reference('a', 3, 0, 0, true))
  })

  it('a tile is computed again after an edit (the cache is dropped)', async () => {
    const before = await tile(sessions.C, { level: 0, ty: 0, tx: 0 })
    const info = await service.handle('session:open', { path: files.C, layout: null, mode: 'r' })
    const offset = info.layout.offset + 4 * (1 * C + 2)
    await service.handle('session:close', { session: info.session })
    await service.handle('edit:apply', {
      session: sessions.C,
      writes: [{ offset, bytes: new Uint8Array(new Float32Array([1234.5]).buffer) }]
    })
    const after = await tile(sessions.C, { level: 0, ty: 0, tx: 0 })
    expect(before[(1 * 256 + 2) * 4]).not.toBe(1234.5)
    expect(after[(1 * 256 + 2) * 4]).toBe(1234.5)
    await service.handle('edit:undo', { session: sessions.C })
  })

  it('says what is wrong: a tile outside the view, a view that is not 2-D', async () => {
    await expect(service.handle('scan:tile', { session: sessions.C, level: 0, ty: 5, tx: 0 })).rejects.toThrow(
      /outside/
    )
    await expect(
      service.handle('scan:tile', { session: sessions.C, fixed: [3, null], level: 0, ty: 0, tx: 0 })
    ).rejects.toThrow(/2-D/)
  })
})
