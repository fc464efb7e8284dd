// A scroller over rows (and columns) of fixed size, any number of them: the scroll area is scaled
// (scaled-scroll.ts), the first visible row and column are state, and a scroll we cause ourselves is told from
// the user's (past ~600k rows the position cannot hold every row exactly: its scroll event must not move the
// rows shown). The table and the hex view scroll through this.
import { useLayoutEffect, useRef, useState } from 'react'
import { extent, firstIndex, scrollFor, type Axis } from './scaled-scroll'

export interface ScaledScrollOptions {
  rows: { count: number; item: number }
  /** Columns scrolled too (the table); without: rows only (the hex view). */
  cols?: { count: number; item: number }
  /** Pixels of the scroller taken by sticky headers: above the rows, left of the columns. */
  header?: { top: number; left: number }
  /** The user scrolled to this first row and column. */
  onUserScroll?: (top: number, left: number) => void
}

/** An element's client size, kept current (a ResizeObserver). */
export function useClientSize(): [React.RefObject<HTMLDivElement | null>, { w: number; h: number }] {
  const ref = useRef<HTMLDivElement>(null)
  const [size, setSize] = useState({ w: 800, h: 600 })
  useLayoutEffect(() => {
    const el = ref.current
    if (!el) return
    const ro = new ResizeObserver(() => setSize({ w: el.clientWidth, h: el.clientHeight }))
    ro.observe(el)
    return () => ro.disconnect()
  }, [])
  return [ref, size]
}

export interface ScaledScroll {
  top: number
  left: number
  rowAxis: Axis
  colAxis: Axis
  onScroll: () => void
  /** Puts row (and col) first, as far as the end allows. */
  scrollTo: (row: number, col?: number) => void
  /** The style of the spacer that gives the scroller its (scaled) extent under the sticky layer. */
  spacer: React.CSSProperties
}

/** Scrolling the element of ref, whose client size is size (useClientSize). */
export function useScaledScroll(
  ref: React.RefObject<HTMLDivElement | null>,
  size: { w: number; h: number },
  o: ScaledScrollOptions
): ScaledScroll {
  const [top, setTop] = useState(0)
  const [left, setLeft] = useState(0)
  // positions we scrolled to ourselves: the scroll event they cause must not re-derive top/left (rounding)
  const programmatic = useRef<{ x: number; y: number } | null>(null)
  const header = o.header ?? { top: 0, left: 0 }
  const cols = o.cols ?? { count: 1, item: 1 }
  const rowAxis: Axis = { ...o.rows, viewport: Math.max(o.rows.item, size.h - header.top) }
  const colAxis: Axis = { ...cols, viewport: Math.max(cols.item, size.w - header.left) }

  const onScroll = (): void => {
    const el = ref.current!
    const p = programmatic.current
    if (p && Math.abs(el.scrollTop - p.y) <= 1 && Math.abs(el.scrollLeft - p.x) <= 1) return
    programmatic.current = null
    const t = firstIndex(rowAxis, el.scrollTop)
    const l = o.cols ? firstIndex(colAxis, el.scrollLeft) : 0
    setTop(t)
    setLeft(l)
    o.onUserScroll?.(t, l)
  }

  const lastFirst = (a: Axis): number => Math.max(0, a.count - Math.floor(a.viewport / a.item))
  const scrollTo = (row: number, col = 0): void => {
    const el = ref.current
    if (!el) return
    el.scrollTop = scrollFor(rowAxis, Math.max(0, row))
    if (o.cols) el.scrollLeft = scrollFor(colAxis, Math.max(0, col))
    programmatic.current = { x: el.scrollLeft, y: el.scrollTop }
    setTop(Math.max(0, Math.min(row, lastFirst(rowAxis))))
    setLeft(o.cols ? Math.max(0, Math.min(col, lastFirst(colAxis))) : 0)
  }

  const spacer: React.CSSProperties = {
    ...(o.cols ? { width: extent(colAxis) + header.left } : {}),
    height: extent(rowAxis) + header.top,
    marginTop: -size.h
  }
  return { top, left, rowAxis, colAxis, onScroll, scrollTo, spacer }
}
