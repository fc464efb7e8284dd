// Table windows and byte reads of a chunked HDF5 dataset's session: the chunks they show are read by the HDF5
// worker first, awaited (the event loop answers other requests meanwhile), so that the synchronous gather that
// follows finds them in the copy. The geometry is window:get's own (a scaled session's copy holds stored values:
// offsets divided by the ratio).
import type { Request } from '../../shared/contract'
import { sliced, viewGeometry } from '../../shared/slice'
import type { Session } from './session'

export async function prepareWindow(s: Session, r: Request<'window:get'>): Promise<void> {
  if (!s.chunked) return
  const view = r.view.slice ? sliced(s.layout, r.view.slice) : s.layout
  const { base, rowStride, colStride, rowsTotal, colsTotal } = viewGeometry(view, r.view)
  // a window outside the view is window:get's error to report
  if (r.row0 > rowsTotal || r.col0 > colsTotal) return
  const rows = Math.min(r.rows, rowsTotal - r.row0)
  const cols = Math.min(r.cols, colsTotal - r.col0)
  const ratio = s.scaled?.ratio ?? 1
  await s.chunked.prepareWindow({
    base: (base + r.row0 * rowStride + r.col0 * colStride) / ratio,
    rows,
    cols,
    rowStride: rowStride / ratio,
    colStride: colStride / ratio,
    itemsize: s.layout.dtype.itemsize / ratio
  })
}

export async function prepareBytes(s: Session, r: Request<'bytes:get'>): Promise<void> {
  await s.chunked?.prepareRange(r.offset, r.offset + r.length)
}
