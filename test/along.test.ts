// Find by condition and statistics along an axis (native passes) through the service, against numpy: both byte
// orders, C and F order, sliced views (negative steps), NaN/±Inf planted, integers, float16 and quantized GGUF
// tensors (by their dequantized values).
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

type Condition = 'nan' | 'inf' | 'gt' | 'lt' | 'eq' | 'absgt'

const CONDITIONS: [Condition, number | undefined, string][] = [
  ['nan', undefined, 'np.isnan(v)'],
  ['inf', undefined, 'np.isinf(v)'],
  ['gt', 2.5, 'v > 2.5'],
  ['lt', -2.5, 'v < -2.5'],
  ['eq', 0.1, 'v == 0.1'],
  ['absgt', 2.9, 'np.abs(v) > 2.9']
]

interface Case {
  file: string
  dtype: string
  order: 'C' | 'F'
  slice: string
  /** per condition: every matching flat index of the sliced view, in C order */
  matches: Record<string, number[]>
  /** per kept axis: count, mean, min, max, std per line, over finite values (None as null) */
  profile: Record<string, (number | null)[][]>
  size: number
}

function makeCase(dtype: string, order: 'C' | 'F', slice: string): Case {
  const file = path.join(tmp.dir, `along-${dtype.replace(/[<>]/g, (c) => (c === '<' ? 'le' : 'be'))}-${order}.bin`)
  return py<Case>(`
rng = np.random.default_rng(${dtype.length + (order === 'C' ? 3 : 4)})
dt = np.dtype('${dtype}')
if dt.kind == 'f':
    a = rng.standard_normal((41, 29)).astype(dt)
    a[3, 4] = np.nan; a[30, 2] = np.inf; a[7, 20] = -np.inf; a[40, 28] = np.nan
    a[10, 10] = 0.1; a[22, 5] = 0.1  # 0.1 in the array's own type
    a[:, 17] = np.nan  # a column with no finite element
else:
    a = rng.integers(-4, 5, (41, 29)).astype(dt)
with open(${JSON.stringify(file)}, 'wb') as f:
    f.write(b'\\x00' * 24); f.write(a.tobytes(order='${order}'))
m = np.memmap(${JSON.stringify(file)}, dtype=dt, mode='r', offset=24, shape=(41, 29), order='${order}')
v = m[${slice}]
flat = np.asarray(v).reshape(-1)
matches = {}
with np.errstate(invalid='ignore'):
    for name, expr in ${JSON.stringify(CONDITIONS.map(([c, , e]) => [c, e]))}:
        matches[name] = np.flatnonzero(eval(expr.replace('v', 'flat'))).tolist()
x = np.asarray(v).astype(np.float64)
fin = np.isfinite(x)
def prof(axis):
    out = []
    for k in range(x.shape[1 - axis] if False else x.shape[axis]):
        line = x[k, :] if axis == 0 else x[:, k]
        f = line[np.isfinite(line)]
        out.append([int(f.size)] + ([float(f.mean()), float(f.min()), float(f.max()), float(f.std())] if f.size else [None] * 4))
    return out
print(json.dumps(dict(file=${JSON.stringify(file)}, dtype=dt.str, order='${order}', slice=${JSON.stringify(slice)},
    matches=matches, profile={'0': prof(0), '1': prof(1)}, size=int(flat.size))))`)
}

const f64 = (b: Uint8Array): number[] =>
  Array.from(new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)))

async function stepAll(
  s: ArrayService,
  session: string,
  slice: string,
  condition: Condition,
  value: number | undefined,
  backwards: boolean,
  size: number
): Promise<number[]> {
  const found: number[] = []
  let start = backwards ? size : 0
  for (;;) {
    const r = await s.handle('find:condition', {
      session,
      scanId: 'c',
      slice,
      condition,
      ...(value === undefined ? {} : { value }),
      start,
      backwards
    })
    if (r.index === null) break
    found.push(r.index)
    start = backwards ? r.index : r.index + 1
  }
  return backwards ? found.reverse() : found
}

