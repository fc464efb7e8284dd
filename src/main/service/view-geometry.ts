// Where the elements of a view are: numpy basic indexing applied to a layout, and the base and strides of the
// 2-D window a table shows, with every bound checked (a bad request, never a read outside the array).
import { ApiError, type View } from '../../shared/contract'
import { applySlice, parseSlice, type ArrayView } from '../../shared/slice'

/** A layout with numpy basic indexing applied; slice errors become bad requests. */
export function sliced(layout: ArrayView, expr: string): ArrayView {
  try {
    return applySlice(layout, parseSlice(expr))
  } catch (e) {
    throw new ApiError('bad-request', (e as Error).message)
  }
}

/** Where a 2-D view of an N-D array view starts and how it steps, with bounds checked. */
export function viewGeometry(
  layout: ArrayView,
  view: View
): { base: number; rowStride: number; colStride: number; rowsTotal: number; colsTotal: number } {
  const nd = layout.shape.length
  const { rowAxis, colAxis, index } = view
  if (index.length !== nd)
    throw new ApiError('bad-request', `view index has ${index.length} entries, the array has ${nd} axes`)
  for (const axis of [rowAxis, colAxis]) {
    if (axis !== null && axis >= nd)
      throw new ApiError('bad-request', `axis ${axis} does not exist: the array has ${nd} axes`)
  }
  if (rowAxis !== null && rowAxis === colAxis)
    throw new ApiError('bad-request', 'rows and columns must be different axes')
  let base = layout.offset
  for (let k = 0; k < nd; k++) {
    if (k === rowAxis || k === colAxis) continue
    const i = index[k]!
    if (i >= layout.shape[k]!) {
      throw new ApiError('bad-request', `index ${i} is out of bounds for axis ${k} with size ${layout.shape[k]}`)
    }
    base += i * layout.strides[k]!
  }
  return {
    base,
    rowStride: rowAxis === null ? 0 : layout.strides[rowAxis]!,
    colStride: colAxis === null ? 0 : layout.strides[colAxis]!,
    rowsTotal: rowAxis === null ? 1 : layout.shape[rowAxis]!,
    colsTotal: colAxis === null ? 1 : layout.shape[colAxis]!
  }
}
