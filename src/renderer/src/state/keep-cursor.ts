// Where the table's cursor goes when the view changes. It used to jump to (0, 0): switching the row axis or
// moving a slider lost the element the user was looking at. Now the cursor stays on its element when the new
// view can show it — an axis that stops being shown takes the cursor's coordinate along it — and otherwise on
// the same coordinates along the axes shown. A new slice expression renumbers everything: then nothing is kept.
import type { ViewState } from './view-model'

/**
 * The view to show instead of `next` (axes that became fixed set to the cursor's coordinates) and the cursor's
 * place in it as (view row, view column); null when nothing can be kept. `cursor` is the cursor element's full
 * index in the sliced array (fixed axes included).
 */
export function keepCursor(
  prev: ViewState,
  next: ViewState,
  cursor: readonly number[]
): { state: ViewState; at: [number, number] } | null {
  if (next.slice !== prev.slice || cursor.length !== next.index.length) return null
  const shown = (s: ViewState, k: number): boolean => k === s.rowAxis || k === s.colAxis
  const index = next.index.map((v, k) => (shown(prev, k) && !shown(next, k) ? cursor[k]! : v))
  // a slider moved: the cursor keeps its row and column; axes switched: it follows its element
  const at = (axis: number | null): number => (axis === null ? 0 : shown(prev, axis) ? cursor[axis]! : index[axis]!)
  return { state: { ...next, index }, at: [at(next.rowAxis), at(next.colAxis)] }
}
