// The table of a 2-D view. Only visible cells are drawn; the scroll area is scaled (see scaled-scroll.ts),
// with a sticky layer that draws the column header, the row index column and the cells for the current
// first row/column. Cells show a placeholder until their tile arrives.
import type { CursorInfo } from '../../state/cursor'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { parseDType } from '../../../../shared/structured'
import { cellNumber, cellText } from './cell-format'
import { CellGrid, HEADER_H, ROW_H, type Cell } from './cell-grid'
import type { Rect } from './copy'
import { parseGoTo } from './go-to'
import { visibleCount } from './scaled-scroll'
import { useClientSize, useScaledScroll } from './use-scaled-scroll'
import { useTiles } from './use-tiles'
import { api } from '../../transport'
import { useCellEdit, type Message } from './use-cell-edit'
import { useSignal } from './use-signal'
import { TableTools } from './table-tools'
import { tableKeys } from './table-keys'
import { gridMap, wrapWidth } from './grid-map'
import { useColumnWidth } from './use-column-width'
import { parseSlice, sliceOrigin, type SliceOrigin } from '../../../../shared/slice'
import { ViewBar } from './view-bar'
import { FollowToggle } from './follow-toggle'
import { useStickToEnd } from './use-stick-to-end'
import { TextStatus } from './text-status'
import { keepCursor } from '../../state/keep-cursor'
import type { Marks } from '../compare/use-mismatches'
import { columnsFor, fitAxes, slicedShape, toView, type ViewState } from '../../state/view-model'
import { GRID_SHORTCUT } from '../../use-grid-shortcut'

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
  // memoized, as the columns below: the cursor effect depends on them (through elementIndex), and new arrays at
  // every render made it tell the app the cursor again, which rendered the table again — a loop that kept a
  // core busy while nobody touched the app
  const { shape, error: sliceError } = useMemo(
    () => slicedShape(session.layout, props.state.slice),
    [session.layout, props.state.slice]
  )
  const state = useMemo(() => fitAxes(props.state, shape), [props.state, shape])
  const dtype = useMemo(() => parseDType(session.layout.dtype), [session.layout.dtype])
  const viewRows = state.rowAxis === null ? 1 : shape[state.rowAxis]!
  const viewCols = state.colAxis === null ? 1 : shape[state.colAxis]!
  const rowHeaderW = Math.max(56, String(viewRows).length * 8 + 20)
  // The view object is rebuilt every render; key it by content so tiles and effects only react to changes.
  const viewKey = JSON.stringify(toView(state))
  const origin = useMemo(() => originOf(session.layout.shape, state.slice), [session.layout.shape, state.slice])
  const view = useMemo(() => JSON.parse(viewKey) as ReturnType<typeof toView>, [viewKey])

  // the columns fit again for another slice or other axes, not for another index along them (a go-to)
  const colWidth = useColumnWidth(`${session.session}|${state.slice}|${state.rowAxis}|${state.colAxis}`)
  const COL_W = colWidth.width
  const [scroller, size] = useClientSize()
  // a 1-D view wraps into rows of consecutive elements that fill the width (grid-map.ts)
  const fields = dtype.kind === 'struct' ? dtype.fields.length : 1
  const wrap =
    state.rowAxis !== null && state.colAxis === null ? wrapWidth(viewRows, size.w - rowHeaderW, COL_W, fields) : 0
  const grid = useMemo(() => gridMap(viewRows, viewCols, wrap), [viewRows, viewCols, wrap])
  const rowsTotal = grid.rows
  const showIndex = state.colAxis !== null || wrap > 0
  const columns = useMemo(() => columnsFor(dtype, grid.elementCols, showIndex), [dtype, grid.elementCols, showIndex])
  const colsTotal = columns.count
  const scroll = useScaledScroll(scroller, size, {
    rows: { count: rowsTotal, item: ROW_H },
    cols: { count: colsTotal, item: COL_W },
    header: { top: HEADER_H, left: rowHeaderW },
    onUserScroll: props.onScrollTo
  })
  const { top, left, rowAxis, colAxis, scrollTo } = scroll
  // a followed file growing: a table showing its last row keeps showing it (tail -f)
  useStickToEnd(viewRows, rowsTotal, top, visibleCount(rowAxis), () => scrollTo(rowsTotal, left))
  const [cursor, setCursor] = useState<[number, number]>([0, 0])
  const [anchor, setAnchor] = useState<[number, number] | null>(null)
  const [message, setMessage] = useState<Message>(null)
  const visRows = Math.max(0, Math.min(rowsTotal - top, visibleCount(rowAxis) + 1))
  const visCols = Math.max(0, Math.min(colsTotal - left, visibleCount(colAxis) + 1))
  const e0 = columns.element(left)
  const e1 = visCols > 0 ? columns.element(left + visCols - 1) + 1 : e0
  // what the visible cells are in the view's own rows and columns (the tiles' and marks' coordinates)
  const [v0, v1, ve0, ve1] = grid.span(top, top + visRows, e0, e1)

  const tiles = useTiles(session, view)
  const { refresh } = tiles
  useEffect(
    () => api.on('session:edited', (e) => e.session === session.session && refresh(e.external)),
    [session.session, refresh]
  )
  const ready = sliceError === null && tiles.loaded(v0, v1, ve0, ve1)
  const { request } = tiles
  useEffect(() => {
    if (sliceError === null && v1 > v0 && ve1 > ve0) request(v0, v1, ve0, ve1)
  }, [request, v0, v1, ve0, ve1, tiles.version, sliceError])
  const marks = props.marks
  useEffect(() => {
    if (marks && sliceError === null && v1 > v0 && ve1 > ve0) marks.request(v0, v1, ve0, ve1)
  }, [marks, v0, v1, ve0, ve1, sliceError])
  /** The value table cell (r, c) shows (undefined: loading, or past the end of a wrapped 1-D view). */
  const valueAt = (r: number, c: number): ReturnType<typeof tiles.value> => {
    const p = grid.toView(r, columns.element(c))
    return p ? tiles.value(p[0], p[1]) : undefined
  }
  /** The table cell showing the view's element (row, column); col is a logical column (fields). */
  const toTableCell = (row: number, col: number): [number, number] => {
    const [r, e] = grid.toTable(row, columns.element(col))
    return [r, e * fields + (col % fields)]
  }

  // where the first view starts: the cell the tab was opened at (a derived tab: where the cursor was), else 0, 0
  const pendingGoTo = useRef<[number, number] | null>(props.startAt ?? null)
  /** Where the cursor goes in a view changed from the bar: (view row, view column), placed in the new grid. */
  const pendingElement = useRef<[number, number] | null>(null)

  const elementIndex = useCallback(
    (r: number, c: number): number[] => {
      const [vr, ve] = grid.toView(r, columns.element(c)) ?? [viewRows - 1, 0]
      return state.index.map((v, k) => (k === state.rowAxis ? vr : k === state.colAxis ? ve : v))
    },
    [state.index, state.rowAxis, state.colAxis, columns, grid, viewRows]
  )
  const selKey = anchor ? `${anchor[0]},${anchor[1]}` : ''
  useEffect(() => {
    const a = anchor ?? cursor
    let rows: [number, number] = [Math.min(a[0], cursor[0]), Math.max(a[0], cursor[0]) + 1]
    const cols: [number, number] = [
      columns.element(Math.min(a[1], cursor[1])),
      columns.element(Math.max(a[1], cursor[1])) + 1
    ]
    if (grid.wrap) {
      // a wrapped 1-D view: the elements from the selection's first to its last
      const lin = (p: [number, number]): number => grid.toView(p[0], columns.element(p[1]))?.[0] ?? viewRows - 1
      rows = [Math.min(lin(a), lin(cursor)), Math.max(lin(a), lin(cursor)) + 1]
    }
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

  // a wrapped view re-wrapped (the width changed): the cursor stays on its element
  const lastWrap = useRef(wrap)
  useEffect(() => {
    const before = lastWrap.current
    lastWrap.current = wrap
    if (before === wrap) return
    const lin = before ? cursor[0] * before + Math.floor(cursor[1] / fields) : cursor[0]
    const [r, c] = toTableCell(Math.min(lin, viewRows - 1), (cursor[1] % fields) + 0)
    jumpTo(r, c)
  }, [wrap]) // eslint-disable-line react-hooks/exhaustive-deps

  const jumpTo = (row: number, col: number): void => {
    scrollTo(row, col)
    setCursor([row, col])
    setAnchor(null)
  }

  // A new view starts at the top-left, or where a go-to that changed the view asked.
  useEffect(() => {
    const el = pendingElement.current
    pendingElement.current = null
    const [r, c] = pendingGoTo.current ?? (el ? toTableCell(Math.min(el[0], viewRows - 1), el[1] * fields) : [0, 0])
    pendingGoTo.current = null
    jumpTo(r, c)
  }, [view]) // eslint-disable-line react-hooks/exhaustive-deps

  /** A view changed from the bar (axes, sliders, slice): the cursor stays on its element where it can. */
  const changeView = (next: ViewState): void => {
    const same = next.slice === state.slice && next.rowAxis === state.rowAxis && next.colAxis === state.colAxis
    if (same && next.index.every((v, k) => v === state.index[k])) return onState(next) // format, heat: no new view
    const kept = keepCursor(state, next, elementIndex(cursor[0], cursor[1]))
    pendingElement.current = kept?.at ?? null
    onState(kept?.state ?? next)
  }

  useSignal(props.jump?.seq, () => {
    if (!props.jump) return
    const [r, c] = toTableCell(Math.min(props.jump.row, viewRows - 1), props.jump.col)
    jumpTo(r, Math.min(c, colsTotal - 1))
  })

  useEffect(() => {
    if (props.follow && (props.follow.top !== top || props.follow.left !== left))
      scrollTo(props.follow.top, props.follow.left)
  }, [props.follow?.seq]) // eslint-disable-line react-hooks/exhaustive-deps

  const moveCursor = (row: number, col: number, extend = false): void => {
    let r = Math.max(0, Math.min(rowsTotal - 1, row))
    let c = Math.max(0, Math.min(colsTotal - 1, col))
    // past the end of a wrapped 1-D view's last row: its last element
    if (!grid.toView(r, columns.element(c))) [r, c] = toTableCell(viewRows - 1, fields - 1)
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

  const { onKeyDown, onPaste } = tableKeys({
    session,
    view,
    dtype,
    format: state.format,
    columns,
    grid,
    rowsTotal,
    colsTotal,
    cursor,
    selection,
    pageRows: Math.max(1, Math.floor(rowAxis.viewport / ROW_H) - 1),
    editing,
    valueAt,
    startEdit: edit.start,
    writeCells,
    moveCursor,
    setMessage
  })

  useSignal(props.jumpToByte?.seq, () => {
    if (props.jumpToByte) goToText(`@${props.jumpToByte.offset}`)
  })

  /** A column's header: its index along the column axis in the whole array. */
  function colHeader(c: number): string {
    if (grid.wrap) return `+${columns.element(c)}` // a wrapped 1-D view: the offset from the row's first element
    return state.colAxis === null ? '' : String(origin.along(state.colAxis, columns.element(c)))
  }

  /** Moves to an element of the sliced array: its other axes first (a new 2-D view), then the cell. */
  function goToElement(index: number[]): void {
    const [row, col] = toTableCell(
      state.rowAxis === null ? 0 : index[state.rowAxis]!,
      state.colAxis === null ? 0 : index[state.colAxis]! * fields
    )
    const others = index.map((v, k) => (k === state.rowAxis || k === state.colAxis ? state.index[k]! : v))
    if (others.some((v, k) => v !== state.index[k])) {
      pendingGoTo.current = [row, col]
      onState({ ...state, index: others })
    } else jumpTo(row, col)
  }

  function goToText(text: string): void {
    const target = parseGoTo(text, session.layout, state, shape, viewRows, columns)
    if ('error' in target) return setMessage({ ok: false, text: target.error })
    setMessage(target.note ? { ok: true, text: target.note } : null)
    if (target.state) {
      pendingGoTo.current = toTableCell(target.row, target.col)
      onState(target.state)
    } else jumpTo(...toTableCell(target.row, target.col))
  }

  /** What table cell (r, c) shows (null past the end of a wrapped 1-D view). */
  const cellAt = (r: number, c: number): Cell | null => {
    const at = grid.toView(r, columns.element(c))
    if (!at) return null
    const field = columns.field(c)
    const v = tiles.value(at[0], at[1])
    return {
      element: at,
      text: v === undefined ? undefined : cellText(dtype, v, field, state.format),
      number: state.heat && v !== undefined ? cellNumber(v, field) : null,
      mismatch: marks?.marked(at[0], at[1]) ?? false,
      flash: tiles.flashing(at[0], at[1])
    }
  }

  return (
    <div className="table-view">
      <ViewBar state={state} shape={shape} sliceError={sliceError} onChange={changeView}>
        <FollowToggle key={session.session} session={session} />
        <TextStatus session={session} />
      </ViewBar>
      <TableTools
        session={session}
        dtype={dtype}
        slice={state.slice}
        shape={shape}
        sliceError={sliceError}
        origin={origin}
        message={message}
        tilesError={tiles.error}
        cursorIndex={elementIndex(cursor[0], cursor[1])}
        onGoTo={goToText}
        onFound={goToElement}
      />
      <div
        className="grid-scroller"
        ref={scroller}
        tabIndex={0}
        onScroll={scroll.onScroll}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        data-testid="grid"
        aria-keyshortcuts={GRID_SHORTCUT}
        data-ready={ready ? 'true' : 'false'}
        data-top={top}
        data-left={left}
      >
        <CellGrid
          top={top}
          left={left}
          rows={visRows}
          cols={visCols}
          width={size.w}
          height={size.h}
          rowHeaderW={rowHeaderW}
          colW={COL_W}
          cellAt={cellAt}
          cursor={cursor}
          selection={selection}
          heat={state.heat}
          colHeader={(c) => columns.header(c, colHeader(c))}
          colTitle={origin.identity ? undefined : (c) => `view column ${columns.element(c)}`}
          rowHeader={(r) => (state.rowAxis === null ? r : origin.along(state.rowAxis, grid.toView(r, 0)![0]))}
          rowTitle={origin.identity ? undefined : (r) => `view row ${r}`}
          onCellDown={(r, c, extend) => {
            setAnchor(extend ? (anchor ?? cursor) : null)
            setCursor([r, c])
          }}
          edit={edit}
          onResizeStart={colWidth.startDrag}
          onFit={colWidth.fit}
          onTextWidth={colWidth.observe}
        />
        {/* The scroll extent; pulled up under the sticky layer so that it adds no height of its own. */}
        <div style={scroll.spacer} />
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
