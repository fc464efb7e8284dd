// Where the image is on screen: sx, sy screen pixels per element (equal when the aspect ratio is kept), and
// the element coordinates (x0 = column, y0 = row) at the canvas's top-left. Pure functions: the view keeps
// one Viewport and draws from it.
import { TILE } from './tile-set'

export interface Viewport {
  sx: number
  sy: number
  x0: number
  y0: number
}

/** The whole image in a width × height canvas (centred when the aspect ratio is kept). */
export function fit(rows: number, cols: number, width: number, height: number, keepAspect: boolean): Viewport {
  const sx = width / Math.max(1, cols)
  const sy = height / Math.max(1, rows)
  if (!keepAspect) return { sx, sy, x0: 0, y0: 0 }
  const s = Math.min(sx, sy)
  return { sx: s, sy: s, x0: -(width / s - cols) / 2, y0: -(height / s - rows) / 2 }
}

/**
 * Whether the image opens with square pixels: yes unless that leaves it a thin strip (less than a sixth of the
 * frame across its short side, as an 8192 × 65536 array would be), which then fills the frame instead.
 */
export function aspectFits(rows: number, cols: number, width: number, height: number): boolean {
  const s = Math.min(width / Math.max(1, cols), height / Math.max(1, rows))
  return Math.min((cols * s) / width, (rows * s) / height) >= 1 / 6
}

/** The viewport zoomed by factor around the screen point (px, py), within [minScale, 64] px per element. */
export function zoom(v: Viewport, factor: number, px: number, py: number, minScale: number): Viewport {
  const f = Math.max(minScale / Math.min(v.sx, v.sy), Math.min(64 / Math.max(v.sx, v.sy), factor))
  const cx = v.x0 + px / v.sx
  const cy = v.y0 + py / v.sy
  const sx = v.sx * f
  const sy = v.sy * f
  return { sx, sy, x0: cx - px / sx, y0: cy - py / sy }
}

export function pan(v: Viewport, dx: number, dy: number): Viewport {
  return { ...v, x0: v.x0 - dx / v.sx, y0: v.y0 - dy / v.sy }
}

/** The element under a screen point. */
export function elementAt(v: Viewport, px: number, py: number): { row: number; col: number } {
  return { row: Math.floor(v.y0 + py / v.sy), col: Math.floor(v.x0 + px / v.sx) }
}

/** The pyramid level to draw at: the coarsest whose pixels are no larger than a screen pixel. */
export function levelFor(v: Viewport, maxLevel: number): number {
  const elementsPerPixel = 1 / Math.min(v.sx, v.sy)
  return Math.max(0, Math.min(maxLevel, Math.floor(Math.log2(Math.max(1, elementsPerPixel)))))
}

/** The deepest level the image needs: one whose single tile covers it all. */
export function maxLevelFor(rows: number, cols: number): number {
  return Math.max(0, Math.ceil(Math.log2(Math.max(1, rows, cols) / TILE)))
}

/** The tiles (ty, tx) of a level that the viewport shows, nearest the centre first. */
export function visibleTiles(
  v: Viewport,
  level: number,
  rows: number,
  cols: number,
  width: number,
  height: number
): [number, number][] {
  const span = TILE * 2 ** level
  const r0 = Math.max(0, Math.floor(v.y0 / span))
  const c0 = Math.max(0, Math.floor(v.x0 / span))
  const r1 = Math.min(Math.ceil(rows / span), Math.ceil((v.y0 + height / v.sy) / span))
  const c1 = Math.min(Math.ceil(cols / span), Math.ceil((v.x0 + width / v.sx) / span))
  const out: [number, number][] = []
  for (let ty = r0; ty < r1; ty++) for (let tx = c0; tx < c1; tx++) out.push([ty, tx])
  const cy = (v.y0 + height / v.sy / 2) / span
  const cx = (v.x0 + width / v.sx / 2) / span
  return out.sort((a, b) => Math.hypot(a[0] + 0.5 - cy, a[1] + 0.5 - cx) - Math.hypot(b[0] + 0.5 - cy, b[1] + 0.5 - cx))
}
