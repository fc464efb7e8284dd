// Copy a selection as TSV (rows by newline, cells by tab), fetching the windows it covers.
import type { SessionInfo, View } from '../../../../shared/contract'
import { decodeWindow } from '../../../../shared/decode'
import { api } from '../../transport'
import { cellText } from './cell-format'
import type { CellFormat, Columns } from '../../state/view-model'
import type { GridMap } from './grid-map'

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
  fmt: CellFormat,
  grid?: GridMap
): Promise<string> {
  const rows = sel.r1 - sel.r0 + 1
  const cols = sel.c1 - sel.c0 + 1
  if (rows * cols > MAX_CELLS)
    throw new Error(`the selection has ${rows * cols} cells; copy at most ${MAX_CELLS} (export larger ones)`)
  if (grid?.wrap) return wrappedTsv(session, view, columns, sel, fmt, grid)
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

/** A wrapped 1-D view's selection as shown: its table rows, each the elements in the selected columns. */
async function wrappedTsv(
  session: SessionInfo,
  view: View,
  columns: Columns,
  sel: Rect,
  fmt: CellFormat,
  grid: GridMap
): Promise<string> {
  const [lo, hi] = grid.span(sel.r0, sel.r1 + 1, 0, 1)
  const texts: string[][] = columns.fields ? columns.fields.map(() => []) : [[]]
  for (let row0 = lo; row0 < hi; row0 += 4096) {
    const w = await api.invoke('window:get', {
      session: session.session,
      generation: 0,
      view,
      row0,
      rows: Math.min(4096, hi - row0),
      col0: 0,
      cols: 1
    })
    const d = decodeWindow(w.bytes, w.dtype, w.rows, w.cols)
    for (let i = 0; i < w.rows; i++)
      texts.forEach((t, f) => t.push(cellText(d.dtype, d.value(i, 0), columns.field(f), fmt)))
  }
  const lines: string[] = []
  for (let r = sel.r0; r <= sel.r1; r++) {
    const cells: string[] = []
    for (let c = sel.c0; c <= sel.c1; c++) {
      const at = grid.toView(r, columns.element(c))
      const nf = texts.length
      cells.push(at ? texts[c % nf]![at[0] - lo]! : '')
    }
    lines.push(cells.join('\t'))
  }
  return lines.join('\n') + '\n'
}

export async function copySelection(
  session: SessionInfo,
  view: View,
  columns: Columns,
  sel: Rect,
  fmt: CellFormat,
  grid?: GridMap
): Promise<number> {
  const tsv = await selectionTsv(session, view, columns, sel, fmt, grid)
  await navigator.clipboard.writeText(tsv)
  return (sel.r1 - sel.r0 + 1) * (sel.c1 - sel.c0 + 1)
}
