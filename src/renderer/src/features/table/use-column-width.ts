// The table's column width: fitted to what the cells show (complex, float64, records and sub-arrays are not
// cut), dragged wider or narrower on a column header's edge, fitted again by double-clicking that edge. One
// width for every column: the scaled scrolling (scaled-scroll.ts) maps a scroll position to a column by
// dividing by it, which is what lets a view have a billion columns. While fitting automatically the width only
// grows as new values scroll into view, so the columns do not jump back and forth.
import { useEffect, useRef, useState } from 'react'

export const MIN_COL_W = 40
export const MAX_COL_W = 800
const DEFAULT_COL_W = 96
// .cell's font (styles.css); padding 8 px each side plus the 1 px border
const FONT = "13px ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace"
const PAD = 18

let context: CanvasRenderingContext2D | null = null
const cache = new Map<string, number>()

/** Pixels a cell needs to show text whole. */
export function textWidth(text: string): number {
  let w = cache.get(text)
  if (w !== undefined) return w
  context ??= document.createElement('canvas').getContext('2d')
  if (context) {
    context.font = FONT
    w = Math.ceil(context.measureText(text).width) + PAD
  } else w = text.length * 8 + PAD
  if (cache.size > 20_000) cache.clear()
  cache.set(text, w)
  return w
}

const clamp = (w: number): number => Math.max(MIN_COL_W, Math.min(MAX_COL_W, Math.round(w)))

export function useColumnWidth(
  /** A new view starts fitting again. */
  resetKey: string
): {
  width: number
  /** Whether the width follows the content (false after a drag). */
  auto: boolean
  /** A drag on a header's edge: the width follows the pointer until it is released. */
  startDrag: (e: React.MouseEvent) => void
  /** Double-click on a header's edge: exactly what the texts on screen need, following the content again. */
  fit: () => void
  /** What the texts on screen need now (0 while nothing is loaded): the width grows to it while fitting. */
  observe: (need: number) => void
} {
  const [width, setWidth] = useState(DEFAULT_COL_W)
  const [auto, setAuto] = useState(true)
  const needRef = useRef(0)
  const [need, setNeed] = useState(0)

  useEffect(() => {
    setWidth(DEFAULT_COL_W)
    setAuto(true)
  }, [resetKey])

  useEffect(() => {
    if (auto && need > 0 && clamp(need) > width) setWidth(clamp(need))
  }, [auto, need, width])

  const startDrag = (e: React.MouseEvent): void => {
    e.preventDefault()
    e.stopPropagation()
    const x0 = e.clientX
    const w0 = width
    setAuto(false)
    const move = (m: MouseEvent): void => setWidth(clamp(w0 + m.clientX - x0))
    const up = (): void => {
      window.removeEventListener('mousemove', move)
      window.removeEventListener('mouseup', up)
    }
    window.addEventListener('mousemove', move)
    window.addEventListener('mouseup', up)
  }

  const fit = (): void => {
    setAuto(true)
    if (needRef.current > 0) setWidth(clamp(needRef.current))
  }

  const observe = (n: number): void => {
    needRef.current = n
    if (n !== need) setNeed(n)
  }

  return { width, auto, startDrag, fit, observe }
}
