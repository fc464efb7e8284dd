// The table of a 2-D view. Only visible cells are drawn; the scroll area is scaled (see scaled-scroll.ts),
// with a sticky layer that draws the column header, the row index column and the cells for the current
// first row/column. Cells show a placeholder until their tile arrives.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { parseDType } from '../../../../shared/structured'
import { cellNumber, cellText, heatColor, isSpecial } from './cell-format'
import { copySelection, type Rect } from './copy'
import { parseGoTo } from './go-to'
import { extent, firstIndex, scrollFor, visibleCount, type Axis } from './scaled-scroll'
import { useTiles } from './use-tiles'
import { api } from '../../transport'
import { readOnlyReason, useCellEdit } from './use-cell-edit'
import { useSignal } from './use-signal'
import { ConditionBar } from './condition-bar'
import { parseSlice, sliceOrigin, type SliceOrigin } from '../../../../shared/slice'
import { ViewBar } from './view-bar'
import type { Marks } from '../compare/use-mismatches'
import { columnsFor, fitAxes, slicedShape, toView, type ViewState } from './view-model'

const ROW_H = 24
const COL_W = 120
const HEADER_H = 26

export interface CursorInfo {
  cell: [number, number]
  /** Index of the element in the sliced array. */
  index: number[]
  /** The selection as [start, stop) per kept axis of the view, in axis order (for exporting it). */
  selection: [number, number][]
  /** Index of the element in the whole array (differs from index under a slice). */
  arrayIndex: number[]
  /** The sliced array's shape, when a slice is typed. */
  viewShape?: number[]
}

