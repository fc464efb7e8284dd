// A session: one open array — its mapping, where its elements are read, its layout, its edits — and how one is
// made from a mapping. The service keeps them by id; open.ts and the derived arrays make them.
import type { Decoding, Scaling } from '../../shared/containers'
import type { SessionInfo } from '../../shared/contract'
import type { Layout } from '../../shared/layout'
import type { ByteSource } from './dequant-source'
import { EditLog } from './edit-log'
import type { FileIdentity } from './file-identity'
import type { ChunkedDataset } from './hdf5-chunked'
import type { Mapping } from './native'

export interface Session {
  id: string
  mapping: Mapping
  /** Where elements are read: the mapping, or for a quantized tensor its dequantization. */
  source: ByteSource
  edits: EditLog
  layout: Layout
  info: SessionInfo
  stat: { size: number; mtimeMs: number }
  /** The mapped file's device and inode: is the path still this file? */
  identity: FileIdentity
  /** A quantized tensor: its blocks, which windows and scans dequantize. */
  decoding?: Decoding
  /** A temporary decompressed copy this session owns (removed on close). */
  temp?: string
  /** A chunked HDF5 dataset: the temporary copy its values are read into, filled where something looks. */
  chunked?: ChunkedDataset
  /** The file whose changes by other programs are reported (the container for a chunked dataset's copy). */
  watch?: string
  /** Scaled values: the scaling, and the stored numbers' layout (what find and the hex view read). */
  scaled?: { scaling: Scaling; stored: Layout; ratio: number }
}

/**
 * A session over a mapping: its size, time and identity as the mapping's file has them now (what later changes
 * by other programs are told from), and an empty edit log. extra: a quantized, scaled or chunked session's parts.
 */
export function newSession(
  mapping: Mapping,
  source: ByteSource,
  layout: Layout,
  info: SessionInfo,
  extra: Partial<Pick<Session, 'decoding' | 'temp' | 'chunked' | 'watch' | 'scaled' | 'stat' | 'identity'>> = {}
): Session {
  const { size, mtimeMs, ino, dev } = mapping.stat()
  return {
    id: info.session,
    mapping,
    source,
    layout,
    info,
    stat: { size, mtimeMs },
    identity: { ino, dev },
    edits: new EditLog(info.session, mapping),
    ...extra
  }
}
