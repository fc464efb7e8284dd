// sliceOrigin: a sliced view's element → its index in the whole array, against numpy (a[slice][i] of an arange).
import { describe, expect, it } from 'vitest'
import { parseSlice, sliceOrigin } from '../src/shared/slice'
import { py } from './helpers/numpy'

const SHAPE = [6, 7, 8, 3]
const SLICES = ['5, 1:6, ::-3, 0', '...', '::2, None, 3, -2:', '-1, ..., 1', ':, 5:1:-2', '']

describe('sliceOrigin', () => {
  it('maps every element of a view to the array index numpy gives', () => {
    const ref = py<Record<string, { view: number[][]; array: number[][] }>>(`
shape = ${JSON.stringify(SHAPE)}
a = np.arange(np.prod(shape)).reshape(shape)
out = {}
for s in ${JSON.stringify(SLICES)}:
    v = eval(f'a[{s}]') if s else a
    idx = [list(map(int, i)) for i in np.ndindex(*v.shape)][::7]
    out[s] = dict(view=idx, array=[list(map(int, np.unravel_index(v[tuple(i)], shape))) for i in idx])
print(json.dumps(out))`)
    for (const s of SLICES) {
      const origin = sliceOrigin(SHAPE, parseSlice(s))
      const { view, array } = ref[s]!
      expect(
        view.map((i) => origin.arrayIndex(i)),
        s
      ).toEqual(array)
      expect(origin.identity, s).toBe(s === '' || s === '...')
    }
  })
})