export function TableView(props: {
  session: SessionInfo
  state: ViewState
  onState: (s: ViewState) => void
  onCursor: (c: CursorInfo) => void
  /** A cell to move to (plots link to the cursor); seq makes a repeated jump to the same cell count. */
  jump?: { row: number; col: number; seq: number } | null
  /** A byte of the file whose element to select (the hex view links to the cursor). */
  jumpToByte?: { offset: number; seq: number } | null
  /** Cells to mark as mismatched (a comparison with another array). */
  marks?: Marks
  /** Scroll to this first row/column (side-by-side tables scroll together); seq makes a repeat count. */
  follow?: { top: number; left: number; seq: number } | null
  /** The cell to show first when the table mounts. */
  startAt?: [number, number]
  /** Where the user scrolled to. */
  onScrollTo?: (top: number, left: number) => void
}): React.JSX.Element {
  const { session, onCursor } = props
  // Axes and indices are fitted to the slice before they leave the table, so that the app (Copy as code,
  // export, analysis) never sees axes of the unsliced array paired with a sliced shape.
  const onState = (s: ViewState): void => props.onState(fitAxes(s, slicedShape(session.layout, s.slice).shape))
  const { shape, error: sliceError } = slicedShape(session.layout, props.state.slice)
  const state = fitAxes(props.state, shape)
  const dtype = useMemo(() => parseDType(session.layout.dtype), [session.layout.dtype])
  const rowsTotal = state.rowAxis === null ? 1 : shape[state.rowAxis]!
  const elementCols = state.colAxis === null ? 1 : shape[state.colAxis]!
  const columns = columnsFor(dtype, elementCols, state.colAxis !== null)
  const colsTotal = columns.count
  const rowHeaderW = Math.max(56, String(rowsTotal).length * 8 + 20)
  // The view object is rebuilt every render; key it by content so tiles and effects only react to changes.
  const viewKey = JSON.stringify(toView(state))
  const origin = useMemo(() => originOf(session.layout.shape, state.slice), [session.layout.shape, state.slice])
  const view = useMemo(() => JSON.parse(viewKey) as ReturnType<typeof toView>, [viewKey])

  const scroller = useRef<HTMLDivElement>(null)
  const [size, setSize] = useState({ w: 800, h: 600 })
  const [top, setTop] = useState(0)
  const [left, setLeft] = useState(0)
  const [cursor, setCursor] = useState<[number, number]>([0, 0])
  const [anchor, setAnchor] = useState<[number, number] | null>(null)
  const [goTo, setGoTo] = useState('')
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  // Positions we scrolled to ourselves: the scroll event they cause must not re-derive top/left (rounding).
  const programmatic = useRef<{ x: number; y: number } | null>(null)

  const rowAxis: Axis = { count: rowsTotal, item: ROW_H, viewport: Math.max(ROW_H, size.h - HEADER_H) }
  const colAxis: Axis = { count: colsTotal, item: COL_W, viewport: Math.max(COL_W, size.w - rowHeaderW) }
  const visRows = Math.max(0, Math.min(rowsTotal - top, visibleCount(rowAxis) + 1))
  const visCols = Math.max(0, Math.min(colsTotal - left, visibleCount(colAxis) + 1))
  const e0 = columns.element(left)
  const e1 = visCols > 0 ? columns.element(left + visCols - 1) + 1 : e0

  useLayoutEffect(() => {
    const el = scroller.current
    if (!el) return
    const ro = new ResizeObserver(() => setSize({ w: el.clientWidth, h: el.clientHeight }))
    ro.observe(el)
    return () => ro.disconnect()
  }, [])

  const tiles = useTiles(session, view)
  const { refresh } = tiles
  useEffect(
    () => api.on('session:edited', (e) => e.session === session.session && refresh()),
    [session.session, refresh]
  )
  const onPaste = (e: React.ClipboardEvent): void => {
    if (editing) return
    const text = e.clipboardData.getData('text/plain')
    if (!text) return
    e.preventDefault()
    const reason = readOnlyReason(session)
    if (reason) return setMessage({ ok: false, text: reason })
    const rows = text
      .replace(/\r?\n$/, '')
      .split(/\r?\n/)
      .map((line) => line.split('\t'))
    const cells = rows.flatMap((cols, i) => cols.map((t, j) => ({ row: cursor[0] + i, col: cursor[1] + j, text: t })))
    const outside = cells.find((c) => c.row >= rowsTotal || c.col >= colsTotal)
    if (outside)
      return setMessage({
        ok: false,
        text: `the pasted block (${rows.length} rows) does not fit in the view from (${cursor[0]}, ${cursor[1]})`
      })
    try {
      writeCells(cells).then(
        () => setMessage({ ok: true, text: `pasted ${cells.length} cells` }),
        (err: Error) => setMessage({ ok: false, text: err.message })
      )
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message })
    }
  }

  const undoRedo = (which: 'edit:undo' | 'edit:redo'): void => {
    api.invoke(which, { session: session.session }).catch((e: Error) => setMessage({ ok: false, text: e.message }))
  }
  const ready = sliceError === null && tiles.loaded(top, top + visRows, e0, e1)
  const { request } = tiles
  useEffect(() => {
    if (sliceError === null && visRows > 0 && e1 > e0) request(top, top + visRows, e0, e1)
  }, [request, top, visRows, e0, e1, tiles.version, sliceError])
  const marks = props.marks
  useEffect(() => {
    if (marks && sliceError === null && visRows > 0 && e1 > e0) marks.request(top, top + visRows, e0, e1)
  }, [marks, top, visRows, e0, e1, sliceError])

  // where the first view starts: the cell the tab was opened at (a derived tab: where the cursor was), else 0, 0
  const pendingGoTo = useRef<[number, number] | null>(props.startAt ?? null)

  const elementIndex = useCallback(
    (r: number, c: number): number[] =>
      state.index.map((v, k) => (k === state.rowAxis ? r : k === state.colAxis ? columns.element(c) : v)),
    [state.index, state.rowAxis, state.colAxis, columns]
  )
  const selKey = anchor ? `${anchor[0]},${anchor[1]}` : ''
  useEffect(() => {
    const a = anchor ?? cursor
    const rows: [number, number] = [Math.min(a[0], cursor[0]), Math.max(a[0], cursor[0]) + 1]
    const cols: [number, number] = [
      columns.element(Math.min(a[1], cursor[1])),
      columns.element(Math.max(a[1], cursor[1])) + 1
    ]
    const kept: [number, [number, number]][] = []
    if (state.rowAxis !== null) kept.push([state.rowAxis, rows])
    if (state.colAxis !== null) kept.push([state.colAxis, cols])
    kept.sort((x, y) => x[0] - y[0])
    const index = elementIndex(cursor[0], cursor[1])
    onCursor({
      cell: cursor,
      index,
      selection: kept.map(([, r]) => r),
      arrayIndex: origin.arrayIndex(index),
      ...(origin.identity ? {} : { viewShape: shape })
    })
  }, [cursor, selKey, elementIndex, onCursor, origin]) // eslint-disable-line react-hooks/exhaustive-deps

  const onScroll = (): void => {
    const el = scroller.current!
    const p = programmatic.current
    if (p && Math.abs(el.scrollTop - p.y) <= 1 && Math.abs(el.scrollLeft - p.x) <= 1) return
    programmatic.current = null
    const t = firstIndex(rowAxis, el.scrollTop)
    const l = firstIndex(colAxis, el.scrollLeft)
    setTop(t)
    setLeft(l)
    props.onScrollTo?.(t, l)
  }

  const scrollTo = (row: number, col: number): void => {
    const el = scroller.current
    if (!el) return
    el.scrollTop = scrollFor(rowAxis, row)
    el.scrollLeft = scrollFor(colAxis, col)
    programmatic.current = { x: el.scrollLeft, y: el.scrollTop }
    setTop(Math.min(row, Math.max(0, rowsTotal - Math.floor(rowAxis.viewport / ROW_H))))
    setLeft(Math.min(col, Math.max(0, colsTotal - Math.floor(colAxis.viewport / COL_W))))
  }

  const jumpTo = (row: number, col: number): void => {
    scrollTo(row, col)
    setCursor([row, col])
    setAnchor(null)
  }

  // A new view starts at the top-left, or where a go-to that changed the view asked.
  useEffect(() => {
    const [r, c] = pendingGoTo.current ?? [0, 0]
    pendingGoTo.current = null
    jumpTo(r, c)
  }, [view]) // eslint-disable-line react-hooks/exhaustive-deps

  useSignal(props.jump?.seq, () => {
    if (props.jump) jumpTo(Math.min(props.jump.row, rowsTotal - 1), Math.min(props.jump.col, colsTotal - 1))
  })

  useEffect(() => {
    if (props.follow && (props.follow.top !== top || props.follow.left !== left))
      scrollTo(props.follow.top, props.follow.left)
  }, [props.follow?.seq]) // eslint-disable-line react-hooks/exhaustive-deps

  const moveCursor = (row: number, col: number, extend = false): void => {
    const r = Math.max(0, Math.min(rowsTotal - 1, row))
    const c = Math.max(0, Math.min(colsTotal - 1, col))
    setAnchor(extend ? (anchor ?? cursor) : null)
    setCursor([r, c])
    const fullRows = Math.max(1, Math.floor(rowAxis.viewport / ROW_H))
    const fullCols = Math.max(1, Math.floor(colAxis.viewport / COL_W))
    const newTop = r < top ? r : r >= top + fullRows ? r - fullRows + 1 : top
    const newLeft = c < left ? c : c >= left + fullCols ? c - fullCols + 1 : left
    if (newTop !== top || newLeft !== left) scrollTo(newTop, newLeft)
  }

  const selection: Rect = anchor
    ? {
        r0: Math.min(anchor[0], cursor[0]),
        r1: Math.max(anchor[0], cursor[0]),
        c0: Math.min(anchor[1], cursor[1]),
        c1: Math.max(anchor[1], cursor[1])
      }
    : { r0: cursor[0], r1: cursor[0], c0: cursor[1], c1: cursor[1] }

  const edit = useCellEdit({
    session,
    slice: state.slice,
    columns,
    elementIndex,
    selection,
    setMessage,
    focusGrid: () => scroller.current?.focus()
  })
  const { editing, writeCells } = edit

  const onKeyDown = (e: React.KeyboardEvent): void => {
    if (editing) return
    const mod = e.ctrlKey || e.metaKey
    if (mod && e.key.toLowerCase() === 'z') {
      e.preventDefault()
      return undoRedo(e.shiftKey ? 'edit:redo' : 'edit:undo')
    }
    if (mod && e.key.toLowerCase() === 'y') {
      e.preventDefault()
      return undoRedo('edit:redo')
    }
    if (e.key === 'Enter' || e.key === 'F2' || (e.key.length === 1 && !mod && !e.altKey)) {
      e.preventDefault()
      const current = tiles.value(cursor[0], columns.element(cursor[1]))
      const text =
        e.key.length === 1
          ? e.key
          : current === undefined
            ? ''
            : cellText(dtype, current, columns.field(cursor[1]), { mode: 'auto' })
      edit.start(cursor[0], cursor[1], text)
      return
    }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c') {
      e.preventDefault()
      void copySelection(session, view, columns, selection, state.format).then(
        (n) => setMessage({ ok: true, text: `copied ${n} cells as TSV` }),
        (err: Error) => setMessage({ ok: false, text: err.message })
      )
      return
    }
    const page = Math.max(1, Math.floor(rowAxis.viewport / ROW_H) - 1)
    const [r, c] = cursor
    const ctrl = e.ctrlKey || e.metaKey
    const moves: Record<string, [number, number]> = {
      ArrowUp: [r - 1, c],
      ArrowDown: [r + 1, c],
      ArrowLeft: [r, c - 1],
      ArrowRight: [r, c + 1],
      PageUp: [r - page, c],
      PageDown: [r + page, c],
      Home: ctrl ? [0, 0] : [r, 0],
      End: ctrl ? [rowsTotal - 1, colsTotal - 1] : [r, colsTotal - 1]
    }
    const m = moves[e.key]
    if (!m) return
    e.preventDefault()
    moveCursor(m[0], m[1], e.shiftKey)
  }

  const submitGoTo = (e: React.FormEvent): void => {
    e.preventDefault()
    goToText(goTo)
  }

  useSignal(props.jumpToByte?.seq, () => {
    if (props.jumpToByte) goToText(`@${props.jumpToByte.offset}`)
  })

  /** Moves to an element of the sliced array: its other axes first (a new 2-D view), then the cell. */
  function goToElement(index: number[]): void {
    const row = state.rowAxis === null ? 0 : index[state.rowAxis]!
    const col = state.colAxis === null ? 0 : index[state.colAxis]! * (columns.fields?.length ?? 1)
    const others = index.map((v, k) => (k === state.rowAxis || k === state.colAxis ? state.index[k]! : v))
    if (others.some((v, k) => v !== state.index[k])) {
      pendingGoTo.current = [row, col]
      onState({ ...state, index: others })
    } else jumpTo(row, col)
  }

  function goToText(text: string): void {
    const target = parseGoTo(text, session.layout, state, shape, rowsTotal, columns)
    if ('error' in target) return setMessage({ ok: false, text: target.error })
    setMessage(target.note ? { ok: true, text: target.note } : null)
    if (target.state) {
      pendingGoTo.current = [target.row, target.col]
      onState(target.state)
    } else jumpTo(target.row, target.col)
  }

  // heat colouring: scale over the visible, loaded cells
  let lo = Infinity
  let hi = -Infinity
  if (state.heat) {
    for (let i = 0; i < visRows; i++) {
      for (let j = 0; j < visCols; j++) {
        const v = tiles.value(top + i, columns.element(left + j))
        const x = v === undefined ? null : cellNumber(v, columns.field(left + j))
        if (x !== null) {
          lo = Math.min(lo, x)
          hi = Math.max(hi, x)
        }
      }
    }
  }

  const cells: React.JSX.Element[] = []
  for (let i = 0; i < visRows; i++) {
    const r = top + i
    for (let j = 0; j < visCols; j++) {
      const c = left + j
      const field = columns.field(c)
      const v = tiles.value(r, columns.element(c))
      const t = v === undefined ? undefined : cellText(dtype, v, field, state.format)
      const selected = cursor[0] === r && cursor[1] === c
      const inSel = r >= selection.r0 && r <= selection.r1 && c >= selection.c0 && c <= selection.c1
      const x = state.heat && v !== undefined ? cellNumber(v, field) : null
      const mismatch = marks?.marked(r, columns.element(c)) ?? false
      cells.push(
        <div
          key={`${i},${j}`}
          className={`cell${t === undefined ? ' loading' : ''}${selected ? ' selected' : inSel ? ' in-selection' : ''}${t !== undefined && isSpecial(t) ? ' special' : ''}${mismatch ? ' mismatch' : ''}`}
          data-row={r}
          data-col={c}
          style={{
            top: HEADER_H + i * ROW_H,
            left: rowHeaderW + j * COL_W,
            width: COL_W,
            height: ROW_H,
            ...(x !== null && hi > lo ? { background: heatColor((x - lo) / (hi - lo)) } : {})
          }}
          onMouseDown={(e) => {
            setAnchor(e.shiftKey ? (anchor ?? cursor) : null)
            setCursor([r, c])
          }}
          onDoubleClick={() => edit.start(r, c, t ?? '')}
        >
          {t ?? '…'}
        </div>
      )
    }
  }

  return (
    <div className="table-view">
      <ViewBar state={state} shape={shape} sliceError={sliceError} onChange={onState} />
      <form className="table-tools" onSubmit={submitGoTo}>
        <label>
          Go to
          <input
            name="goto"
            value={goTo}
            onChange={(e) => setGoTo(e.target.value)}
            placeholder="row, col  or  @byte offset"
            spellCheck={false}
          />
        </label>
        <button type="submit">Go</button>
        {message && (
          <span className={message.ok ? 'validation ok' : 'validation bad'} role="status" data-testid="table-message">
            {message.text}
          </span>
        )}
        {tiles.error && (
          <span className="validation bad" role="alert">
            {tiles.error}
          </span>
        )}
      </form>
      {realValued(dtype) && sliceError === null && (
        <ConditionBar
          session={session}
          slice={state.slice}
          shape={shape}
          cursor={elementIndex(cursor[0], cursor[1])}
          onFound={goToElement}
          describe={(index) =>
            origin.identity
              ? `at (${index.join(', ')})`
              : `at view (${index.join(', ')}) · array (${origin.arrayIndex(index).join(', ')})`
          }
        />
      )}
      <div
        className="grid-scroller"
        ref={scroller}
        tabIndex={0}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
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
              title={origin.identity ? undefined : `view column ${columns.element(left + j)}`}
              style={{ left: rowHeaderW + j * COL_W, width: COL_W, height: HEADER_H }}
            >
              {columns.header(
                left + j,
                state.colAxis === null ? '' : String(origin.along(state.colAxis, columns.element(left + j)))
              )}
            </div>
          ))}
          {Array.from({ length: visRows }, (_, i) => (
            <div
              key={`r${i}`}
              className="row-header"
              title={origin.identity ? undefined : `view row ${top + i}`}
              style={{ top: HEADER_H + i * ROW_H, width: rowHeaderW, height: ROW_H }}
            >
              {state.rowAxis === null ? top + i : origin.along(state.rowAxis, top + i)}
            </div>
          ))}
          <div className="corner" style={{ width: rowHeaderW, height: HEADER_H }} />
          {editing &&
            editing.row >= top &&
            editing.row < top + visRows &&
            editing.col >= left &&
            editing.col < left + visCols && (
              <input
                className="cell-editor"
                data-testid="cell-editor"
                autoFocus
                value={editing.text}
                style={{
                  top: HEADER_H + (editing.row - top) * ROW_H,
                  left: rowHeaderW + (editing.col - left) * COL_W,
                  width: COL_W,
                  height: ROW_H
                }}
                onChange={(e) => edit.setText(e.target.value)}
                onBlur={edit.leave}
                onKeyDown={(e) => {
                  e.stopPropagation()
                  // Enter writes the cell; Ctrl+Enter fills the whole selection with the value
                  if (e.key === 'Enter') edit.commit(e.ctrlKey || e.metaKey)
                  if (e.key === 'Escape') edit.cancel()
                }}
              />
            )}
        </div>
        {/* The scroll extent; pulled up under the sticky layer so that it adds no height of its own. */}
        <div style={{ width: extent(colAxis) + rowHeaderW, height: extent(rowAxis) + HEADER_H, marginTop: -size.h }} />
      </div>
    </div>
  )
}

/** The array indices of a sliced view's elements (an invalid slice: the identity, the table shows the error). */
function originOf(shape: readonly number[], slice: string): SliceOrigin {
  try {
    return sliceOrigin(shape, parseSlice(slice))
  } catch {
    return { arrayIndex: (i) => [...i], along: (_, i) => i, identity: true }
  }
}

/** Whether the kernels can scan this dtype's values (real numbers and bools; not complex, records, strings). */
function realValued(dtype: ReturnType<typeof parseDType>): boolean {
  return (
    dtype.kind === 'scalar' &&
    ['int', 'uint', 'float', 'bool'].includes(dtype.type.kind) &&
    !dtype.type.name.startsWith('longdouble')
  )
}
