// A stream of a byte range of a local file or of a remote object: what the decoders that stream a whole member
// into a temporary copy read (inflate.ts: a deflated .npz member, a .nii.gz, a MATLAB variable; gzip-copies.ts: a
// .fits.gz). A remote object's range is fetched into its sparse copy (remote-store.ts) a piece at a time, AHEAD
// pieces in flight (parallel range requests), and each piece is read back from the copy as the decoder takes it:
// memory holds a piece or two whatever the object's size, and a decoder that stops (Cancel, a corrupt stream)
// ends the fetches.
import fs from 'node:fs'
import { Readable } from 'node:stream'
import { holdRemote, remoteStore } from './remote-sources'
import type { RemoteStore } from './remote-store'
import { isRemote } from './remote-url'

/** A piece fetched and handed on at once. */
const PIECE = 8 << 20
/** Pieces fetched ahead of the decoder. */
const AHEAD = 4

/** The bytes [start, end) of a file or a prepared remote object (end past the size: to its end). */
export function rangeStream(path: string, start: number, end = Infinity): Readable {
  if (!isRemote(path)) {
    return fs.createReadStream(path, { start, ...(Number.isFinite(end) ? { end: end - 1 } : {}) })
  }
  const store = remoteStore(path)
  return Readable.from(pieces(store, start, Math.min(end, store.size)), { objectMode: false })
}

/** The size of a file or a prepared remote object. */
export function byteSize(path: string): number {
  return isRemote(path) ? remoteStore(path).size : fs.statSync(path).size
}

async function* pieces(store: RemoteStore, start: number, end: number): AsyncGenerator<Buffer> {
  // the object stays open (its copy with it) while the stream reads it
  const release = holdRemote(store)
  const abort = new AbortController()
  const ahead: Promise<void>[] = []
  let next = start
  const launch = (): void => {
    if (next >= end) return
    const a = next
    next = Math.min(end, a + PIECE)
    const p = store.fillRange(a, next, { signal: abort.signal })
    p.catch(() => undefined) // awaited below in order; one the decoder never reaches is dropped
    ahead.push(p)
  }
  try {
    for (let i = 0; i < AHEAD; i++) launch()
    for (let at = start; at < end; ) {
      await ahead.shift()
      launch()
      const n = Math.min(PIECE, end - at)
      const piece = Buffer.allocUnsafe(n)
      store.mapping.read(at, piece)
      at += n
      yield piece
    }
  } finally {
    abort.abort()
    release()
  }
}
