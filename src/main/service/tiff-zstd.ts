// zstd for TIFF strips and tiles (compression 50000), by zstd-napi (the reference C library, built from the source
// the package bundles; the same package and call as the shared codec layer's, which this module joins when the
// branches meet). The output buffer is the chunk's size plus one byte: a frame decoding to more fails instead of
// growing.
import { DCtx } from 'zstd-napi/binding'

let ctx: DCtx | undefined

/** Decodes a zstd frame into out (at most out.length bytes); returns the bytes written. */
export function zstdInto(input: Uint8Array, out: Uint8Array): number {
  ctx ??= new DCtx()
  const room = Buffer.allocUnsafe(out.length + 1)
  let n: number
  try {
    n = ctx.decompress(room, input)
  } catch (e) {
    ctx = undefined
    const m = (e as Error).message
    throw new Error(/too small/.test(m) ? `its zstd frame decodes to more than ${out.length} bytes` : m)
  }
  if (n > out.length) throw new Error(`its zstd frame decodes to more than ${out.length} bytes`)
  out.set(room.subarray(0, n))
  return n
}
