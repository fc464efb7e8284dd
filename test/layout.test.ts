// The layout model against numpy.memmap: inference, strides, and the clear errors.
import { describe, expect, it } from 'vitest'
import { LayoutError, parseShape, resolveLayout } from '../src/shared/layout'
import { py } from './helpers/numpy'

describe('resolveLayout', () => {
  it('gives numpy strides for C and F order', () => {
    const ref = py<{ c: number[]; f: number[] }>(
      `a=np.zeros((3,4,5),'>i2'); print(json.dumps({'c':list(a.strides),'f':list(np.asfortranarray(a).strides)}))`
    )
    expect(resolveLayout({ dtype: '>i2', shape: [3, 4, 5], offset: 0, order: 'C' }, 120).strides).toEqual(ref.c)
    expect(resolveLayout({ dtype: '>i2', shape: [3, 4, 5], offset: 0, order: 'F' }, 120).strides).toEqual(ref.f)
  })

  it('infers a missing shape or one -1 from the file size, as np.memmap does', () => {
    const l = resolveLayout({ dtype: '<f4', shape: null, offset: 16, order: 'C' }, 16 + 4 * 30)
    expect(l.shape).toEqual([30])
    const m = resolveLayout({ dtype: '<f4', shape: [-1, 5], offset: 16, order: 'F' }, 16 + 4 * 30)
    expect(m.shape).toEqual([6, 5])
    expect(m.strides).toEqual([4, 24])
  })

  it('says how many bytes a shape needs and how many the file has', () => {
    expect(() => resolveLayout({ dtype: '<f8', shape: [1000, 1000], offset: 16, order: 'C' }, 16 + 7_999_992)).toThrow(
      'shape (1000, 1000) of <f8 needs 8000000 bytes after offset 16, the file has 7999992'
    )
  })

  it.each([
    [{ dtype: '<f4', shape: [-1, -1], offset: 0, order: 'C' as const }, 16, /more than one -1/],
    [{ dtype: '<f4', shape: [-2], offset: 0, order: 'C' as const }, 16, /invalid entry -2/],
    [
      { dtype: '<f4', shape: [3], offset: 20, order: 'C' as const },
      16,
      /offset 20 is beyond the end of the file \(16 bytes\)/
    ],
    [{ dtype: '<f4', shape: [3], offset: -1, order: 'C' as const }, 16, /offset must be a non-negative integer/],
    [
      { dtype: '<f4', shape: null, offset: 1, order: 'C' as const },
      16,
      /15 bytes after offset 1 are not a whole number of <f4/
    ],
    [{ dtype: '<f4', shape: [-1, 3], offset: 0, order: 'C' as const }, 16, /cannot infer the -1/],
    [{ dtype: 'float128x', shape: [3], offset: 0, order: 'C' as const }, 16, /unknown dtype 'float128x'/],
    [{ dtype: '<f4', shape: [2 ** 30, 2 ** 30, 2 ** 30], offset: 0, order: 'C' as const }, 16, /more than 2\^53/]
  ])('refuses %j with a clear message', (spec, size, message) => {
    expect(() => resolveLayout(spec, size)).toThrow(LayoutError)
    expect(() => resolveLayout(spec, size)).toThrow(message)
  })

  it('mode w+ skips the size check (it creates the file) but needs a full shape', () => {
    expect(resolveLayout({ dtype: '<f4', shape: [10, 10], offset: 64, order: 'C' }, 0, 'w+').nbytes).toBe(400)
    expect(() => resolveLayout({ dtype: '<f4', shape: null, offset: 0, order: 'C' }, 0, 'w+')).toThrow(/needs a shape/)
  })
})

describe('parseShape', () => {
  it('accepts numpy-ish spellings', () => {
    expect(parseShape('3,4,5')).toEqual([3, 4, 5])
    expect(parseShape('(1000, 800)')).toEqual([1000, 800])
    expect(parseShape('512x512x3')).toEqual([512, 512, 3])
    expect(parseShape('(7,)')).toEqual([7])
    expect(parseShape('  ')).toBeNull()
    expect(() => parseShape('3,a')).toThrow(/'a' is not an integer/)
    expect(() => parseShape('2.5')).toThrow(/not an integer/)
  })
})
