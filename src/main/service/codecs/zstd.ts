// Zstandard by zstd-napi (the reference C library, built from the source the package bundles). Its calls are
// synchronous: the registry runs them on the codec workers (pool.ts) for asynchronous callers, here for the
// synchronous ones. The output buffer is bounded: a frame decoding to more fails instead of growing.
import type { DCtx } from 'zstd-napi/binding'
import { CodecError, exact } from './errors'
import { lazyLoad } from './load'

let ctx: DCtx | undefined

/**
 * Decodes a zstd frame into out, at most out.length bytes (a TIFF strip may decode short); returns the bytes
 * written. A frame decoding to more is a CodecError.
 */
export function zstdInto(input: Uint8Array, out: Uint8Array): number {
  ctx ??= new (lazyLoad<typeof import('zstd-napi/binding')>('zstd-napi/binding').DCtx)()
  // one spare byte: a frame that fills it decodes to more than out holds
  const room = Buffer.allocUnsafe(out.length + 1)
  let n: number
  try {
    n = ctx.decompress(room, input)
  } catch (e) {
    ctx = undefined
    const m = (e as Error).message
    if (/too small/.test(m))
      throw new CodecError(`its zstd frame decodes to more than the ${out.length} bytes expected`)
    throw new CodecError(`it does not zstd-decompress (${m})`)
  }
  if (n > out.length) throw new CodecError(`its zstd frame decodes to more than the ${out.length} bytes expected`)
  out.set(room.subarray(0, n))
  return n
}

export function zstdSync(input: Uint8Array, expected: number): Uint8Array {
  const out = Buffer.allocUnsafe(expected)
  return exact(out.subarray(0, zstdInto(input, out)), expected, 'its zstd frame')
}
