// An export of a remote object's bytes as they arrive (issue 30, item 4): a contiguous view exported raw or as
// .npy without a cast is the object's bytes in order, so its ranges are fetched LANES at a time into JS memory
// and written to the export's file in order as each lands — nothing goes through the object's copy, which would
// cost a second write and read and disk as large as the view (an object larger than ARRAYSCOPE_TEMP_MAX could
// not be exported at all). Memory stays at most 2 × LANES ranges. Other exports (strided views, casts, text)
// read the copy, filled first.
import { ApiError } from '../../shared/contract'
import type { RemoteStore } from './remote-store'

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
      const failed = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason)
      if (wrote) failed.unshift(wrote)
      const cause = failed.find((e) => (e as { code?: string }).code !== 'cancelled')
      if (cause ?? failed[0]) throw cause ?? failed[0]
    }
  }
}
