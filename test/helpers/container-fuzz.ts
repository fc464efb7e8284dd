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

/** Mutants parsed so far, by seed file: how many listed, how many ended in a ContainerError. */
export type MutantCounts = Map<string, { ok: number; err: number }>

/**
 * Parses mutant k of the seed `name` and counts its outcome: it lists, or throws one ContainerError with a
 * message; anything else (another exception) fails the test, and so does a parse over a second.
 */
export function parseMutant(counts: MutantCounts, name: string, bytes: Uint8Array, k: number): void {
  const c = counts.get(name) ?? { ok: 0, err: 0 }
  counts.set(name, c)
  const t0 = Date.now()
  try {
    parseContainer(ctxOf(bytes, name))
    c.ok++
  } catch (e) {
    if (!(e instanceof ContainerError)) throw new Error(`mutation ${k} of ${name}: ${String((e as Error).stack)}`)
    expect((e as Error).message.length).toBeGreaterThan(10)
    c.err++
  }
  expect(Date.now() - t0, `mutation ${k} of ${name}`).toBeLessThan(1000)
}
