// The image view's status line under the pointer (hover-text.ts): a block's statistics at a computed level, and
// a tile read from the file's own reduced image said to be the level's values (a stored level may be a
// subsample: its value is not the block's mean, min or max).
import { describe, expect, it } from 'vitest'
import { hoverText } from '../src/renderer/src/features/image/hover-text'
import type { TileData } from '../src/renderer/src/features/image/tile-set'

/** A one-pixel-wide tile of min, max, mean, flags per pixel. */
function tile(level: number, pixels: number[][], stored?: number): TileData {
  const px = new Float32Array(pixels.flat())
  return { level, ty: 0, tx: 0, rows: pixels.length, cols: 1, px, sample: false, ...(stored ? { stored } : {}) }
}

describe('hover text', () => {
  it("a computed block gives its mean, min and max; a stored level's tile says whose values they are", () => {
    expect(hoverText(tile(2, [[1, 9, 5, 0]]), 2, 1, 2, null)).toBe('[0:4, 0:4] mean 5, min 1, max 9')
    const stored = hoverText(tile(2, [[7, 7, 7, 0]], 4), 2, 1, 2, null)
    expect(stored).toBe("[0:4, 0:4] from the file's level reduced ×4: 7 (zoom in for the array's own values)")
    // a level reduced ×2 drawn at ×4: its 2 × 2 blocks' statistics, of the level's values
    expect(hoverText(tile(2, [[1, 9, 5, 0]], 2), 2, 1, 2, null)).toMatch(
      /from the file's level reduced ×2: mean 5, min 1, max 9/
    )
  })
})
