// Deflate streams (gzip, zlib, raw): inflated by libdeflate in the addon (chunk-decode.ts: one call on libuv's
// thread pool, into one buffer of the expected size — 3× Node's zlib), or by Node's zlib on the pool when the
// addon was built without libdeflate. A stream inflating to more than expected stops there (a deflate bomb).
import { ChunkDecodeError, decodeChunk, decodeChunkSync, type ChunkStep } from '../chunk-decode'
import { CodecError, exact } from './errors'

export type DeflateKind = 'gzip' | 'zlib' | 'deflate'

const WRAP = { gzip: 'gzip', zlib: 'zlib', deflate: 'raw' } as const
const VERB = { gzip: 'gunzip', zlib: 'inflate', deflate: 'inflate' }

function steps(kind: DeflateKind): ChunkStep[] {
  return [{ op: 'inflate', wrap: WRAP[kind] }]
}

/** A stream's failure in the codec layer's words (also the addon's one-call chunk path's: zarr-chunk-file.ts). */
export function deflateFailure(kind: DeflateKind, expected: number, e: unknown): unknown {
  if (!(e instanceof ChunkDecodeError)) return e
  if (e.code === 'TOO_LARGE')
    return new CodecError(`its ${kind} stream inflates to more than the ${expected} bytes expected`)
  return new CodecError(`it does not ${VERB[kind]} (${e.message})`)
}

export async function inflate(kind: DeflateKind, input: Uint8Array, expected: number): Promise<Uint8Array> {
  const out = Buffer.allocUnsafe(expected)
  let n: number
  try {
    n = await decodeChunk(input, out, steps(kind))
  } catch (e) {
    throw deflateFailure(kind, expected, e)
  }
  return exact(out.subarray(0, n), expected, `its ${kind} stream`)
}

export function inflateSync(kind: DeflateKind, input: Uint8Array, expected: number): Uint8Array {
  const out = Buffer.allocUnsafe(expected)
  let n: number
  try {
    n = decodeChunkSync(input, out, steps(kind))
  } catch (e) {
    throw deflateFailure(kind, expected, e)
  }
  return exact(out.subarray(0, n), expected, `its ${kind} stream`)
}
