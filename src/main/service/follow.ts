// Follow mode (issue 32): a read-only session shows what another program writes as it writes it. The service
// checks each session's file (size, modification time, identity) every few hundred milliseconds; for a
// following session a change is not an error to report but new data to show:
// - bytes rewritten in place (same size, same file): the shared mapping already holds them; views are told that
//   the whole array changed (session:edited), and re-read what is on screen;
// - the file grown, shrunk or replaced (an inferred axis that grows, an .npy whose header the producer rewrote,
//   a file renamed over): the array is opened again with the request that opened it, and the session takes the
//   new mapping, layout and info in place (session:edited with info: views reshape, keeping their axes);
// - a file that ends inside a row of its inferred axis (a logger's stdio writes 4096-byte blocks, whatever its
//   rows): the complete rows are shown, the rest waits for the next version;
// - a version that cannot be opened (a half-written header, a file shorter than its layout): reported as a change
//   (session:changed), as without follow mode; the next check tries again.
// Sessions that can be edited (r+, c, w+) never follow: another writer's bytes must not silently mix with theirs.
import fs from 'node:fs'
import type { EditState, LayoutSpecMsg, Request } from '../../shared/contract'
import { parseDTypeShape } from '../../shared/structured'
import { EditLog } from './edit-log'
import { openSession, type OpenContext } from './open'
import { appendText } from './text-follow'
import type { Session } from './session'

/** Whether a session may follow its file: read-only, opened by a request we can repeat, not derived. */
export function canFollow(s: Session): boolean {
  return s.info.mode === 'r' && s.request !== undefined && !s.info.derived
}

/**
 * Brings a following session up to its file's new version. Returns what views are to be told (session:edited),
 * or null when the new version cannot be opened (the caller reports the change as before).
 */
export async function refollow(s: Session, replacedOrResized: boolean, ctx: OpenContext): Promise<EditState | null> {
  if (!replacedOrResized) {
    // rewritten in place: the mapping sees the new bytes; everything shown may have changed
    return s.edits.stateWith([{ offset: 0, length: s.mapping.size }])
  }
  // a text still being parsed is left to its pass (a producer writing all the time would restart it forever);
  // once it ended, new lines are appended to the session's copy (text-follow.ts)
  if (s.info.text?.loading) return s.edits.stateWith([])
  const appended = s.info.text ? await appendText(s) : undefined
  if (appended) return appended
  let fresh: Session
  const request = { ...s.request!, scanId: undefined }
  try {
    fresh = await openSession(request, ctx)
  } catch {
    const whole = completeRows(request, ctx)
    if (!whole) return null
    try {
      fresh = await openSession(whole, ctx)
    } catch {
      return null
    }
  }
  const old = s.source
  s.source = fresh.source
  s.mapping = fresh.mapping
  s.layout = fresh.layout
  s.edits = new EditLog(s.id, fresh.mapping)
  s.stat = fresh.stat
  s.identity = fresh.identity
  s.info = { ...fresh.info, session: s.id, following: true }
  old.close()
  return { ...s.edits.stateWith([{ offset: 0, length: s.mapping.size }]), info: s.info }
}

/**
 * The request for the complete rows of a raw file whose inferred axis (-1, or a 1-D array without a shape) ends
 * inside a row: that axis given as the rows the file holds whole. Null when the request infers nothing, or when
 * whole rows are not what failed.
 */
function completeRows(r: Request<'session:open'>, ctx: OpenContext): Request<'session:open'> | null {
  if (!r.layout || r.array !== undefined) return null
  let size: number
  try {
    size = fs.statSync(ctx.paths.resolve(r.path)).size
  } catch {
    return null
  }
  const layout = completeRowsLayout(r.layout, size)
  return layout ? { ...r, layout } : null
}

/** A raw layout's inferred axis given as the rows a file of this size holds whole; null when it holds them all. */
export function completeRowsLayout(spec: LayoutSpecMsg, size: number): LayoutSpecMsg | null {
  if (spec.text) return null
  const shape = spec.shape ?? [-1]
  const at = shape.indexOf(-1)
  if (at < 0 || shape.indexOf(-1, at + 1) >= 0) return null
  let itemsize: number
  try {
    const { dtype, shape: sub } = parseDTypeShape(spec.dtype)
    itemsize = sub.reduce((a, b) => a * b, dtype.itemsize)
  } catch {
    return null
  }
  const row = shape.reduce((a, n, k) => (k === at ? a : a * n), itemsize)
  const available = size - spec.offset
  if (row <= 0 || available < 0 || available % row === 0) return null
  return { ...spec, shape: shape.map((n, k) => (k === at ? Math.floor(available / row) : n)) }
}
