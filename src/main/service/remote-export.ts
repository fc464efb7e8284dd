// An export of a remote object's bytes as they arrive (issue 30, item 4): a contiguous view exported raw or as
// .npy without a cast is the object's bytes in order, so its ranges are fetched LANES at a time into JS memory
// and written to the export's file in order as each lands — nothing goes through the object's copy, which would
// cost a second write and read and disk as large as the view (an object larger than ARRAYSCOPE_TEMP_MAX could
// not be exported at all). Memory stays at most 2 × LANES ranges. Other exports (strided views, casts, text)
// read the copy, filled first.
import fs from 'node:fs'
import pathModule from 'node:path'
import { ApiError } from '../../shared/contract'
import { throwFirstFailure } from './errors'
import type { ByteSource } from './dequant-source'
import { native, type Mapping } from './native'
import { BLOCK, windowRanges, type RemoteStore } from './remote-store'
import { punchable } from './remote-stream'
import { removeTemp, tempFolder } from './temp-files'

/** Bytes per request, and requests in flight (as remote-stream.ts). */
const RUN = 8 << 20
const LANES = 4

/** Bytes that arrive in order: take hears each piece of [offset, offset + length) in turn, after the last ended. */
export interface SpanStream {
  stream(
    offset: number,
    length: number,
    take: (bytes: Uint8Array) => void | Promise<void>,
    cancelled: () => boolean
  ): Promise<void>
}

/** The object's bytes streamed from the network, for an export's contiguous span. */
export function remoteSpanStream(store: RemoteStore): SpanStream {
  return {
    async stream(offset, length, take, cancelled) {
      const runs: [number, number][] = []
      for (let at = offset; at < offset + length; at += RUN) runs.push([at, Math.min(offset + length, at + RUN)])
      const abort = new AbortController()
      const landed = new Map<number, Uint8Array>()
      let next = 0
      // ranges handed to the writer (queued) and written (given): at most 2 × LANES between fetch and disk
      let queued = 0
      let given = 0
      // one chain of writes, in order (a write runs on libuv's pool while the main thread receives)
      let writes: Promise<void> = Promise.resolve()
      const waiting: (() => void)[] = []
      const wakeAll = (): void => waiting.splice(0).forEach((w) => w())
      const stop = (): never => {
        abort.abort()
        throw new ApiError('cancelled', 'the export was cancelled; nothing was written')
      }
      const lane = async (): Promise<void> => {
        while (next < runs.length) {
          while (next - given >= 2 * LANES && !abort.signal.aborted) await new Promise<void>((r) => waiting.push(r))
          if (cancelled() || abort.signal.aborted) stop()
          // another lane may have taken the last range while this one waited
          if (next >= runs.length) break
          const i = next++
          const [a, b] = runs[i]!
          const bytes = Buffer.allocUnsafe(b - a)
          await store.readInto(a, b - a, bytes, abort.signal)
          landed.set(i, bytes)
          // the pieces in order, as far as they have come
          for (let p = landed.get(queued); p; p = landed.get(queued)) {
            landed.delete(queued++)
            const piece = p
            writes = writes.then(async () => {
              if (cancelled() || abort.signal.aborted) stop()
              await take(piece)
              given++
              wakeAll()
            })
            // a failed write stops the lanes (its error is told below)
            writes.catch(() => {
              abort.abort()
              wakeAll()
            })
          }
        }
      }
      const settled = await Promise.allSettled(
        Array.from({ length: Math.min(LANES, runs.length) }, () =>
          lane().catch((e: unknown) => {
            abort.abort()
            wakeAll()
            throw e
          })
        )
      )
      // every write ended before the file may be closed or removed
      const wrote = await writes.then(
        () => null,
        (e: unknown) => e
      )
      throwFirstFailure(settled, wrote ? [wrote] : [])
    }
  }
}

/** Bytes a private reader fetches at once past what a read asks (ARRAYSCOPE_STREAM_AHEAD sets another). */
const readAhead = (): number => Math.min(64 << 20, Number(process.env.ARRAYSCOPE_STREAM_AHEAD) || 64 << 20)
/** Rows of a window a private reader fetches and gathers at once. */
const BATCH_ROWS = 1024

/**
 * What an export of a remote view larger than the copy may hold reads when its bytes are not one contiguous
 * span (a strided slice, a cast, text or CSV): a private copy of the object, filled synchronously as the export
 * walks its view forwards (64 MiB at a time, through the remote worker) and given back to the file system
 * behind it (punchHole), so its disk stays about that whatever the object's size. close() removes it.
 * Undefined where holes cannot be punched (the shared copy's bound applies).
 */
export function privateReader(
  store: RemoteStore,
  [first, end]: [number, number]
): (ByteSource & { close(): void }) | undefined {
  if (!punchable()) return undefined
  const file = pathModule.join(tempFolder('arrayscope-export-'), 'object.bin')
  const fd = fs.openSync(file, 'w+', 0o600)
  let mapping: Mapping
  try {
    fs.ftruncateSync(fd, store.size)
    mapping = new (native().Mapping)(file, 'r')
  } catch (e) {
    fs.closeSync(fd)
    removeTemp(file)
    throw e
  }
  const have = new Uint8Array(Math.ceil(store.size / BLOCK))
  const ahead = readAhead()
  let punched = Math.floor(first / BLOCK)
  // the blocks [lo, hi) touch, fetched where missing (runs coalesced); what lies below lo let go
  const ensure = (ranges: [number, number][]): void => {
    if (!ranges.length) return
    const lo = Math.min(...ranges.map((r) => r[0]))
    const below = Math.floor(lo / BLOCK)
    if (below > punched) {
      native().punchHole(fd, punched * BLOCK, (below - punched) * BLOCK)
      have.fill(0, punched, below)
      punched = below
    }
    const want = new Set<number>()
    for (const [a, b] of ranges) for (let k = Math.floor(a / BLOCK); k * BLOCK < b; k++) want.add(k)
    const sorted = [...want].sort((x, y) => x - y)
    // one contiguous run: read on ahead of it (the next reads of a forward walk)
    if (sorted.length && sorted.at(-1)! - sorted[0]! === sorted.length - 1) {
      const to = Math.ceil(Math.min(end, sorted.at(-1)! * BLOCK + ahead) / BLOCK)
      for (let k = sorted.at(-1)! + 1; k < to; k++) sorted.push(k)
    }
    const runs: [number, number][] = []
    for (const k of sorted) {
      if (have[k]) continue
      const last = runs.at(-1)
      const at = k * BLOCK
      const n = Math.min(store.size, at + BLOCK) - at
      if (last && last[0] + last[1] === at) last[1] += n
      else runs.push([at, n])
    }
    if (!runs.length) return
    store.fetchIntoSync(fd, runs)
    for (const [at, n] of runs) have.fill(1, at / BLOCK, Math.ceil((at + n) / BLOCK))
  }
  return {
    gather: (w, target) => {
      // a batch of rows at a time: a window of many rows (a column of a tall array) would fetch all it spans
      const per = w.cols * w.itemsize
      for (let r = 0; r < w.rows; r += BATCH_ROWS) {
        const rows = Math.min(BATCH_ROWS, w.rows - r)
        const sub = { ...w, base: Number(w.base) + r * Number(w.rowStride), rows }
        ensure(windowRanges(sub))
        mapping.gather(sub, target.subarray(r * per, (r + rows) * per))
      }
    },
    read: (offset, target) => {
      ensure([[offset, offset + target.length]])
      return mapping.read(offset, target)
    },
    close: () => {
      mapping.close()
      fs.closeSync(fd)
      removeTemp(file)
    }
  }
}
