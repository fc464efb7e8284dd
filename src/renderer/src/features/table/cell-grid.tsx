// The table's sticky layer: the visible cells (text, placeholder while loading, selection, heat colour,
// mismatch marks), the column and row headers, the corner and the cell editor. It draws what the table
// computed; what a cell shows comes from cellAt. The widest text drawn is reported, so the columns can fit it.
import { useEffect } from 'react'
import { heatColor, isSpecial } from './cell-format'
import type { Rect } from './copy'
import { textWidth } from './use-column-width'
import type { useCellEdit } from './use-cell-edit'

export const ROW_H = 24
export const HEADER_H = 26

/** What a table cell shows: nothing past the end of a wrapped 1-D view. */
export interface Cell {
  /** The view's element (row, column) the cell shows. */
  element: [number, number]
  /** Its text; undefined while its tile is loading. */
  text: string | undefined
  /** Its number for heat colouring (null: none). */
  number: number | null
  mismatch: boolean
  /** Its value changed in another program's write a moment ago (follow mode). */
  flash?: boolean
}

export function CellGrid(props: {
  top: number
  left: number
  rows: number
  cols: number
  width: number
  height: number
  rowHeaderW: number
  colW: number
  cellAt: (r: number, c: number) => Cell | null
  cursor: [number, number]
  selection: Rect
  heat: boolean
  colHeader: (c: number) => string
  /** A header's tooltip: where it is in the view, when that differs from the array index shown. */
  colTitle?: (c: number) => string
  rowHeader: (r: number) => string | number
  rowTitle?: (r: number) => string
  onCellDown: (r: number, c: number, extend: boolean) => void
  edit: ReturnType<typeof useCellEdit>
  /** Column resizing: drag a header's edge; double-click fits the columns to their values. */
  onResizeStart: (e: React.MouseEvent) => void
  onFit: () => void
  /** The widest text drawn (px), reported after each draw. */
  onTextWidth: (px: number) => void
}): React.JSX.Element {
  const { top, left, rows, cols, rowHeaderW, colW, cursor, selection, edit } = props
  const cells: (Cell | null)[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => props.cellAt(top + i, left + j))
  )
  // heat colouring: scale over the visible, loaded cells
  let lo = Infinity
  let hi = -Infinity
  if (props.heat) {
    for (const row of cells) {
      for (const cell of row) {
        if (cell?.number != null) {
          lo = Math.min(lo, cell.number)
          hi = Math.max(hi, cell.number)
        }
      }
    }
  }
  let need = 0 // what the texts on screen need (the column width fits them)
  for (let j = 0; j < cols; j++) need = Math.max(need, textWidth(props.colHeader(left + j)))
  const drawn: React.JSX.Element[] = []
  cells.forEach((row, i) =>
    row.forEach((cell, j) => {
      if (!cell) return // past the end of a wrapped 1-D view
      const r = top + i
      const c = left + j
      const t = cell.text
      if (t !== undefined) need = Math.max(need, textWidth(t))
      const selected = cursor[0] === r && cursor[1] === c
      const inSel = r >= selection.r0 && r <= selection.r1 && c >= selection.c0 && c <= selection.c1
      const x = cell.number
      drawn.push(
        <div
          key={`${i},${j}`}
          className={`cell${t === undefined ? ' loading' : ''}${selected ? ' selected' : inSel ? ' in-selection' : ''}${t !== undefined && isSpecial(t) ? ' special' : ''}${cell.mismatch ? ' mismatch' : ''}${cell.flash ? ' flash' : ''}`}
          data-row={r}
          data-col={c}
          data-element={`${cell.element[0]},${cell.element[1]}`}
          style={{
            top: HEADER_H + i * ROW_H,
            left: rowHeaderW + j * colW,
            width: colW,
            height: ROW_H,
            ...(props.heat && x !== null && hi > lo ? { background: heatColor((x - lo) / (hi - lo)) } : {})
          }}
          onMouseDown={(e) => props.onCellDown(r, c, e.shiftKey)}
          onDoubleClick={() => edit.start(r, c, t ?? '')}
          title={t}
        >
          {t ?? '…'}
        </div>
      )
    })
  )
  const { onTextWidth } = props
  useEffect(() => onTextWidth(need), [need]) // eslint-disable-line react-hooks/exhaustive-deps

  const editing = edit.editing
  return (
    <div className="grid-layer" style={{ width: props.width, height: props.height }}>
      {drawn}
      {Array.from({ length: cols }, (_, j) => (
        <div
          key={`h${j}`}
          className="col-header"
          title={props.colTitle?.(left + j)}
          style={{ left: rowHeaderW + j * colW, width: colW, height: HEADER_H }}
        >
          {props.colHeader(left + j)}
          <span
            className="col-resize"
            onMouseDown={props.onResizeStart}
            onDoubleClick={props.onFit}
            title="drag to resize the columns; double-click to fit them to their values"
          />
        </div>
      ))}
      {Array.from({ length: rows }, (_, i) => (
        <div
          key={`r${i}`}
          className="row-header"
          title={props.rowTitle?.(top + i)}
          style={{ top: HEADER_H + i * ROW_H, width: rowHeaderW, height: ROW_H }}
        >
          {props.rowHeader(top + i)}
        </div>
      ))}
      <div className="corner" style={{ width: rowHeaderW, height: HEADER_H }} />
      {editing &&
        editing.row >= top &&
        editing.row < top + rows &&
        editing.col >= left &&
        editing.col < left + cols && (
          <input
            className="cell-editor"
            data-testid="cell-editor"
            autoFocus
            value={editing.text}
            style={{
              top: HEADER_H + (editing.row - top) * ROW_H,
              left: rowHeaderW + (editing.col - left) * colW,
              width: colW,
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
  )
}
