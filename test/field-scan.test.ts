// Scans of one field of a record array (issue #26: "Scans and plots need a real-valued dtype" for compound
// datasets): statistics of a field equal numpy's on an h5py compound dataset (chunked + gzip and contiguous) and
// on a raw structured file; a sub-array field's axes come last; a text field or a missing one is refused clearly.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { fieldView } from '../src/shared/field-view'
import { parseDType } from '../src/shared/structured'
import { rejection } from './helpers/errors'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const h5 = path.join(tmp.dir, 'records.h5')
const raw = path.join(tmp.dir, 'records.bin')
const DESCR = [
  ['id', '<i4'],
  ['name', '|S6'],
  ['t', '>f8'],
  ['v', '<f4', [3]]
]

interface Ref {
  [what: string]: { count: number; mean: number; std: number; min: number; max: number }
}
let ref: Ref

beforeAll(() => {
  ref = py<Ref>(`
import h5py
dt = np.dtype([(n, t, *s) for n, t, *s in ${JSON.stringify(DESCR)}])
rng = np.random.default_rng(3)
a = np.zeros((40, 25), dt)
a['id'] = np.arange(1000).reshape(40, 25) * 7 - 300
a['name'] = b'abc'
a['t'] = rng.normal(5, 2, (40, 25))
a['v'] = rng.normal(-1, 3, (40, 25, 3))
with h5py.File(${JSON.stringify(h5)}, 'w') as f:
    f.create_dataset('plain', data=a)
    f.create_dataset('packed', data=a, chunks=(8, 5), compression='gzip')
a.tofile(${JSON.stringify(raw)})
def s(x):
    x = np.asarray(x, 'f8')
    return dict(count=int(x.size), mean=float(x.mean()), std=float(x.std()), min=float(x.min()), max=float(x.max()))
print(json.dumps({'id': s(a['id']), 't': s(a['t']), 'v': s(a['v']), 't_row3': s(a['t'][3]), 'v_0_1': s(a['v'][:, 1])}))`)
})

function close(
  got: { count: number; mean: number | null; std: number | null; min: number | null; max: number | null },
  want: Ref[string]
): void {
  expect(got.count).toBe(want.count)
  expect(got.min).toBe(want.min)
  expect(got.max).toBe(want.max)
  expect(got.mean).toBeCloseTo(want.mean, 10)
  expect(got.std).toBeCloseTo(want.std, 10)
}

describe('statistics of a record field', () => {
  const cases = [
    ['an h5py compound dataset', h5, '/plain'],
    ['a chunked, gzip-compressed h5py compound dataset', h5, '/packed'],
    ['a raw structured file', raw, undefined]
  ] as const
  for (const [what, file, array] of cases) {
    it(`equal numpy's for ${what}`, async () => {
      const s = new ArrayService({ watchIntervalMs: 0 })
      try {
        const layout = array ? null : { dtype: JSON.stringify(DESCR), shape: [40, 25], offset: 0, order: 'C' as const }
        const info = await s.handle('session:open', { path: file, layout, mode: 'r', ...(array ? { array } : {}) })
        const stats = (field: string, extra: { slice?: string; fixed?: (number | null)[] } = {}) =>
          s.handle('scan:stats', { session: info.session, scanId: `s-${field}`, field, ...extra })
        close(await stats('id'), ref.id!)
        close(await stats('t'), ref.t!)
        close(await stats('v'), ref.v!) // a sub-array field: all its 3000 numbers
        close(await stats('t', { fixed: [3, null] }), ref.t_row3!)
        close(await stats('t', { slice: '3' }), ref.t_row3!)
        // a text field, a missing field: refused with what to choose instead
        const text = await rejection(stats('name'))
        expect(text.code).toBe('bad-request')
        expect(text.message).toMatch(/field 'name' is \|S6, not a real number.*'id', 't', 'v'/)
        expect((await rejection(stats('nope'))).message).toMatch(/no field 'nope'.*choose one of 'id', 't', 'v'/)
        // without a field the records stay refused, saying how to get at a number
        expect((await rejection(s.handle('scan:stats', { session: info.session, scanId: 'x' }))).message).toMatch(
          /real-valued dtype/
        )
        // a line of a field: min/max buckets over the 25 columns of row 3
        const line = await s.handle('scan:line', {
          session: info.session,
          scanId: 'l',
          field: 't',
          fixed: [3, null],
          start: 0,
          stop: 25,
          buckets: 25
        })
        const mins = new Float64Array(line.min.slice().buffer)
        expect(Math.min(...mins)).toBe(ref.t_row3!.min)
      } finally {
        s.closeAll()
      }
    })
  }
})

describe('fieldView', () => {
  it("appends a sub-array field's axes (C order in the record) and moves the offset to the field", () => {
    const dtype = parseDType(JSON.stringify(DESCR))
    const v = fieldView({ dtype, offset: 100, shape: [40, 25], strides: [25 * 30, 30] }, 'v')
    expect(v).toMatchObject({ offset: 100 + 18, shape: [40, 25, 3], strides: [750, 30, 4] })
    expect(v.dtype.str).toBe('<f4')
    expect(() => fieldView({ dtype: parseDType('<f4'), offset: 0, shape: [2], strides: [4] }, 'x')).toThrow(
      /not a record dtype/
    )
  })
})
