// The image's axis tick labels, written straight into their overlays (a React render per frame would cost pans).
import type { Viewport } from './viewport'

/** Round steps (1, 2, 5 × 10^k, at least 1) from `from` to `to`, about `count` of them. */
function ticks(from: number, to: number, count: number): number[] {
  const span = Math.max(1, to - from)
  const raw = span / count
  const p = 10 ** Math.floor(Math.log10(raw))
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p)
  const out: number[] = []
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t)
  return out
}

export function drawTicks(
  top: HTMLDivElement | null,
  left: HTMLDivElement | null,
  v: Viewport,
  rows: number,
  cols: number,
  size: { w: number; h: number }
): void {
  if (!top || !left) return
  top.style.top = `${Math.max(0, -v.y0 * v.sy)}px`
  // about 5 labels, fewer where the image is drawn small (a tall narrow array in keep-aspect): a column label
  // needs ~48 px beside the next (a 5-digit index), a row label ~24 px below it, or they run into each other
  const [x0, x1] = [Math.max(0, v.x0), Math.min(cols, v.x0 + size.w / v.sx)]
  const [y0, y1] = [Math.max(0, v.y0), Math.min(rows, v.y0 + size.h / v.sy)]
  const count = (px: number, per: number): number => Math.max(1, Math.min(5, Math.floor(px / per)))
  top.innerHTML = ticks(x0, x1, count((x1 - x0) * v.sx, 48))
    .map((t) => `<span style="left:${(t - v.x0) * v.sx}px">${t}</span>`)
    .join('')
  left.innerHTML = ticks(y0, y1, count((y1 - y0) * v.sy, 24))
    .map((t) => `<span style="top:${(t - v.y0) * v.sy}px">${t}</span>`)
    .join('')
}
