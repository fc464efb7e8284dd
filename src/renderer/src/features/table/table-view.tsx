// The table of a 2-D view. Only visible cells are drawn; the scroll area is scaled (see scaled-scroll.ts),
// with a sticky layer that draws the column header, the row index column and the cells for the current
// first row/column. Cells show a placeholder until their tile arrives.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import type { SessionInfo, View } from '../../../../shared/contract'
import { extent, firstIndex, scrollFor, visibleCount, type Axis } from './scaled-scroll'
import { useTiles } from './use-tiles'

const ROW_H = 24
const COL_W = 120
const HEADER_H = 26

function defaultView(shape: readonly number[]): View {
  const nd = shape.length
  if (nd === 0) return { rowAxis: null, colAxis: null, index: [] }
  if (nd === 1) return { rowAxis: 0, colAxis: null, index: [0] }
  return { rowAxis: nd - 2, colAxis: nd - 1, index: shape.map(() => 0) }
}

function parseGoTo(text: string): [number, number] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean)
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => /^\d+$/.test(p))) return null
  return [Number(parts[0]), Number(parts[1] ?? 0)]
}

export function TableView(props: {
  session: SessionInfo
  onCursor: (cell: [number, number]) => void
}): React.JSX.Element {
  const { session, onCursor } = props
  const shape = session.layout.shape
  const view = useMemo(() => defaultView(shape), [shape])
  const rowsTotal = view.rowAxis === null ? 1 : shape[view.rowAxis]!
  const colsTotal = view.colAxis === null ? 1 : shape[view.colAxis]!
  const rowHeaderW = Math.max(56, String(rowsTotal).length * 8 + 20)

  const scroller = useRef<HTMLDivElement>(null)
  const [size, setSize] = useState({ w: 800, h: 600 })
  const [top, setTop] = useState(0)
  const [left, setLeft] = useState(0)
  const [cursor, setCursor] = useState<[number, number]>([0, 0])
  const [goTo, setGoTo] = useState('')
  const [goToError, setGoToError] = useState<string | null>(null)
  // Positions we scrolled to ourselves: the scroll event they cause must not re-derive top/left (rounding).
  const programmatic = useRef<{ x: number; y: number } | null>(null)

  const rowAxis: Axis = { count: rowsTotal, item: ROW_H, viewport: Math.max(ROW_H, size.h - HEADER_H) }
  const colAxis: Axis = { count: colsTotal, item: COL_W, viewport: Math.max(COL_W, size.w - rowHeaderW) }
  const visRows = Math.min(rowsTotal - top, visibleCount(rowAxis) + 1)
  const visCols = Math.min(colsTotal - left, visibleCount(colAxis) + 1)

  useLayoutEffect(() => {
    const el = scroller.current
    if (!el) return
    const ro = new ResizeObserver(() => setSize({ w: el.clientWidth, h: el.clientHeight }))
    ro.observe(el)
    return () => ro.disconnect()
  }, [])

  const tiles = useTiles(session, view)
  const ready = tiles.loaded(top, top + visRows, left, left + visCols)
  const { request } = tiles
  useEffect(
    () => request(top, top + visRows, left, left + visCols),
    [request, top, left, visRows, visCols, tiles.version]
  )

  const onScroll = (): void => {
    const el = scroller.current!
    const p = programmatic.current
    if (p && Math.abs(el.scrollTop - p.y) <= 1 && Math.abs(el.scrollLeft - p.x) <= 1) return
    programmatic.current = null
    setTop(firstIndex(rowAxis, el.scrollTop))
    setLeft(firstIndex(colAxis, el.scrollLeft))
  }

  const scrollTo = useCallback(
    (row: number, col: number) => {
      const el = scroller.current
      if (!el) return
      const y = scrollFor(rowAxis, row)
      const x = scrollFor(colAxis, col)
      el.scrollTop = y
      el.scrollLeft = x
      programmatic.current = { x: el.scrollLeft, y: el.scrollTop }
      setTop(Math.min(row, Math.max(0, rowsTotal - Math.floor(rowAxis.viewport / ROW_H))))
      setLeft(Math.min(col, Math.max(0, colsTotal - Math.floor(colAxis.viewport / COL_W))))
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [rowsTotal, colsTotal, size.w, size.h, rowHeaderW]
  )

  const moveCursor = useCallback(
    (row: number, col: number) => {
      const r = Math.max(0, Math.min(rowsTotal - 1, row))
      const c = Math.max(0, Math.min(colsTotal - 1, col))
      setCursor([r, c])
      onCursor([r, c])
      const fullRows = Math.max(1, Math.floor(rowAxis.viewport / ROW_H))
      const fullCols = Math.max(1, Math.floor(colAxis.viewport / COL_W))
      const newTop = r < top ? r : r >= top + fullRows ? r - fullRows + 1 : top
      const newLeft = c < left ? c : c >= left + fullCols ? c - fullCols + 1 : left
      if (newTop !== top || newLeft !== left) scrollTo(newTop, newLeft)
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [rowsTotal, colsTotal, top, left, scrollTo]
  )

  useEffect(() => onCursor([0, 0]), [onCursor])

  const onKeyDown = (e: React.KeyboardEvent): void => {
    const page = Math.max(1, Math.floor(rowAxis.viewport / ROW_H) - 1)
    const [r, c] = cursor
    const moves: Record<string, [number, number]> = {
      ArrowUp: [r - 1, c],
      ArrowDown: [r + 1, c],
      ArrowLeft: [r, c - 1],
      ArrowRight: [r, c + 1],
      PageUp: [r - page, c],
      PageDown: [r + page, c],
      Home: e.ctrlKey || e.metaKey ? [0, 0] : [r, 0],
      End: e.ctrlKey || e.metaKey ? [rowsTotal - 1, colsTotal - 1] : [r, colsTotal - 1]
    }
    const m = moves[e.key]
    if (!m) return
    e.preventDefault()
    moveCursor(m[0], m[1])
  }

  const submitGoTo = (e: React.FormEvent): void => {
    e.preventDefault()
    const target = parseGoTo(goTo)
    if (!target) return setGoToError('write a row and a column, e.g. 123456, 7')
    const [r, c] = target
    if (r >= rowsTotal || c >= colsTotal) {
      return setGoToError(`(${r}, ${c}) is outside the view: it has ${rowsTotal} rows and ${colsTotal} columns`)
    }
    setGoToError(null)
    scrollTo(r, c)
    setCursor([r, c])
    onCursor([r, c])
    scroller.current?.focus()
  }

  const cells: React.JSX.Element[] = []
  for (let i = 0; i < visRows; i++) {
    const r = top + i
    for (let j = 0; j < visCols; j++) {
      const c = left + j
      const t = tiles.text(r, c)
      const selected = cursor[0] === r && cursor[1] === c
      cells.push(
        <div
          key={`${i},${j}`}
          className={`cell${t === undefined ? ' loading' : ''}${selected ? ' selected' : ''}${t === 'nan' || t?.endsWith('inf') ? ' special' : ''}`}
          data-row={r}
          data-col={c}
          style={{ top: HEADER_H + i * ROW_H, left: rowHeaderW + j * COL_W, width: COL_W, height: ROW_H }}
          onMouseDown={() => {
            setCursor([r, c])
            onCursor([r, c])
          }}
        >
          {t ?? '…'}
        </div>
      )
    }
  }

  return (
    <div className="table-view">
      <form className="table-tools" onSubmit={submitGoTo}>
        <label>
          Go to
          <input
            name="goto"
            value={goTo}
            onChange={(e) => setGoTo(e.target.value)}
            placeholder="row, col"
            spellCheck={false}
          />
        </label>
        <button type="submit">Go</button>
        {goToError && <span className="validation bad">{goToError}</span>}
        {tiles.error && (
          <span className="validation bad" role="alert">
            {tiles.error}
          </span>
        )}
      </form>
      <div
        className="grid-scroller"
        ref={scroller}
        tabIndex={0}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
        data-testid="grid"
        data-ready={ready ? 'true' : 'false'}
        data-top={top}
        data-left={left}
      >
        <div className="grid-layer" style={{ width: size.w, height: size.h }}>
          {cells}
          {Array.from({ length: visCols }, (_, j) => (
            <div
              key={`h${j}`}
              className="col-header"
              style={{ left: rowHeaderW + j * COL_W, width: COL_W, height: HEADER_H }}
            >
              {view.colAxis === null ? '' : left + j}
            </div>
          ))}
          {Array.from({ length: visRows }, (_, i) => (
            <div
              key={`r${i}`}
              className="row-header"
              style={{ top: HEADER_H + i * ROW_H, width: rowHeaderW, height: ROW_H }}
            >
              {top + i}
            </div>
          ))}
          <div className="corner" style={{ width: rowHeaderW, height: HEADER_H }} />
        </div>
        {/* The scroll extent; pulled up under the sticky layer so that it adds no height of its own. */}
        <div style={{ width: extent(colAxis) + rowHeaderW, height: extent(rowAxis) + HEADER_H, marginTop: -size.h }} />
      </div>
    </div>
  )
}
