// Diff against numpy on the same data: which elements np.isclose calls not close, and the figures
// numpy.testing.assert_allclose reports (max |a - b| and max |a - b| / |b| among the violations, in float64),
// over float dtypes in both byte orders, mixed dtypes, NaN/±Inf, zeros in B, values exactly at the tolerance,
// slices, F order, .npy pairs and a header offset on B; integers exact; bytes as cmp -l; the CLI's exit codes.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveLayout } from '../src/shared/layout'
import { applySlice, parseSlice, type ArrayView } from '../src/shared/slice'
import { runByteDiff, runDiff } from '../src/main/service/diff'
import { native } from '../src/main/service/native'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

interface Ref {
  mismatched: number
  maxAbs: number | string | null
  maxRel: number | string | null
  first: number[][]
  nan: number
  inf: number
}

const N = 4099

/** Writes A (dtype da) and B (dtype db, behind a 24-byte header) and numpy's verdict for a view of them. */
function pair(name: string, da: string, db: string, rtol: number, atol: number, equalNan: boolean, slice = '...') {
  const fa = path.join(tmp.dir, `${name}.a`)
  const fb = path.join(tmp.dir, `${name}.b`)
  const ref = py<Ref>(`
rng = np.random.default_rng(${name.length * 31 + da.length})
da, db = np.dtype('${da}'), np.dtype('${db}')
if da.kind == 'f':
    base = rng.standard_normal(${N}) * 10
else:
    base = rng.integers(-100 if da.kind == 'i' else 0, 100, ${N}).astype(np.float64)
a = base.astype(da)
b = a.astype(db).copy()
k = np.arange(${N})
if db.kind == 'f':
    b[k % 7 == 0] = (a[k % 7 == 0].astype(np.float64) * (1 + 1e-6)).astype(db)   # just outside rtol 1e-7
    b[k % 11 == 0] = (a[k % 11 == 0].astype(np.float64) + 0.5).astype(db)
    b[5] = np.nan; b[6] = np.inf; b[8] = 0; b[9] = -np.inf
    b[13] = 1; b[14] = 1; b[15] = 2**-10
    if da.kind == 'f':
        a[5] = np.nan; a[7] = np.nan; a[6] = np.inf; a[9] = np.inf; a[12] = -np.inf
        a[13] = np.asarray(1 + 2.0**-20, dtype=da); a[14] = np.asarray(1 + 2.0**-19, dtype=da); a[15] = 0
else:
    b[k % 5 == 0] += np.asarray(3, dtype=db)
with open(${JSON.stringify(fa)}, 'wb') as f: a.tofile(f)
with open(${JSON.stringify(fb)}, 'wb') as f: f.write(b'#' * 24); b.tofile(f)
A = a.reshape(${N}, 1).reshape(-1)[${JSON.stringify(slice) === '"..."' ? '...' : slice}]
B = b.reshape(-1)[${JSON.stringify(slice) === '"..."' ? '...' : slice}]
inv = ~np.isclose(A, B, rtol=${rtol}, atol=${atol}, equal_nan=${equalNan ? 'True' : 'False'})
x = A.astype(np.float64); y = B.astype(np.float64)
def j(v): return float(v) if np.isfinite(v) else str(v)
with np.errstate(all='ignore'):
    err = np.abs(x - y)
    nz = inv & (y != 0)
    mabs = j(np.max(err[inv])) if inv.any() else None
    mrel = (j(np.max(err[nz] / np.abs(y[nz]))) if nz.any() else 'inf') if inv.any() else None
bad = inv & (np.isnan(x) | np.isnan(y))
print(json.dumps(dict(mismatched=int(inv.sum()), maxAbs=mabs, maxRel=mrel, first=np.argwhere(inv)[:10].tolist(),
    nan=int(bad.sum()), inf=int((inv & ~bad & (np.isinf(x) | np.isinf(y))).sum()))))`)
  return { fa, fb, ref }
}

const fig = (x: number | null): number | string | null =>
  x === null ? null : Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x

