// A compressed chunk's stored bytes decoded in one call — deflate inflated, HDF5's shuffle undone, its fletcher32
// checked — for every chunked source (HDF5's native path, Zarr's gzip/zlib). The addon does all the steps of a
// chunk in one hop to libuv's pool, inflating with libdeflate (3× zlib's speed); an addon built without libdeflate
// (a machine without libdeflate-dev) gets the same steps here, with Node's zlib on the pool.
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { ChunkStep } from '../../../native/index'
import { native as addon } from './native'

export type { ChunkStep }

/** A chunk that does not decode: code says how (see decodeChunk in native/index.d.ts), message what. */
export class ChunkDecodeError extends Error {
  constructor(
    readonly code: 'BAD_DATA' | 'TOO_LARGE' | 'CHECKSUM',
    message: string
  ) {
    super(message)
  }
}

/** The inflater in use: 'libdeflate 1.x', or Node's zlib when the addon was built without libdeflate. */
export function inflaterName(): string {
  return addon().inflaterVersion ?? `zlib ${process.versions.zlib} (Node's)`
}

function coded(e: unknown): unknown {
  const code = (e as { code?: string }).code
  if (code === 'BAD_DATA' || code === 'TOO_LARGE' || code === 'CHECKSUM') {
    return new ChunkDecodeError(code, (e as Error).message)
  }
  return e
}

/** Decodes input through steps into output, off the event loop; the output bytes used. */
export async function decodeChunk(input: Uint8Array, output: Uint8Array, steps: ChunkStep[]): Promise<number> {
  if (addon().inflaterVersion) {
    try {
      return await addon().decodeChunkAsync(input, output, steps)
    } catch (e) {
      throw coded(e)
    }
  }
  return decodeChunkWithZlib(input, output, steps)
}

/** The steps with Node's zlib (an addon built without libdeflate; tests compare both). */
export async function decodeChunkWithZlib(input: Uint8Array, output: Uint8Array, steps: ChunkStep[]): Promise<number> {
  let bytes = input
  for (const s of steps) bytes = await fallbackStep(s, bytes, output.length)
  return place(bytes, output)
}

/** The same, blocking (the CLI's show, a derived session's window). */
export function decodeChunkSync(input: Uint8Array, output: Uint8Array, steps: ChunkStep[]): number {
  if (addon().inflaterVersion) {
    try {
      return addon().decodeChunk(input, output, steps)
    } catch (e) {
      throw coded(e)
    }
  }
  let bytes = input
  for (const s of steps) bytes = fallbackStepSync(s, bytes, output.length)
  return place(bytes, output)
}

function place(bytes: Uint8Array, output: Uint8Array): number {
  if (bytes.length > output.length) throw new ChunkDecodeError('TOO_LARGE', 'it is larger than the output')
  output.set(bytes)
  return bytes.length
}

const inflaters = {
  raw: [promisify(zlib.inflateRaw), zlib.inflateRawSync],
  zlib: [promisify(zlib.inflate), zlib.inflateSync],
  gzip: [promisify(zlib.gunzip), zlib.gunzipSync]
} as const

/**
 * One output buffer of the chunk's size (zlib's default 16 KiB pieces would bounce between the pool and the
 * event loop and be joined there); a stream inflating to more than a chunk stops there (a deflate bomb).
 */
function inflateOptions(size: number): zlib.ZlibOptions {
  const n = size + 64
  return { chunkSize: Math.max(64, n), maxOutputLength: n }
}

function inflateError(e: unknown, size: number): ChunkDecodeError {
  if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
    return new ChunkDecodeError('TOO_LARGE', `its deflate stream inflates to more than ${size} bytes`)
  }
  return new ChunkDecodeError('BAD_DATA', `its deflate stream does not inflate (${(e as Error).message})`)
}

async function fallbackStep(s: ChunkStep, bytes: Uint8Array, size: number): Promise<Uint8Array> {
  if (s.op === 'inflate') {
    try {
      return await inflaters[s.wrap][0](bytes, inflateOptions(size))
    } catch (e) {
      throw inflateError(e, size)
    }
  }
  if (s.op === 'unshuffle') {
    const out = Buffer.allocUnsafe(bytes.length)
    await addon().unshuffleAsync(bytes, out, s.size)
    return out
  }
  return checked(bytes)
}

function fallbackStepSync(s: ChunkStep, bytes: Uint8Array, size: number): Uint8Array {
  if (s.op === 'inflate') {
    try {
      return inflaters[s.wrap][1](bytes, inflateOptions(size))
    } catch (e) {
      throw inflateError(e, size)
    }
  }
  if (s.op === 'unshuffle') {
    const out = Buffer.allocUnsafe(bytes.length)
    addon().unshuffle(bytes, out, s.size)
    return out
  }
  return checked(bytes)
}

/** Fletcher32 checked (and its 4 bytes taken off). */
function checked(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 4) throw new ChunkDecodeError('CHECKSUM', 'it is shorter than its fletcher32 checksum')
  const body = bytes.subarray(0, bytes.length - 4)
  const t = bytes.length - 4
  const stored = (bytes[t]! | (bytes[t + 1]! << 8) | (bytes[t + 2]! << 16) | (bytes[t + 3]! << 24)) >>> 0
  const sum = fletcher32(body)
  // HDF5 before 1.6.3 stored the checksum with its 16-bit halves' bytes swapped on little-endian machines
  const swapped = (((sum & 0x00ff00ff) << 8) | ((sum >>> 8) & 0x00ff00ff)) >>> 0
  if (stored !== sum && stored !== swapped) {
    throw new ChunkDecodeError(
      'CHECKSUM',
      `its fletcher32 checksum fails (stored ${hex(stored)}, computed ${hex(sum)}): the chunk's bytes are corrupted`
    )
  }
  return body
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`
}

/**
 * HDF5's Fletcher-32 (H5_checksum_fletcher32): over 16-bit words read big-endian, sums folded every 360 words,
 * an odd last byte as the high byte of a word, two final folds; sum2 in the high half.
 */
export function fletcher32(d: Uint8Array): number {
  let sum1 = 0
  let sum2 = 0
  let words = d.length >> 1
  let i = 0
  while (words) {
    let t = words > 360 ? 360 : words
    words -= t
    do {
      sum1 += (d[i]! << 8) | d[i + 1]!
      i += 2
      sum2 += sum1
    } while (--t)
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16)
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16)
  }
  if (d.length & 1) {
    sum1 += d[i]! << 8
    sum2 += sum1
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16)
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16)
  }
  sum1 = (sum1 & 0xffff) + (sum1 >>> 16)
  sum2 = (sum2 & 0xffff) + (sum2 >>> 16)
  return ((sum2 << 16) | sum1) >>> 0
}
