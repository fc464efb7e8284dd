// "Stick to the end" (issue 32), as `tail -f`: a followed array that grows along the table's rows keeps its
// newest rows in view when the table showed its last row before the growth; a table scrolled elsewhere stays
// where the user left it. Only growth of the view's rows counts (not a wrapped 1-D view re-wrapped to another
// width, which keeps its cursor's element in view instead).
import { useEffect, useRef } from 'react'

/**
 * viewRows: the view's rows (elements along the row axis); rowsTotal: the table's rows; top: the first row shown;
 * visibleRows: how many rows the viewport shows (a partly shown last one counts); scrollToEnd: shows the last row.
 */
export function useStickToEnd(
  viewRows: number,
  rowsTotal: number,
  top: number,
  visibleRows: number,
  scrollToEnd: () => void
): void {
  const last = useRef({ viewRows, atEnd: top + visibleRows >= rowsTotal })
  useEffect(() => {
    const before = last.current
    if (viewRows > before.viewRows && before.atEnd) {
      scrollToEnd()
      // the scroll lands at the next render: until then this is at the end
      last.current = { viewRows, atEnd: true }
      return
    }
    last.current = { viewRows, atEnd: top + visibleRows >= rowsTotal }
  })
}
