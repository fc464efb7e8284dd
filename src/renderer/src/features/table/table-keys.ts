// The table's keyboard and clipboard: moving the cursor (arrows, pages, Home/End, Shift to select), starting an
// edit (Enter, F2 or a typed character), undo/redo, copying the selection as TSV and pasting a TSV block at the
// cursor. Everything here acts through the callbacks it is given; the table owns the state.
import type { SessionInfo, View } from '../../../../shared/contract'
import type { DType, Value } from '../../../../shared/structured'
import { api } from '../../transport'
import type { CellFormat, Columns } from '../../state/view-model'
import { cellText } from './cell-format'
import { copySelection, type Rect } from './copy'
import type { GridMap } from './grid-map'
import { readOnlyReason, type Editing, type Message } from './use-cell-edit'

export interface TableKeysContext {
  session: SessionInfo
  view: View
  dtype: DType
  format: CellFormat
  columns: Columns
  grid: GridMap
  rowsTotal: number
  colsTotal: number
  cursor: [number, number]
  selection: Rect
  /** Rows a page holds (PageUp / PageDown move one less). */
  pageRows: number
  editing: Editing | null
  /** The value table cell (r, c) shows (undefined: loading, or past the end of a wrapped 1-D view). */
  valueAt: (r: number, c: number) => Value | undefined
  startEdit: (row: number, col: number, text: string) => void
  writeCells: (cells: { row: number; col: number; text: string }[]) => Promise<unknown>
  moveCursor: (row: number, col: number, extend: boolean) => void
  setMessage: (m: Message) => void
}

export function tableKeys(x: TableKeysContext): {
  onKeyDown: (e: React.KeyboardEvent) => void
  onPaste: (e: React.ClipboardEvent) => void
} {
  const { session, cursor, columns } = x
  const undoRedo = (which: 'edit:undo' | 'edit:redo'): void => {
    api.invoke(which, { session: session.session }).catch((e: Error) => x.setMessage({ ok: false, text: e.message }))
  }

  const onPaste = (e: React.ClipboardEvent): void => {
    if (x.editing) return
    const text = e.clipboardData.getData('text/plain')
    if (!text) return
    e.preventDefault()
    const reason = readOnlyReason(session)
    if (reason) return x.setMessage({ ok: false, text: reason })
    const rows = text
      .replace(/\r?\n$/, '')
      .split(/\r?\n/)
      .map((line) => line.split('\t'))
    const cells = rows.flatMap((cols, i) => cols.map((t, j) => ({ row: cursor[0] + i, col: cursor[1] + j, text: t })))
    const outside = cells.find(
      (c) => c.row >= x.rowsTotal || c.col >= x.colsTotal || !x.grid.toView(c.row, columns.element(c.col))
    )
    if (outside)
      return x.setMessage({
        ok: false,
        text: `the pasted block (${rows.length} rows) does not fit in the view from (${cursor[0]}, ${cursor[1]})`
      })
    try {
      x.writeCells(cells).then(
        () => x.setMessage({ ok: true, text: `pasted ${cells.length} cells` }),
        (err: Error) => x.setMessage({ ok: false, text: err.message })
      )
    } catch (err) {
      x.setMessage({ ok: false, text: (err as Error).message })
    }
  }

  const onKeyDown = (e: React.KeyboardEvent): void => {
    if (x.editing) return
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
      const current = x.valueAt(cursor[0], cursor[1])
      const text =
        e.key.length === 1
          ? e.key
          : current === undefined
            ? ''
            : cellText(x.dtype, current, columns.field(cursor[1]), { mode: 'auto' })
      x.startEdit(cursor[0], cursor[1], text)
      return
    }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c') {
      e.preventDefault()
      void copySelection(session, x.view, columns, x.selection, x.format, x.grid).then(
        (n) => x.setMessage({ ok: true, text: `copied ${n} cells as TSV` }),
        (err: Error) => x.setMessage({ ok: false, text: err.message })
      )
      return
    }
    const page = x.pageRows
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
      End: ctrl ? [x.rowsTotal - 1, x.colsTotal - 1] : [r, x.colsTotal - 1]
    }
    const m = moves[e.key]
    if (!m) return
    e.preventDefault()
    x.moveCursor(m[0], m[1], e.shiftKey)
  }

  return { onKeyDown, onPaste }
}