describe.each(['<f4', '>f8', '<f2', '>i2', '<i4'])('%s', (dtype) => {
  for (const [order, slice] of [
    ['C', ':'],
    ['F', '::-1, 3:']
  ] as const) {
    it(`find by condition and per-row/column statistics equal numpy (order ${order}, slice ${slice})`, async () => {
      const c = makeCase(dtype, order, slice)
      const s = new ArrayService({ watchIntervalMs: 0 })
      try {
        const info = await s.handle('session:open', {
          path: c.file,
          layout: { dtype, shape: [41, 29], offset: 24, order },
          mode: 'r'
        })
        for (const [cond, value] of CONDITIONS) {
          const want = c.matches[cond]!
          expect(await stepAll(s, info.session, slice, cond, value, false, c.size), `${cond} forwards`).toEqual(want)
          expect(await stepAll(s, info.session, slice, cond, value, true, c.size), `${cond} backwards`).toEqual(want)
        }
        // wrap: from past the last match forwards goes round to the first
        if (c.matches.gt!.length) {
          const last = c.matches.gt![c.matches.gt!.length - 1]!
          const r = await s.handle('find:condition', {
            session: info.session,
            scanId: 'c',
            slice,
            condition: 'gt',
            value: 2.5,
            start: last + 1,
            backwards: false,
            wrap: true
          })
          expect(r).toEqual({ index: c.matches.gt![0], wrapped: true })
        }
        for (const keep of [0, 1] as const) {
          const p = await s.handle('scan:profile', { session: info.session, scanId: 'p', slice, keep })
          const want = c.profile[String(keep)]!
          expect(p.length).toBe(want.length)
          const got = [f64(p.count), f64(p.mean), f64(p.min), f64(p.max), f64(p.std)]
          want.forEach((line, k) => {
            line.forEach((w, j) => {
              const g = got[j]![k]!
              if (w === null) expect(g, `keep ${keep} line ${k} stat ${j}`).toBeNaN()
              else
                expect(Math.abs(g - w), `keep ${keep} line ${k} stat ${j}: ${g} vs ${w}`).toBeLessThanOrEqual(
                  1e-12 * Math.max(1, Math.abs(w))
                )
            })
          })
        }
      } finally {
        s.closeAll()
      }
    })
  }
})

describe('quantized GGUF tensors', () => {
  it('are searched and profiled by their dequantized values (gguf-py)', async () => {
    const file = path.join(tmp.dir, 'q.gguf')
    const ref = py<{
      names: string[]
      gt: Record<string, number[]>
      eq0: Record<string, number[]>
      mean1: Record<string, number[]>
    }>(`
import gguf
from gguf import GGMLQuantizationType as T
from gguf.quants import quantize, dequantize
rng = np.random.default_rng(12)
w = gguf.GGUFWriter(${JSON.stringify(file)}, 'llama')
xs = {}
for name in ('Q4_0', 'Q8_0', 'Q5_1'):
    x = rng.standard_normal((6, 256)).astype(np.float32)
    x[2, :32] = 0
    w.add_tensor(name, quantize(x, T[name]), raw_dtype=T[name])
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
r = gguf.GGUFReader(${JSON.stringify(file)})
gt, eq0, mean1 = {}, {}, {}
for t in r.tensors:
    v = dequantize(t.data, t.tensor_type).astype(np.float64)
    gt[t.name] = np.flatnonzero(v.reshape(-1) > 1.5).tolist()
    eq0[t.name] = np.flatnonzero(v.reshape(-1) == 0).tolist()
    mean1[t.name] = v.mean(axis=0).tolist()
print(json.dumps(dict(names=[t.name for t in r.tensors], gt=gt, eq0=eq0, mean1=mean1)))`)
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      for (const name of ref.names) {
        const info = await s.handle('session:open', { path: file, layout: null, mode: 'r', array: name })
        expect(await stepAll(s, info.session, '', 'gt', 1.5, false, 6 * 256), name).toEqual(ref.gt[name])
        expect(await stepAll(s, info.session, '', 'gt', 1.5, true, 6 * 256), name).toEqual(ref.gt[name])
        expect(await stepAll(s, info.session, '', 'eq', 0, false, 6 * 256), name).toEqual(ref.eq0[name])
        const p = await s.handle('scan:profile', { session: info.session, scanId: 'p', keep: 1 })
        f64(p.mean).forEach((m, k) => expect(Math.abs(m - ref.mean1[name]![k]!)).toBeLessThan(1e-12))
      }
    } finally {
      s.closeAll()
    }
  })
})

