// The go-to field: "row, col" in the current view, or "@offset" (decimal or 0x…) — a byte offset in the file,
// resolved to the element that holds it (the view switches to show it when needed).
import type { LayoutInfo } from '../../../../shared/contract'
import type { Columns, ViewState } from '../../state/view-model'

export type GoToTarget = { row: number; col: number; state?: ViewState; note?: string } | { error: string }

function parseNumber(t: string): number | null {
  const s = t.trim()
  if (/^0x[0-9a-f]+$/i.test(s)) return Number.parseInt(s, 16)
  if (/^\d+$/.test(s)) return Number(s)
  return null
}

/** N-D index of the k-th element of a contiguous layout (C or F order). */
export function unravel(k: number, shape: readonly number[], order: 'C' | 'F'): number[] {
  const index = new Array<number>(shape.length).fill(0)
  const axes = order === 'C' ? [...shape.keys()].reverse() : [...shape.keys()]
  let rest = k
  for (const a of axes) {
    index[a] = rest % shape[a]!
    rest = Math.floor(rest / shape[a]!)
  }
  return index
}

export function parseGoTo(
  text: string,
  layout: LayoutInfo,
  state: ViewState,
  shape: readonly number[],
  rowsTotal: number,
  columns: Columns
): GoToTarget {
  const t = text.trim()
  if (t.startsWith('@')) {
    const offset = parseNumber(t.slice(1))
    if (offset === null) return { error: 'write a byte offset like @4096 or @0x1000' }
    const rel = offset - layout.offset
    if (rel < 0) return { error: `byte ${offset} is in the header (the array starts at byte ${layout.offset})` }
    if (rel >= layout.nbytes)
      return { error: `byte ${offset} is after the array (it ends at byte ${layout.offset + layout.nbytes})` }
    const k = Math.floor(rel / layout.itemsize)
    const index = unravel(k, layout.shape, layout.order)
    const nd = index.length
    const axes =
      nd >= 2
        ? { rowAxis: state.rowAxis ?? nd - 2, colAxis: state.colAxis ?? nd - 1 }
        : { rowAxis: nd ? 0 : null, colAxis: null }
    const next: ViewState = { ...state, slice: '', ...axes, index }
    const row = axes.rowAxis === null ? 0 : index[axes.rowAxis]!
    const ecol = axes.colAxis === null ? 0 : index[axes.colAxis]!
    const nf = columns.fields ? columns.fields.length : 1
    return {
      row,
      col: ecol * nf,
      state: JSON.stringify(next) === JSON.stringify(state) ? undefined : next,
      note: `byte ${offset} is in element (${index.join(', ')}), byte ${rel % layout.itemsize} of ${layout.itemsize}`
    }
  }
  const parts = t.split(/[\s,]+/).filter(Boolean)
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => /^\d+$/.test(p))) {
    return { error: 'write a row and a column, e.g. 123456, 7 — or a byte offset, e.g. @4096' }
  }
  const r = Number(parts[0])
  const c = Number(parts[1] ?? 0)
  if (r >= rowsTotal || c >= columns.count) {
    return { error: `(${r}, ${c}) is outside the view: it has ${rowsTotal} rows and ${columns.count} columns` }
  }
  void shape
  return { row: r, col: c }
}