describe('diff equals numpy', () => {
  const cases: [string, string, number, number, boolean, string?][] = [
    ['<f4', '<f4', 1e-7, 0, true],
    ['<f4', '>f4', 1e-7, 0, false],
    ['>f8', '<f8', 1e-7, 0, true],
    ['<f8', '>f8', 2 ** -20, 0, true],
    ['<f2', '>f2', 1e-3, 1e-4, true],
    ['<f4', '<f8', 1e-5, 1e-8, true],
    ['<f8', '<f4', 1e-7, 1e-3, true],
    ['<f4', '<f4', 2 ** -20, 0, true, '::-3'],
    ['<i2', '<i2', 0, 0, true],
    ['<i2', '<f4', 1e-7, 0, true],
    ['>i8', '<i8', 0, 2, true],
    ['|u1', '|u1', 0, 0, true, '10:200'],
    ['<u2', '<i4', 1e-7, 0, true]
  ]
  for (const [da, db, rtol, atol, equalNan, slice] of cases) {
    it(`${da} vs ${db}, rtol ${rtol}, atol ${atol}, equal_nan ${equalNan}${slice ? `, slice ${slice}` : ''}`, async () => {
      const name = `${da}${db}${rtol}${atol}${equalNan}${slice ?? ''}`.replace(/[<>|:\-.]/g, '_')
      const { fa, fb, ref } = pair(name, da, db, rtol, atol, equalNan, slice)
      const a = new (native().Mapping)(fa, 'r')
      const b = new (native().Mapping)(fb, 'r')
      try {
        let va: ArrayView = resolveLayout({ dtype: da, shape: null, offset: 0, order: 'C' }, a.size)
        let vb: ArrayView = resolveLayout({ dtype: db, shape: [N], offset: 24, order: 'C' }, b.size)
        if (slice) {
          va = applySlice(va, parseSlice(slice))
          vb = applySlice(vb, parseSlice(slice))
        }
        const r = await runDiff({ mapping: a, view: va }, { mapping: b, view: vb }, { rtol, atol, equalNan }).promise
        expect(r.mismatched).toBe(ref.mismatched)
        expect(fig(r.maxAbsDiff)).toEqual(ref.maxAbs)
        expect(fig(r.maxRelDiff)).toEqual(ref.maxRel)
        expect(r.mismatches.map((m) => m.index)).toEqual(ref.first)
        expect([r.nanMismatched, r.infMismatched]).toEqual([ref.nan, ref.inf])
        expect(r.total).toBe(va.shape.reduce((x, y) => x * y, 1))
      } finally {
        a.close()
        b.close()
      }
    })
  }

  it('an F-order pair against a C-order copy, a 3-D slice, and .npy files', async () => {
    const fa = path.join(tmp.dir, 'f3.npy')
    const fb = path.join(tmp.dir, 'c3.npy')
    const ref = py<Ref>(`
rng = np.random.default_rng(3)
a = np.asfortranarray(rng.standard_normal((20, 30, 40)).astype('<f4'))
b = np.ascontiguousarray(a).copy(); b[3, 4, 5] += 1; b[19, 29, 39] = np.nan; b[0, 0, 0] *= 1 + 1e-5
np.save(${JSON.stringify(fa)}, a); np.save(${JSON.stringify(fb)}, b)
A, B = a[2:, ::-1, 5], b[2:, ::-1, 5]
inv = ~np.isclose(A, B, rtol=1e-7, atol=0, equal_nan=True)
print(json.dumps(dict(mismatched=int(inv.sum()), first=np.argwhere(inv).tolist(), maxAbs=None, maxRel=None, nan=0, inf=0)))`)
    const out = await runCli(['diff', fa, fb, '--slice', '2:, ::-1, 5', '--json'])
    expect(out.code).toBe(1)
    const j = JSON.parse(out.stdout) as { mismatched: number; mismatches: { index: number[] }[] }
    expect(j.mismatched).toBe(ref.mismatched)
    expect(j.mismatches.map((m) => m.index)).toEqual(ref.first)
    expect((await runCli(['diff', fa, fa])).code).toBe(0)
  })

  it('bytes without a layout, as cmp -l lists them; the sizes when they differ', async () => {
    const fa = path.join(tmp.dir, 'bytes.a')
    const fb = path.join(tmp.dir, 'bytes.b')
    fs.writeFileSync(fa, Buffer.from('hello, world, and more'))
    fs.writeFileSync(fb, Buffer.from('hellO, World, and mor'))
    const a = new (native().Mapping)(fa, 'r')
    const b = new (native().Mapping)(fb, 'r')
    const r = await runByteDiff(a, b).promise
    a.close()
    b.close()
    expect(r).toMatchObject({ sizeA: 22, sizeB: 21, compared: 21, differing: 2 })
    const out = await runCli(['diff', fa, fb])
    expect(out.code).toBe(1)
    const cmp = spawnSync('cmp', ['-l', fa, fb], { encoding: 'utf8' })
    expect(cmp.status).toBe(1)
    const lines = (s: string): string[] => s.split('\n').filter((l) => /^\s*\d+\s+\d+\s+\d+$/.test(l))
    expect(lines(out.stdout).map((l) => l.trim().split(/\s+/))).toEqual(
      lines(cmp.stdout).map((l) => l.trim().split(/\s+/))
    )
    expect(out.stdout).toMatch(/EOF on .*bytes\.b after byte 21/)
  })

  it('says what is wrong: shapes, a missing file, tolerances', async () => {
    const fa = path.join(tmp.dir, 'shape.a')
    fs.writeFileSync(fa, Buffer.alloc(48))
    const shape = await runCli(['diff', fa, fa, '--dtype', '<f4', '--shape', '3,4', '--b-dtype', '<f8'])
    expect(shape.code).toBe(2)
    expect(shape.stderr).toMatch(/shape/)
    const mismatch = path.join(tmp.dir, 'shape.npy')
    py(`np.save(${JSON.stringify(mismatch)}, np.zeros((4, 3), '<f4')); print(1)`)
    const two = await runCli(['diff', fa, mismatch, '--dtype', '<f4', '--shape', '3,4'])
    expect(two.code).toBe(2)
    const both = await runCli(['diff', path.join(tmp.dir, 'z.npy'), mismatch])
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/z\.npy/)
    expect((await runCli(['diff', fa, fa, '--dtype', '<f4', '--rtol', '-1'])).stderr).toMatch(/--rtol must be a number/)
    const shapes = path.join(tmp.dir, 'shape2.npy')
    py(`np.save(${JSON.stringify(shapes)}, np.zeros((3, 4), '<f4')); print(1)`)
    const s2 = await runCli(['diff', shapes, mismatch])
    expect(s2.code).toBe(2)
    expect(s2.stderr).toMatch(/shape mismatch: A has shape \(3, 4\), B has shape \(4, 3\)/)
    expect(s2.stderr).toMatch(/slice one with --slice/)
  })

  it('a diff is cancelled through its handle; closing B mid-diff cancels it too', async () => {
    const size = 2 * 2 ** 30
    const files = ['big.a', 'big.b'].map((f) => path.join(tmp.dir, f))
    for (const f of files) {
      const fd = fs.openSync(f, 'w')
      fs.ftruncateSync(fd, size)
      fs.closeSync(fd)
    }
    const [a, b] = files.map((f) => new (native().Mapping)(f, 'r'))
    const v = resolveLayout({ dtype: '<f4', shape: null, offset: 0, order: 'C' }, size)
    try {
      let seen = 0
      const job = runDiff({ mapping: a!, view: v }, { mapping: b!, view: v }, { onProgress: (d) => (seen = d) })
      while (seen === 0) await new Promise((r) => setTimeout(r, 10))
      job.cancel()
      await expect(job.promise).rejects.toMatchObject({ code: 'ECANCELLED' })
      let again = 0
      const second = runDiff({ mapping: a!, view: v }, { mapping: b!, view: v }, { onProgress: (d) => (again = d) })
      while (again === 0) await new Promise((r) => setTimeout(r, 10))
      b!.close()
      await expect(second.promise).rejects.toMatchObject({ code: 'ECANCELLED' })
    } finally {
      a!.close()
      b!.close()
    }
  })
})

