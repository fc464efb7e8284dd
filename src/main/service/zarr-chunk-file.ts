// A folder store's chunk file read, decoded and written into the temporary copy in one call to the addon
// (native/src/chunk_file.cc), on libuv's pool: no JS buffer, one hop per chunk. For chunks whose only codec is
// blosc (zarr-python's default; c-blosc in the addon), gzip or zlib (libdeflate) or none, in a folder store,
// unsharded, on POSIX; every other chunk (filters, transpose, other compressors, archives, remote stores, shards)
// goes through zarr-chain.ts and the copy writer. A warm whole scan of blosc chunks spent a sixth of its time
// collecting the 1 MiB buffers each chunk allocated and the rest largely on the readFile, decode and write hops
// (docs/architecture.md).
import type { ZarrStep } from '../../shared/containers/zarr-codecs'
import { nativeBlosc } from './codecs/blosc'
import { CodecError } from './codecs/registry'
import { native } from './native'
import { ChunkDecodeError, type ChunkStep } from './chunk-decode'
import { deflateFailure } from './codecs/zlib'

export type FileCodec = 'blosc' | 'none' | ChunkStep[]

/** The codec the addon undoes for a chunk file with these steps, or null: the JS path then. */
export function fileCodec(steps: readonly ZarrStep[]): FileCodec | null {
  if (process.platform === 'win32' || process.env.ARRAYSCOPE_ZARR_JS_CHUNKS) return null
  if (typeof native().fillChunkFileAsync !== 'function') return null
  if (steps.length === 0) return 'none'
  const [s] = steps
  if (steps.length === 1 && s!.kind === 'bytes' && s!.codec === 'blosc' && nativeBlosc()) return 'blosc'
  // gzip and zlib: libdeflate, through the steps HDF5's chunks use (chunk_decode.cc)
  if (
    steps.length === 1 &&
    s!.kind === 'bytes' &&
    (s!.codec === 'gzip' || s!.codec === 'zlib') &&
    native().inflaterVersion
  )
    return [{ op: 'inflate', wrap: s!.codec }]
  return null
}

/** Why the addon's call failed: a chunk's bytes (CodecError), its file (ReadFailure), or the copy (as it is). */
export class ReadFailure extends Error {}

function failed(e: unknown, codec: FileCodec, size: number): unknown {
  const code = (e as { code?: unknown }).code
  const message = (e as Error).message
  if (typeof codec !== 'string' && (code === 'BAD_DATA' || code === 'TOO_LARGE')) {
    // worded as the codec layer words a stream (codecs/zlib.ts)
    const kind = codec[0]!.op === 'inflate' && codec[0]!.wrap === 'gzip' ? 'gzip' : 'zlib'
    return deflateFailure(kind, size, new ChunkDecodeError(code, message))
  }
  if (code === 'SIZE' && typeof codec !== 'string') return new CodecError(message.replace(/^it /, 'its stream '))
  if (code === 'BAD_DATA' || code === 'TOO_LARGE') return new CodecError(message)
  if (code === 'READ') return new ReadFailure((e as Error).message)
  return e
}

/**
 * Reads, decodes and writes the chunk file's runs (chunkRuns); the bytes written (all-zero runs skipped). On
 * libuv's pool, or for a background fill on the addon's own threads (window-first.ts).
 */
export async function fillChunkFile(
  file: string,
  dst: number,
  codec: FileCodec,
  size: number,
  runs: number[],
  background = false
): Promise<number> {
  try {
    return await native().fillChunkFileAsync(file, dst, codec, size, Float64Array.from(runs), undefined, background)
  } catch (e) {
    throw failed(e, codec, size)
  }
}

/** The same, blocking (the CLI's show, a derived window). */
export function fillChunkFileSync(file: string, dst: number, codec: FileCodec, size: number, runs: number[]): number {
  try {
    return native().fillChunkFile(file, dst, codec, size, Float64Array.from(runs))
  } catch (e) {
    throw failed(e, codec, size)
  }
}
