// Zstandard by zstd-napi (the reference C library, built from the source the package bundles). Its calls are
// synchronous: the registry runs them on the codec workers (pool.ts) for asynchronous callers, here for the
// synchronous ones. The output buffer is the expected size: a frame decoding to more fails instead of growing.
import type { DCtx } from 'zstd-napi/binding'
import { CodecError, exact } from './errors'
import { lazyLoad } from './load'

let ctx: DCtx | undefined

export function zstdSync(input: Uint8Array, expected: number): Uint8Array {
  ctx ??= new (lazyLoad<typeof import('zstd-napi/binding')>('zstd-napi/binding').DCtx)()
  // one spare byte: a frame that fills it decodes to more than expected
  const out = Buffer.allocUnsafe(expected + 1)
  let n: number
  try {
    n = ctx.decompress(out, input)
  } catch (e) {
    ctx = undefined
    const m = (e as Error).message
    if (/too small/.test(m)) throw new CodecError(`its zstd frame decodes to more than the ${expected} bytes expected`)
    throw new CodecError(`it does not zstd-decompress (${m})`)
  }
  return exact(out.subarray(0, n), expected, 'its zstd frame')
}
