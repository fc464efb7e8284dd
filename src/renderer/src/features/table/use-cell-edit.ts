// The table's cell editor: opening it (refused at once, with the reason, where the session cannot be edited),
// writing one cell or filling the selection as one undoable edit, and closing it. The editor exists only while
// it has the focus: leaving it (a click on another cell, Tab, anything) writes a valid value and drops an
// invalid one with a message, so keys typed afterwards always reach the grid and are never silently lost.
import { useRef, useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { api } from '../../transport'
import { elementFileOffset, encodeCell } from './cell-edit'
import type { Rect } from './copy'
import type { Columns } from '../../state/view-model'

export interface Editing {
  row: number
  col: number
  text: string
}

export type Message = { ok: boolean; text: string } | null

/** Why this session's cells cannot be edited, or null when they can. */
export function readOnlyReason(session: SessionInfo): string | null {
  if (session.derived) return `${session.derived.label} is computed from two arrays: it is read-only`
  if (session.array?.readOnly) return `read-only: ${session.array.readOnly}`
  if (session.mode === 'r')
    return 'read-only (mode r): reopen the file with mode r+ to edit it, or c to edit a private copy'
  return null
}

export function useCellEdit(opts: {
  session: SessionInfo
  slice: string
  columns: Columns
  elementIndex: (row: number, col: number) => number[]
  selection: Rect
  setMessage: (m: Message) => void
  focusGrid: () => void
}): {
  editing: Editing | null
  start: (row: number, col: number, text: string) => void
  setText: (text: string) => void
  commit: (fill?: boolean) => void
  cancel: () => void
  leave: () => void
  writeCells: (cells: Editing[]) => Promise<unknown>
} {
  const { session, columns, setMessage } = opts
  const [editing, setEditingState] = useState<Editing | null>(null)
  // The editor's current value, read by the blur handler: focusing the grid (after a write or Escape) blurs the
  // editor synchronously, before React has re-rendered, so the closure's `editing` may be stale there.
  const current = useRef<Editing | null>(null)
  const setEditing = (e: Editing | null): void => {
    current.current = e
    setEditingState(e)
  }

  /** One undoable edit writing text into cells; refused whole if any cell's text is refused. */
  const writeCells = (cells: Editing[]): Promise<unknown> => {
    const writes = cells.map(({ row, col, text }) => {
      try {
        const { delta, bytes } = encodeCell(session.layout, columns.field(col), text)
        return { offset: elementFileOffset(session.layout, opts.slice, opts.elementIndex(row, col)) + delta, bytes }
      } catch (e) {
        throw new Error(cells.length > 1 ? `cell (${row}, ${col}): ${(e as Error).message}` : (e as Error).message)
      }
    })
    return api.invoke('edit:apply', { session: session.session, writes })
  }

  const start = (row: number, col: number, text: string): void => {
    const reason = readOnlyReason(session)
    if (reason) return setMessage({ ok: false, text: reason })
    setMessage(null)
    setEditing({ row, col, text })
  }

  /** Writes the cell (or fills the selection); an invalid value keeps the editor open with the reason. */
  const commit = (fill = false): void => {
    if (!editing) return
    const { row, col, text } = editing
    const { r0, r1, c0, c1 } = opts.selection
    try {
      const cells: Editing[] = []
      if (fill) {
        const n = (r1 - r0 + 1) * (c1 - c0 + 1)
        if (n > 1_000_000) throw new Error(`the selection has ${n} cells; fill at most 1000000`)
        for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) cells.push({ row: r, col: c, text })
      } else cells.push({ row, col, text })
      writeCells(cells)
        .then(() => {
          if (current.current === editing) setEditing(null)
          setMessage(null)
          opts.focusGrid()
        })
        .catch((e: Error) => setMessage({ ok: false, text: e.message }))
    } catch (e) {
      setMessage({ ok: false, text: (e as Error).message })
    }
  }

  const cancel = (): void => {
    setEditing(null)
    setMessage(null)
    opts.focusGrid()
  }

  /** The editor lost the focus: write a valid value, drop an invalid one and say so. */
  const leave = (): void => {
    const left = current.current
    if (!left) return
    const { row, col, text } = left
    setEditing(null)
    try {
      writeCells([left]).then(
        () => setMessage(null),
        (e: Error) => setMessage({ ok: false, text: `cell (${row}, ${col}) not written: ${e.message}` })
      )
    } catch (e) {
      setMessage({ ok: false, text: `cell (${row}, ${col}) not written ('${text}'): ${(e as Error).message}` })
    }
  }

  return {
    editing,
    start,
    setText: (text) => setEditing(current.current ? { ...current.current, text } : null),
    commit,
    cancel,
    leave,
    writeCells
  }
}
