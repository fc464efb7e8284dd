// Editing a .npy file's header in place (dtype, shape, fortran_order): the new header is padded to the old one's
// length so the data does not move, and it goes through the edit log, so undo restores it.
import { ApiError, type EditState, type Request, type SessionInfo } from '../../shared/contract'
import { formatShape, resolveLayout } from '../../shared/layout'
import { npyLayout, parseNpyHeader, writeNpyHeader } from '../../shared/npy'
import type { PyValue } from '../../shared/py-literal'
import { dtypeDescr, parseDType } from '../../shared/structured'
import type { Session } from './session'
import { layoutInfo } from './layout-info'

/** Rewrites a .npy header in place, through the edit log (so undo restores it). */
export function rewriteHeader(s: Session, r: Request<'npy:header'>): EditState {
  if (s.info.format !== 'npy') throw new ApiError('bad-request', 'only .npy files have a header to edit')
  const dtype = parseDType(r.dtype)
  const nbytes = r.shape.reduce((a, b) => a * b, 1) * dtype.itemsize
  const dataBytes = s.mapping.size - s.layout.offset
  if (nbytes !== dataBytes) {
    throw new ApiError(
      'layout',
      `shape ${formatShape(r.shape)} of ${dtype.str} needs ${nbytes} bytes; the file holds ${dataBytes} bytes of data after its header`
    )
  }
  let header: Uint8Array
  try {
    header = writeNpyHeader(dtypeDescr(dtype) as PyValue, r.fortranOrder, r.shape, s.layout.offset)
  } catch (e) {
    throw new ApiError('layout', `${(e as Error).message}: export as .npy to write a new file instead`)
  }
  return s.edits.apply([{ offset: 0, bytes: header }])
}

/** Reads a .npy session's header again after its bytes changed (an edit, an undo). */
export function refreshHeader(s: Session): SessionInfo {
  const head = new Uint8Array(Math.min(s.mapping.size, s.layout.offset))
  s.mapping.read(0, head)
  s.layout = resolveLayout(npyLayout(parseNpyHeader(head)), s.mapping.size, s.mapping.mode)
  s.info = { ...s.info, layout: layoutInfo(s.layout) }
  return s.info
}