describe('requests', () => {
  it('a value is required for comparisons; a profile needs a 2-D view', async () => {
    const c = makeCase('<f4', 'C', ':')
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', {
        path: c.file,
        layout: { dtype: '<f4', shape: [41, 29], offset: 24, order: 'C' },
        mode: 'r'
      })
      await expect(
        s.handle('find:condition', { session: info.session, scanId: 'c', condition: 'gt', start: 0, backwards: false })
      ).rejects.toThrow('condition gt needs a value')
      await expect(
        s.handle('scan:profile', { session: info.session, scanId: 'p', fixed: [0, null], keep: 0 })
      ).rejects.toThrow('need a 2-D view')
    } finally {
      s.closeAll()
    }
  })
})

// with thresholds no float32 holds (2.1, -2.3, 2.7, 0.3) and beyond float32's range (1e300)
const BANDED: [Condition, number | undefined, string][] = [
  ...CONDITIONS,
  ['gt', 2.1, 'v > 2.1'],
  ['lt', -2.3, 'v < -2.3'],
  ['absgt', 2.7, 'np.abs(v) > 2.7'],
  ['eq', 0.3, 'v == 0.3'],
  ['gt', 1e300, 'v > 1e300'],
  ['lt', -1e300, 'v < -1e300']
]

describe('views out of file order (F order, reversed), searched in bands walked in file order', () => {
  // ARRAYSCOPE_CONDITION_BAND cuts these small views into many bands (by default a band is 16 Mi elements);
  // runs longer than 64 elements go through the blocked kernel for native float32 and float64
  for (const dtype of ['<f4', '<f8']) {
    for (const [order, shape, slices] of [
      ['F', [200, 37], [':', '::-1, 3:', '5:190:3, ::-2']],
      ['F', [6, 20, 15], [':', '::-1, 2:17, ::-3', '4, :, 1:']],
      ['C', [37, 300], [':', '::-1, 3:', '5:30, ::-1']]
    ] as const) {
      it(`every match of ${dtype} ${shape.join('×')} order ${order}, forwards and backwards, equals numpy`, async () => {
        const file = path.join(tmp.dir, `banded-${dtype.slice(1)}-${order}-${shape.join('x')}.bin`)
        const ref = py<{ slice: string; size: number; matches: Record<string, number[]> }[]>(`
rng = np.random.default_rng(11)
dt = np.dtype('${dtype}')
a = rng.standard_normal(${JSON.stringify(shape)}).astype(dt)
a.flat[::23] = np.nan; a.flat[5::101] = np.inf; a.flat[7::131] = -np.inf; a.flat[11::17] = dt.type(0.1); a.flat[3::29] = dt.type(0.3)
a.flat[13::41] = dt.type(2.1); a.flat[17::43] = dt.type(-2.3)  # the thresholds in the array's own type
a.tofile(${JSON.stringify(file)})  # C order bytes, read below in the layout's order
m = np.memmap(${JSON.stringify(file)}, dtype=dt, mode='r', shape=${JSON.stringify(shape)}, order='${order}')
out = []
for s in ${JSON.stringify(slices)}:
    flat = np.asarray(eval('m[' + s + ']')).reshape(-1)
    matches = {}
    with np.errstate(invalid='ignore'):
        for name, expr in ${JSON.stringify(BANDED.map(([c, v, e]) => [`${c} ${v}`, e]))}:
            matches[name] = np.flatnonzero(eval(expr.replace('v', 'flat'))).tolist()
    out.append({'slice': s, 'size': int(flat.size), 'matches': matches})
print(json.dumps(out))`)
        const s = new ArrayService({ watchIntervalMs: 0 })
        process.env.ARRAYSCOPE_CONDITION_BAND = '50'
        try {
          const info = await s.handle('session:open', {
            path: file,
            layout: { dtype, shape: [...shape], offset: 0, order },
            mode: 'r'
          })
          for (const c of ref) {
            for (const [cond, value] of BANDED) {
              const want = c.matches[`${cond} ${value}`]!
              if (CONDITIONS.some(([c2, v2]) => c2 === cond && v2 === value))
                expect(want.length, `${c.slice} ${cond}`).toBeGreaterThan(1)
              for (const backwards of [false, true])
                expect(
                  await stepAll(s, info.session, c.slice, cond, value, backwards, c.size),
                  `${c.slice} ${cond} ${backwards ? 'backwards' : 'forwards'}`
                ).toEqual(want)
            }
          }
        } finally {
          delete process.env.ARRAYSCOPE_CONDITION_BAND
          s.closeAll()
        }
      })
    }
  }
})
