// Shared by the hostile-header tests of the containers: a parse context over bytes in memory (with raw-deflate
// prefix inflation as the service gives it) and the one ContainerError a bad header must end in.
import zlib from 'node:zlib'
import { expect } from 'vitest'
import { ContainerError, parseContainer, type ParseContext } from '../../src/shared/containers'

export function ctxOf(buf: Uint8Array, fileName = 'x.bin'): ParseContext {
  return {
    read: (o, n) => buf.subarray(Math.max(0, o), Math.max(0, Math.min(buf.length, o + n))),
    size: buf.length,
    fileName,
    inflatePrefix: (o, n, max) => {
      const out = zlib.inflateRawSync(buf.subarray(o, o + Math.min(n, 1 << 16)), {
        finishFlush: zlib.constants.Z_SYNC_FLUSH
      })
      return new Uint8Array(out.buffer, out.byteOffset, Math.min(out.length, max))
    }
  }
}

/** The message of the ContainerError parsing buf ends in (any other outcome fails the test). */
export function parseError(buf: Uint8Array, fileName?: string): string {
  try {
    parseContainer(ctxOf(buf, fileName))
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(ContainerError)
    return (e as Error).message
  }
  throw new Error('expected a ContainerError')
}
