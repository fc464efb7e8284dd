// Deflate streams (gzip, zlib, raw) by Node's own zlib: the asynchronous form runs on libuv's thread pool, so
// several chunks inflate at once while the event loop only schedules. One output buffer of the expected size (zlib's
// 16 KiB default pieces would bounce between the pool and the event loop), and a stream inflating to more stops
// there (a deflate bomb).
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import { CodecError, exact } from './errors'

export type DeflateKind = 'gzip' | 'zlib' | 'deflate'

const ASYNC = { gzip: promisify(zlib.gunzip), zlib: promisify(zlib.inflate), deflate: promisify(zlib.inflateRaw) }
const SYNC = { gzip: zlib.gunzipSync, zlib: zlib.inflateSync, deflate: zlib.inflateRawSync }
const VERB = { gzip: 'gunzip', zlib: 'inflate', deflate: 'inflate' }

function options(expected: number): zlib.ZlibOptions {
  const n = expected + 64
  return { chunkSize: Math.max(64, n), maxOutputLength: n }
}

function failed(kind: DeflateKind, expected: number, e: unknown): CodecError {
  if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
    return new CodecError(`its ${kind} stream inflates to more than the ${expected} bytes expected`)
  }
  return new CodecError(`it does not ${VERB[kind]} (${(e as Error).message})`)
}

export async function inflate(kind: DeflateKind, input: Uint8Array, expected: number): Promise<Uint8Array> {
  let out: Uint8Array
  try {
    out = await ASYNC[kind](input, options(expected))
  } catch (e) {
    throw failed(kind, expected, e)
  }
  return exact(out, expected, `its ${kind} stream`)
}

export function inflateSync(kind: DeflateKind, input: Uint8Array, expected: number): Uint8Array {
  let out: Uint8Array
  try {
    out = SYNC[kind](input, options(expected))
  } catch (e) {
    throw failed(kind, expected, e)
  }
  return exact(out, expected, `its ${kind} stream`)
}
