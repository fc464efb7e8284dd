// A session: one open array — its source (where its bytes are kept and how they become values), its layout, its
// edits — and how one is made from a source. The service keeps them by id; open.ts and the derived arrays make them.
import type { Request, SessionInfo } from '../../shared/contract'
import type { Layout } from '../../shared/layout'
import type { ArraySource } from './array-source'
import { EditLog } from './edit-log'
import type { FileIdentity } from './file-identity'
import type { Mapping } from './native'

export interface Session {
  id: string
  /** The source's mapping (edits write here; the hex view reads here). */
  mapping: Mapping
  /** Where the values come from: the store, its codecs, what windows and scans read. */
  source: ArraySource
  edits: EditLog
  /** The values' layout (the source's). */
  layout: Layout
  info: SessionInfo
  stat: { size: number; mtimeMs: number }
  /** The watched file's device and inode: is the path still this file? */
  identity: FileIdentity
  /** The request that opened it: follow mode opens it again when the file grows or is replaced. */
  request?: Request<'session:open'>
}

/**
 * A session over a source: its size, time and identity as its mapping's file has them now (what later changes
 * by other programs are told from; given for a source whose watched file is another), and an empty edit log.
 */
export function newSession(
  source: ArraySource,
  info: SessionInfo,
  watched?: Pick<Session, 'stat' | 'identity'>
): Session {
  const { size, mtimeMs, ino, dev } = source.mapping.stat()
  return {
    id: info.session,
    mapping: source.mapping,
    source,
    layout: source.layout,
    info,
    stat: { size, mtimeMs },
    identity: { ino, dev },
    edits: new EditLog(info.session, source.mapping),
    ...watched
  }
}
