// Opening a session over a remote object: what open.ts asks of one. Remote sources are read-only — ArrayScope
// never writes to a server — so any mode but r is refused with what to do instead; each session maps the
// object's shared copy itself and holds the object while it is open.
import { ApiError } from '../../shared/contract'
import type { ByteSource } from './dequant-source'
import { native, type Mapping } from './native'
import type { Recode } from '../../shared/containers'
import { holdRemote, remoteStore } from './remote-sources'
import type { RemoteStore } from './remote-store'

/** Why a remote array opens read-only (shown where a local file's would be editable). */
export const REMOTE_READ_ONLY =
  'it is a remote object (read a block at a time from the server): ArrayScope does not write to servers; export it to edit a local copy'

/** Refuses a mode other than r for a remote object. */
export function refuseRemoteMode(url: string, mode: string): void {
  if (mode === 'r') return
  throw new ApiError(
    'readonly',
    `${url} opens read-only (mode r): ${REMOTE_READ_ONLY}${mode === 'w+' ? ' (w+ creates local files only)' : ''}`
  )
}

export interface RemoteMapped {
  store: RemoteStore
  mapping: Mapping
  /** What windows and show read: the mapping, fetched first where they look. */
  reader: ByteSource
  release: () => void
}

/** Maps a prepared remote object's copy for one session. */
export function mapRemote(url: string): RemoteMapped {
  const store = remoteStore(url)
  const mapping = new (native().Mapping)(store.file, 'r')
  mapping.advise('random')
  return { store, mapping, reader: store.source(mapping), release: holdRemote(store) }
}

/** The parts of a remote array's ArraySource: its store and the remote object it holds. */
export function remoteParts(m: RemoteMapped): {
  store: { kind: 'remote'; path: string; url: string }
  remote: { store: RemoteStore; release: () => void }
} {
  return {
    store: { kind: 'remote', path: m.store.file, url: m.store.url },
    remote: { store: m.store, release: m.release }
  }
}

/** A prepared remote object held (not mapped) while a session reads a decoded copy of it. */
export function holdRemoteObject(url: string): { store: RemoteStore; release: () => void } {
  const store = remoteStore(url)
  return { store, release: holdRemote(store) }
}

/** The least offset a recoding reads (its fields named offset, at any depth). */
function firstOffset(v: unknown): number {
  if (!v || typeof v !== 'object') return Infinity
  let least = Infinity
  for (const [k, x] of Object.entries(v)) {
    least = Math.min(least, k === 'offset' && typeof x === 'number' ? x : firstOffset(x))
  }
  return least
}

/**
 * The copy of a remote object an array recoded from uncompressed bytes reads (MATLAB complex parts or chars,
 * a FITS ASCII table, ONNX varints: the recoders read a file), its bytes from the recoding's first offset to the
 * end fetched first (parallel ranges; Cancel stops them).
 */
export async function fetchForRecode(url: string, recode: Recode, cancelled: () => boolean): Promise<string> {
  const store = remoteStore(url)
  const abort = new AbortController()
  const poll = setInterval(() => cancelled() && abort.abort(), 50)
  try {
    const first = firstOffset(recode)
    await store.fillRange(Number.isFinite(first) ? first : 0, store.size, { signal: abort.signal })
  } finally {
    clearInterval(poll)
  }
  return store.file
}
