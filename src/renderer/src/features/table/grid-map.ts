// Which element of the view each table cell shows. A 2-D view: cell (r, e) is element (r, e). A 1-D view is
// wrapped into rows of K consecutive elements — like a hex dump, of values — so that it uses the width instead
// of one narrow column: cell (r, e) is element r·K + e, the last row ending where the array does.

export interface GridMap {
  /** Elements per table row of a wrapped 1-D view; 0 when the view is not wrapped. */
  wrap: number
  /** Table rows and element columns. */
  rows: number
  elementCols: number
  /** The view's (row, element column) that table cell (r, e) shows, or null past the array's end. */
  toView(r: number, e: number): [number, number] | null
  /** The table cell (r, e) that shows the view's (row, element column). */
  toTable(row: number, e: number): [number, number]
  /** The view's rows and element columns [row0, row1) × [e0, e1) that table rows [r0, r1) × [e0, e1) show. */
  span(r0: number, r1: number, e0: number, e1: number): [number, number, number, number]
}

const NICE = [1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 40, 50, 64, 100, 128, 200, 256]

/**
 * Elements per row for a 1-D view of n elements in `available` pixels of columns `colW` wide (fields per
 * element: records show one column each); 0 when one column is all that fits. A round number, so that row
 * headers step evenly (0, 10, 20 … or 0, 16, 32 …).
 */
export function wrapWidth(n: number, available: number, colW: number, fields: number): number {
  const fit = Math.floor(available / Math.max(1, colW * fields))
  if (n <= 1 || fit <= 1) return 0
  const k = NICE.filter((x) => x <= fit).pop() ?? 1
  return k <= 1 ? 0 : Math.min(k, n)
}

export function gridMap(viewRows: number, viewCols: number, wrap: number): GridMap {
  if (!wrap) {
    return {
      wrap: 0,
      rows: viewRows,
      elementCols: viewCols,
      toView: (r, e) => [r, e],
      toTable: (row, e) => [row, e],
      span: (r0, r1, e0, e1) => [r0, r1, e0, e1]
    }
  }
  const n = viewRows
  return {
    wrap,
    rows: Math.ceil(n / wrap),
    elementCols: wrap,
    toView: (r, e) => (r * wrap + e < n ? [r * wrap + e, 0] : null),
    toTable: (row) => [Math.floor(row / wrap), row % wrap],
    span: (r0, r1) => [r0 * wrap, Math.min(n, r1 * wrap), 0, 1]
  }
}
