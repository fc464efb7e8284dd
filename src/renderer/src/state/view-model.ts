// What the table shows: a slice expression, which axes are rows and columns, the index of every other axis,
// how numbers are written, whether cells are heat-coloured. Pure functions over the shared layout code.
import type { LayoutInfo, View } from '../../../shared/contract'
import { applySlice, parseSlice } from '../../../shared/slice'
import { parseDType, type DType, type StructField } from '../../../shared/structured'

export type CellFormat =
  | { mode: 'auto' }
  | { mode: 'fixed'; digits: number }
  | { mode: 'sci'; digits: number }
  | { mode: 'hex' }

export interface ViewState {
  slice: string
  rowAxis: number | null
  colAxis: number | null
  index: number[]
  format: CellFormat
  heat: boolean
}

export function defaultAxes(shape: readonly number[]): Pick<ViewState, 'rowAxis' | 'colAxis' | 'index'> {
  const nd = shape.length
  if (nd === 0) return { rowAxis: null, colAxis: null, index: [] }
  if (nd === 1) return { rowAxis: 0, colAxis: null, index: [0] }
  return { rowAxis: nd - 2, colAxis: nd - 1, index: shape.map(() => 0) }
}

export function defaultViewState(shape: readonly number[]): ViewState {
  return { slice: '', ...defaultAxes(shape), format: { mode: 'auto' }, heat: false }
}

/** The shape after the slice expression, or the error that makes it invalid. */
export function slicedShape(layout: LayoutInfo, slice: string): { shape: number[]; error: string | null } {
  if (!slice.trim()) return { shape: layout.shape, error: null }
  try {
    const dtype = parseDType(layout.dtype)
    const v = applySlice(
      { dtype, offset: layout.offset, shape: layout.shape, strides: layout.strides },
      parseSlice(slice)
    )
    return { shape: v.shape, error: null }
  } catch (e) {
    return { shape: layout.shape, error: (e as Error).message }
  }
}

/** Keeps axes and indices valid for a (new) shape. */
export function fitAxes(state: ViewState, shape: readonly number[]): ViewState {
  const nd = shape.length
  const valid = (a: number | null): boolean => a === null || a < nd
  let { rowAxis, colAxis } = state
  if (!valid(rowAxis) || !valid(colAxis) || (rowAxis !== null && rowAxis === colAxis) || state.index.length !== nd) {
    ;({ rowAxis, colAxis } = defaultAxes(shape))
  }
  const index = shape.map((n, k) => Math.max(0, Math.min(n - 1, state.index[k] ?? 0)))
  return { ...state, rowAxis, colAxis, index }
}

export function toView(state: ViewState): View {
  return {
    rowAxis: state.rowAxis,
    colAxis: state.colAxis,
    index: state.index,
    ...(state.slice.trim() ? { slice: state.slice } : {})
  }
}

/** A record dtype shows one column per field. */
export interface Columns {
  dtype: DType
  fields: StructField[] | null
  /** Logical columns = element columns × fields. */
  count: number
  element(col: number): number
  field(col: number): StructField | null
  header(col: number, elementHeader: string): string
}

export function columnsFor(dtype: DType, elementCols: number, showElementIndex: boolean): Columns {
  const fields = dtype.kind === 'struct' ? dtype.fields : null
  const nf = fields ? fields.length : 1
  return {
    dtype,
    fields,
    count: elementCols * nf,
    element: (c) => Math.floor(c / nf),
    field: (c) => (fields ? fields[c % nf]! : null),
    header: (c, h) => (fields ? (showElementIndex ? `${h}.${fields[c % nf]!.name}` : fields[c % nf]!.name) : h)
  }
}
