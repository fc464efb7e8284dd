// LZ4 as numcodecs frames it (its LZ4 codec, and Zarr v2's lz4 compressor): a 4-byte little-endian size, then one
// LZ4 block. lz4-napi (lz4_flex in Rust, prebuilt per platform as npm packages) reads exactly that framing; its
// asynchronous call runs on libuv's thread pool. The size header is checked against what is expected before
// anything is allocated.
import { CodecError, exact } from './errors'
import { lazyLoad } from './load'

const lib = (): typeof import('lz4-napi') => lazyLoad<typeof import('lz4-napi')>('lz4-napi')

function header(input: Uint8Array, expected: number): void {
  if (input.length < 4) throw new CodecError(`it is ${input.length} bytes, shorter than an lz4 size header`)
  const size = (input[0]! | (input[1]! << 8) | (input[2]! << 16) | (input[3]! << 24)) >>> 0
  if (size !== expected) throw new CodecError(`its lz4 header says ${size} bytes, ${expected} expected`)
}

function failed(e: unknown): CodecError {
  return new CodecError(`it does not lz4-decompress (${(e as Error).message})`)
}

export async function lz4(input: Uint8Array, expected: number): Promise<Uint8Array> {
  header(input, expected)
  const l = lib()
  let out: Uint8Array
  try {
    out = await l.uncompress(Buffer.from(input.buffer, input.byteOffset, input.length))
  } catch (e) {
    throw failed(e)
  }
  return exact(out, expected, 'its lz4 block')
}

export function lz4Sync(input: Uint8Array, expected: number): Uint8Array {
  header(input, expected)
  const l = lib()
  let out: Uint8Array
  try {
    out = l.uncompressSync(Buffer.from(input.buffer, input.byteOffset, input.length))
  } catch (e) {
    throw failed(e)
  }
  return exact(out, expected, 'its lz4 block')
}
