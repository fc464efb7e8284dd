// Blosc (every compressor inside it: blosclz, lz4, lz4hc, snappy, zlib, zstd; shuffle none, byte or bit). Decoded
// by c-blosc in the addon when it was built with it (blosc_decode.cc: Debian's libblosc-dev linked statically,
// on libuv's pool — 2–3× faster than WebAssembly, docs/architecture.md), else by numcodecs.js 0.3 — c-blosc
// compiled to WebAssembly, what zarrita uses — whose API is asynchronous only, so it runs on the codec workers
// (pool.ts), the synchronous callers blocking on one of them. The 16-byte header is checked here first: the size
// it announces must be the size expected, and its compressed size must fit the input.
import { native } from '../native'
import { CodecError } from './errors'

/** Checks a blosc header against the input and the expected size (before anything is decoded). */
export function bloscHeader(input: Uint8Array, expected: number): void {
  if (input.length < 16) throw new CodecError(`it is ${input.length} bytes, shorter than a blosc header`)
  const v = new DataView(input.buffer, input.byteOffset, input.length)
  const nbytes = v.getUint32(4, true)
  const cbytes = v.getUint32(12, true)
  if (input[0]! < 1 || input[0]! > 4) throw new CodecError(`it is not a blosc frame (version byte ${input[0]})`)
  if (nbytes !== expected) throw new CodecError(`its blosc header says ${nbytes} bytes, ${expected} expected`)
  if (cbytes > input.length) {
    throw new CodecError(`its blosc header says ${cbytes} compressed bytes, the chunk has ${input.length}`)
  }
}

type Decoder = { decode(data: Uint8Array): Uint8Array | Promise<Uint8Array> }
let blosc: Promise<Decoder> | undefined

/** Decodes in this thread (the codec worker's). */
export async function bloscHere(input: Uint8Array, expected: number): Promise<Uint8Array> {
  bloscHeader(input, expected)
  // the configuration only matters to encoding: a blosc frame describes itself
  blosc ??= import('numcodecs/blosc').then((m) => m.default.fromConfig({ id: 'blosc' }))
  let out: Uint8Array
  try {
    out = await (await blosc).decode(input)
  } catch (e) {
    throw new CodecError(`it does not blosc-decompress (${(e as Error).message})`)
  }
  if (out.length !== expected)
    throw new CodecError(`its blosc frame decodes to ${out.length} bytes, ${expected} expected`)
  return out
}

/**
 * The c-blosc the addon decodes with ('c-blosc 1.21.3'), or null: the codec workers' WebAssembly then (also when
 * ARRAYSCOPE_BLOSC_WASM is set: to compare the two, and to test the workers' path on a build that has both).
 */
export function nativeBlosc(): string | null {
  if (process.env.ARRAYSCOPE_BLOSC_WASM) return null
  return native().bloscVersion ?? null
}

function failed(e: unknown): unknown {
  const code = (e as { code?: unknown }).code
  return code === 'BAD_DATA' ? new CodecError((e as Error).message) : e
}

/** Decodes with the addon's c-blosc on libuv's pool (nativeBlosc() must be set). */
export async function bloscNative(input: Uint8Array, expected: number): Promise<Uint8Array> {
  bloscHeader(input, expected)
  const out = Buffer.allocUnsafe(expected)
  try {
    await native().bloscDecompressAsync(input, out)
  } catch (e) {
    throw failed(e)
  }
  return out
}

/** The same, blocking this thread. */
export function bloscNativeSync(input: Uint8Array, expected: number): Uint8Array {
  bloscHeader(input, expected)
  const out = Buffer.allocUnsafe(expected)
  try {
    native().bloscDecompress(input, out)
  } catch (e) {
    throw failed(e)
  }
  return out
}
