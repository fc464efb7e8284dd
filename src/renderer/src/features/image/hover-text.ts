// What the status line under the image says about the element (or block) under the pointer, from the tile held
// at the level drawn: a single element's value (with ±inf told apart from NaN by the tile's flags), a block's
// mean, min and max, an RGB(A) block's channel means, or — a tile read from the file's own reduced image — the
// level's value, said to be one.
import { channelValue } from './shade'
import { TILE, type TileData } from './tile-set'

export function hoverText(
  held: TileData | undefined,
  level: number,
  row: number,
  col: number,
  rgb: { channels: 3 | 4 } | null
): string {
  if (!held) return `(${row}, ${col})`
  const span = TILE * 2 ** level
  const b = 2 ** level
  const k = Math.floor((row % span) / b) * held.cols + Math.floor((col % span) / b)
  const px = held.px
  const f = (x: number): string => (Number.isNaN(x) ? 'nan' : String(x))
  if (rgb) {
    const lanes = Array.from({ length: rgb.channels }, (_, c) => f(px[4 * k + c]!)).join(', ')
    const where =
      level === 0
        ? `(${row}, ${col})`
        : `[${row - (row % b)}:${row - (row % b) + b}, ${col - (col % b)}:${col - (col % b) + b}] mean`
    return `${where} = [${lanes}]`
  }
  if (level === 0 && !held.sample) {
    const flags = px[4 * k + 3]!
    const value = Number.isNaN(px[4 * k + 2]!) ? (flags & 2 ? 'inf' : flags & 4 ? '-inf' : 'nan') : f(px[4 * k + 2]!)
    return `(${row}, ${col}) = ${value}`
  }
  const r0 = row - (row % b)
  const c0 = col - (col % b)
  // a tile of the file's own reduced image: the level's values, which need not be the block's statistics
  if (held.stored) {
    const level = `the file's level reduced ×${held.stored}`
    const v =
      held.stored === b
        ? f(px[4 * k + 2]!)
        : `mean ${f(channelValue(px, k, 'mean'))}, min ${f(px[4 * k]!)}, max ${f(px[4 * k + 1]!)}`
    return `[${r0}:${r0 + b}, ${c0}:${c0 + b}] from ${level}: ${v} (zoom in for the array's own values)`
  }
  return `[${r0}:${r0 + b}, ${c0}:${c0 + b}] mean ${f(channelValue(px, k, 'mean'))}, min ${f(px[4 * k]!)}, max ${f(px[4 * k + 1]!)}`
}
