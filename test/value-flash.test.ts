// Which elements flash when a followed file changes (value-flash.ts): those whose bytes differ, in windows that may
// have grown; a NaN rewritten as the same NaN does not, -0 over 0 does.
import { describe, expect, it } from 'vitest'
import { changedElements, Flashes, FLASH_MS } from '../src/shared/value-flash'

const f32 = (values: number[]): Uint8Array => new Uint8Array(new Float32Array(values).buffer)

function changes(old: number[], oldRows: number, fresh: number[], rows: number, cols: number): string[] {
  const out: string[] = []
  changedElements({ bytes: f32(old), rows: oldRows, cols }, { bytes: f32(fresh), rows, cols }, (i, j) =>
    out.push(`${i},${j}`)
  )
  return out
}

describe('changed elements', () => {
  it('are those whose bytes differ', () => {
    expect(changes([0, 1, 2, 3], 2, [0, 9, 2, 3], 2, 2)).toEqual(['0,1'])
    expect(changes([NaN, 0, 2, 3], 2, [NaN, -0, 2, 3], 2, 2)).toEqual(['0,1'])
  })
  it('leave rows that only the grown window has', () => {
    expect(changes([0, 1], 1, [0, 5, 6, 7], 2, 2)).toEqual(['0,1'])
    expect(changes([0, 1, 2, 3], 2, [0, 1], 1, 2)).toEqual([])
  })
  it('flash for FLASH_MS', () => {
    const f = new Flashes()
    f.mark('1,2', 1000)
    expect(f.has('1,2', 1000 + FLASH_MS - 1)).toBe(true)
    expect(f.has('1,3', 1000)).toBe(false)
    expect(f.has('1,2', 1000 + FLASH_MS)).toBe(false)
    expect(f.size).toBe(0)
  })
})