describe('diff of arrays in containers', () => {
  it('--array on both safetensors files, --array-b for another name; a Q4_0 tensor against its dequantized values', async () => {
    const a = path.join(tmp.dir, 'a.safetensors')
    const b = path.join(tmp.dir, 'b.safetensors')
    const gguf = path.join(tmp.dir, 'q.gguf')
    const deq = path.join(tmp.dir, 'q.npy')
    const ref = py<{ mismatched: number; first: number[][] }>(`
from safetensors.numpy import save_file
import gguf
from gguf.quants import quantize, dequantize
rng = np.random.default_rng(9)
w = rng.standard_normal((6, 32)).astype(np.float32)
v = w.copy(); v[2, 3] += 1; v[5, 31] = np.nan
save_file({'w': w, 'other': v}, ${JSON.stringify(a)})
save_file({'w': v}, ${JSON.stringify(b)})
x = rng.standard_normal((4, 64)).astype(np.float32)
q = quantize(x, gguf.GGMLQuantizationType.Q4_0)
g = gguf.GGUFWriter(${JSON.stringify(gguf)}, 'llama')
g.add_tensor('t', q, raw_dtype=gguf.GGMLQuantizationType.Q4_0)
g.write_header_to_file(); g.write_kv_data_to_file(); g.write_tensors_to_file(); g.close()
np.save(${JSON.stringify(deq)}, dequantize(q, gguf.GGMLQuantizationType.Q4_0))
inv = ~np.isclose(w, v, rtol=1e-7, atol=0, equal_nan=True)
print(json.dumps(dict(mismatched=int(inv.sum()), first=np.argwhere(inv).tolist())))`)
    const both = await runCli(['diff', a, b, '--array', 'w', '--json'])
    expect(both.code, both.stderr).toBe(1)
    const j = JSON.parse(both.stdout) as { mismatched: number; mismatches: { index: number[] }[] }
    expect(j.mismatched).toBe(ref.mismatched)
    expect(j.mismatches.map((m) => m.index)).toEqual(ref.first)
    expect((await runCli(['diff', a, a, '--array', 'w', '--array-b', 'other'])).code).toBe(1)
    expect((await runCli(['diff', a, b, '--array', 'other', '--array-b', 'w'])).code).toBe(0)
    // a quantized tensor (dequantized per chunk) against gguf-py's dequantized values in an .npy: identical
    const q = await runCli(['diff', gguf, deq, '--array', 't', '--rtol', '0'])
    expect(q.code, q.stdout + q.stderr).toBe(0)
    expect(q.stdout).toMatch(/All 256 elements are close/)
    const missing = await runCli(['diff', a, b, '--array', 'nope'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/nope/)
  })
})
