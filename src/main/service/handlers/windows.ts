// Channel handlers for windows: the table's cells and the hex view's bytes.
import { ApiError, type Request, type Response } from '../../../shared/contract'
import { sliced, viewGeometry } from '../../../shared/slice'
import type { Session } from '../session'
import type { Handlers, ServiceContext } from './context'

export function windowHandlers(ctx: ServiceContext): Handlers<'window:get' | 'bytes:get'> {
  return {
    // a chunked dataset's chunks under them are read (off the main thread) first
    'window:get': async (r) => {
      const s = ctx.session(r.session)
      await s.source.prepareWindow(r)
      const w = windowOf(s, r)
      // a followed file: read again at each check (a write through a shared mapping tells nothing else)
      ctx.shown(s, JSON.stringify(['w', r.view, r.row0, r.rows, r.col0, r.cols]), w.bytes, () => windowOf(s, r).bytes)
      return w
    },
    'bytes:get': async (r) => {
      const s = ctx.session(r.session)
      await s.source.prepareRange(r.offset, r.offset + r.length)
      const b = bytesOf(s, r)
      ctx.shown(s, `b ${r.offset} ${r.length}`, b.bytes, () => bytesOf(s, r).bytes)
      return b
    }
  }
}

/** The raw bytes of a window of a session's 2-D view, gathered row-major. */
function windowOf(s: Session, r: Request<'window:get'>): Response<'window:get'> {
  const view = r.view.slice ? sliced(s.layout, r.view.slice) : s.layout
  const { base, rowStride, colStride, rowsTotal, colsTotal } = viewGeometry(view, r.view)
  if (r.row0 > rowsTotal || r.col0 > colsTotal) {
    throw new ApiError('bad-request', `window starts at (${r.row0}, ${r.col0}), the view has ${rowsTotal}×${colsTotal}`)
  }
  const rows = Math.min(r.rows, rowsTotal - r.row0)
  const cols = Math.min(r.cols, colsTotal - r.col0)
  const itemsize = s.layout.dtype.itemsize
  const bytes = new Uint8Array(rows * cols * itemsize)
  if (bytes.length === 0) {
    return { generation: r.generation, row0: r.row0, col0: r.col0, rows, cols, dtype: s.layout.dtype.str, bytes }
  }
  s.source.reader.gather(
    { base: base + r.row0 * rowStride + r.col0 * colStride, rows, cols, rowStride, colStride, itemsize },
    bytes
  )
  return { generation: r.generation, row0: r.row0, col0: r.col0, rows, cols, dtype: s.layout.dtype.str, bytes }
}

/** Raw bytes of a session's file (any region, headers included). */
function bytesOf(s: Session, r: Request<'bytes:get'>): Response<'bytes:get'> {
  const size = s.mapping.size
  if (r.offset > size)
    throw new ApiError('bad-request', `offset ${r.offset} is beyond the end of the file (${size} bytes)`)
  const bytes = new Uint8Array(Math.min(r.length, size - r.offset))
  s.source.ensureRange(r.offset, r.offset + bytes.length)
  s.mapping.read(r.offset, bytes)
  return { offset: r.offset, bytes }
}
