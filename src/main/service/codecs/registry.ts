// The byte codecs, one module each, behind one registry: decode(input, expected) resolves with exactly `expected`
// bytes or rejects with a CodecError saying what is wrong with the bytes (the caller names whose bytes they are).
// Asynchronous decodes never run on the event loop: zlib, lz4 and blosc (c-blosc in the addon) on libuv's thread
// pool, zstd, bz2 and blosc without the addon's c-blosc on the codec workers (pool.ts). decodeSync is for the
// synchronous readers (the CLI's show, a derived window).
// Used by Zarr's chunks (zarr-fill.ts) and HDF5's deflate (hdf5-native-fill.ts); a new codec is a module here and
// one entry below.
import { bloscHeader, bloscNative, bloscNativeSync, nativeBlosc } from './blosc'
import { bz2Sync } from './bz2'
import { CodecError } from './errors'
import { lz4, lz4Sync } from './lz4'
import { decodeOnWorker, decodeOnWorkerSync } from './pool'
import { inflate, inflateSync } from './zlib'
import { zstdSync } from './zstd'

export { CodecError } from './errors'
export { crc32c, checkCrc32c } from './crc32c'

export interface ByteCodec {
  decode(input: Uint8Array, expected: number): Promise<Uint8Array>
  decodeSync(input: Uint8Array, expected: number): Uint8Array
}

export const BYTE_CODECS = {
  gzip: { decode: (i, n) => inflate('gzip', i, n), decodeSync: (i, n) => inflateSync('gzip', i, n) },
  zlib: { decode: (i, n) => inflate('zlib', i, n), decodeSync: (i, n) => inflateSync('zlib', i, n) },
  /** Raw deflate (a ZIP member, TIFF's deflate is zlib). */
  deflate: { decode: (i, n) => inflate('deflate', i, n), decodeSync: (i, n) => inflateSync('deflate', i, n) },
  zstd: { decode: (i, n) => decodeOnWorker('zstd', i, n), decodeSync: zstdSync },
  /** numcodecs' LZ4 framing: a 4-byte little-endian size, then one block. */
  lz4: { decode: lz4, decodeSync: lz4Sync },
  bz2: { decode: (i, n) => decodeOnWorker('bz2', i, n), decodeSync: bz2Sync },
  blosc: {
    decode: (i, n) => {
      if (nativeBlosc()) return bloscNative(i, n)
      bloscHeader(i, n)
      return decodeOnWorker('blosc', i, n)
    },
    decodeSync: (i, n) => {
      if (nativeBlosc()) return bloscNativeSync(i, n)
      bloscHeader(i, n)
      return decodeOnWorkerSync('blosc', i, n)
    }
  }
} satisfies Record<string, ByteCodec>

export type ByteCodecId = keyof typeof BYTE_CODECS

export function isByteCodec(id: string): id is ByteCodecId {
  return Object.prototype.hasOwnProperty.call(BYTE_CODECS, id)
}

/** Decodes with codec `id` off the event loop. */
export function decode(id: ByteCodecId, input: Uint8Array, expected: number): Promise<Uint8Array> {
  try {
    return BYTE_CODECS[id].decode(input, expected)
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new CodecError(String(e)))
  }
}

/** Decodes with codec `id` now, blocking this thread. */
export function decodeSync(id: ByteCodecId, input: Uint8Array, expected: number): Uint8Array {
  return BYTE_CODECS[id].decodeSync(input, expected)
}
