// Copy a selection as TSV (rows by newline, cells by tab), fetching the windows it covers.
import type { SessionInfo, View } from '../../../../shared/contract'
import { decodeWindow } from '../../../../shared/decode'
import { api } from '../../transport'
import { cellText } from './cell-format'
import type { CellFormat, Columns } from './view-model'

export interface Rect {
  r0: number
  r1: number
  c0: number
  c1: number
}

const MAX_CELLS = 1_000_000

export async function selectionTsv(
  session: SessionInfo,
  view: View,
  columns: Columns,
  sel: Rect,
  fmt: CellFormat
): Promise<string> {
  const rows = sel.r1 - sel.r0 + 1
  const cols = sel.c1 - sel.c0 + 1
  if (rows * cols > MAX_CELLS)
    throw new Error(`the selection has ${rows * cols} cells; copy at most ${MAX_CELLS} (export larger ones)`)
  const e0 = columns.element(sel.c0)
  const e1 = columns.element(sel.c1)
  if (e1 - e0 + 1 > 4096) throw new Error('the selection is too wide to copy: select at most 4096 columns')
  const lines: string[] = []
  const step = Math.max(1, Math.floor(65536 / (e1 - e0 + 1)))
  for (let r = sel.r0; r <= sel.r1; r += step) {
    const n = Math.min(step, sel.r1 - r + 1)
    const w = await api.invoke('window:get', {
      session: session.session,
      generation: 0,
      view,
      row0: r,
      rows: n,
      col0: e0,
      cols: e1 - e0 + 1
    })
    const d = decodeWindow(w.bytes, w.dtype, w.rows, w.cols)
    for (let i = 0; i < w.rows; i++) {
      const cells: string[] = []
      for (let c = sel.c0; c <= sel.c1; c++)
        cells.push(cellText(d.dtype, d.value(i, columns.element(c) - e0), columns.field(c), fmt))
      lines.push(cells.join('\t'))
    }
  }
  return lines.join('\n') + '\n'
}

export async function copySelection(
  session: SessionInfo,
  view: View,
  columns: Columns,
  sel: Rect,
  fmt: CellFormat
): Promise<number> {
  const tsv = await selectionTsv(session, view, columns, sel, fmt)
  await navigator.clipboard.writeText(tsv)
  return (sel.r1 - sel.r0 + 1) * (sel.c1 - sel.c0 + 1)
}
