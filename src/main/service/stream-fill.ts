// Scans beside the decoding of what they read (issue 27, item 3). A chunk grid's copy is filled in the grid's C
// order, several chunks in flight (hdf5-chunked.ts); a statistics, line-plot or image scan of a view starts at
// the same time and reads through a gate: the native pass hands a part of the copy to its threads only once the
// gate says every byte of it is written (native/src/pass.cc). The gate is the copy's byte offset before which
// every row of chunks (along the first axis) that the view touches is decoded; it is a BigInt64Array on a
// SharedArrayBuffer that this side raises with Atomics.store as rows complete, and opens wholly when the fill
// ends. So the pass trails the decoding by about a row of chunks instead of waiting for all of it, the chunks it
// reads are still in the page cache, and a second pass over a filled copy runs ungated as before.
// A view that walks the copy backwards or across its first axis reads its first part last: it waits for the
// whole fill, as before this existed. A fill that fails or is cancelled opens the gate and cancels the scan.
// A remote object's blocks are fetched the same way, in order, several requests in flight (remote-stream.ts).
import type { Mapping, ScanHandle } from './native'
import { phasedProgress } from './phased-progress'
import { ScanJob } from './scan'

/** The gate's value that lets a pass read everything: 2^63 - 1. */
export const GATE_OPEN = (1n << 63n) - 1n

type Progress = ((done: number, total: number) => void) | undefined

/** Lets the pass read the bytes below `bytes` (Infinity: everything); the gate only rises. */
export function raiseGate(gate: BigInt64Array, bytes: number): void {
  const to = bytes === Infinity ? GATE_OPEN : BigInt(Math.floor(bytes))
  if (to > Atomics.load(gate, 0)) Atomics.store(gate, 0, to)
}

/**
 * What a streamed job's scans read through: the gate (ScanSource.gate; undefined when there is nothing to wait
 * for) and, where the fill writes elsewhere than the session's copy (a remote object's private copy:
 * remote-stream.ts), that copy's mapping.
 */
export interface Through {
  gate?: BigInt64Array
  mapping?: Mapping
}

/**
 * A streamed job: its scans read through `through`, and report to progress (silent while the fill reports,
 * which leads; then after its share).
 */
export type StreamMake<T> = (through: Through, progress: Progress) => ScanJob<T>

/** A fill the scans trail: it raises gate[0] as the bytes below are written; elements: the view's, for progress. */
export interface GatedFill {
  elements: number
  /** Makes the copy the scans read, when not the session's own, as the job starts (end removes it). */
  open?(): Mapping
  /** Elements in gate: 2 when the fill listens to what the pass has read (gate[1], native/index.d.ts). */
  slots?: number
  start(onProgress: Progress, gate: BigInt64Array): ScanHandle<void>
  /** After the job and the fill have both ended (the private copy removed). */
  end?(): void
}

/** The job make builds, its scans reading the copy filler writes while it writes it. */
export function streamFill<T>(
  filler: GatedFill,
  onProgress: Progress,
  make: StreamMake<T>,
  /** The job may end before the fill (a find's first match): the fill then stops, the rest decoded when read. */
  early = false
): ScanJob<T> {
  return streamFills([filler], onProgress, ([through], p) => make(through!, p), early)
}

/**
 * The same for a job reading several copies (a diff's two sides), each through its own gate while its fill
 * writes it; null: a side with nothing to fill (read ungated).
 */
export function streamFills<T>(
  fillers: (GatedFill | null)[],
  onProgress: Progress,
  make: (through: Through[], progress: Progress) => ScanJob<T>,
  early = false
): ScanJob<T> {
  const live = fillers.filter((f): f is GatedFill => f !== null)
  const endAll = (): void => live.forEach((f) => f.end?.())
  return new ScanJob(async (track) => {
    const gates = fillers.map((f) => f && new BigInt64Array(new SharedArrayBuffer(8 * (f.slots ?? 1))))
    let mappings: (Mapping | undefined)[]
    try {
      mappings = fillers.map((f) => f?.open?.())
    } catch (e) {
      endAll()
      throw e
    }
    const openAll = (): void => gates.forEach((g) => g && Atomics.store(g, 0, GATE_OPEN))
    let filling = true
    // one bar: the fills' share, then the passes' (phased-progress.ts), never back from the fills' 100 %; the
    // passes trail the fills, so what is left of them after is short: a quarter of their share (a 300 MiB gzip
    // HDF5 dataset: fill ~700 ms, then the passes' tail ~100 ms)
    const phases = phasedProgress(onProgress, live.reduce((a, f) => a + f.elements, 0) / 4)
    const throughs: Through[] = fillers.map((f, k) =>
      f ? (mappings[k] ? { gate: gates[k]!, mapping: mappings[k] } : { gate: gates[k]! }) : {}
    )
    let job: ScanJob<T>
    try {
      // made first (its passes start gated shut): a job that cannot be made leaves nothing decoding
      job = make(throughs, onProgress && ((done, total) => !filling && phases.pass!(done, total)))
    } catch (e) {
      endAll()
      throw e
    }
    // the fills' progress added up (each counts its own elements)
    const parts = live.map(() => [0, 0])
    const fills = live.map((f, k) =>
      f.start(
        phases.fill &&
          ((done, total) => {
            parts[k] = [done, total]
            phases.fill!(
              parts.reduce((a, p) => a + p[0]!, 0),
              parts.reduce((a, p) => a + p[1]!, 0)
            )
          }),
        gates[fillers.indexOf(f)]!
      )
    )
    const cancelFills = (): void => fills.forEach((f) => f.cancel())
    const filled = Promise.all(fills.map((f) => f.promise)).then(
      () => {
        filling = false
        openAll()
      },
      (e: unknown) => {
        // the scan would wait for bytes that never come
        openAll()
        cancelFills()
        job.cancel()
        throw e
      }
    )
    // a scan that failed by itself needs no more chunks
    job.promise.catch(cancelFills)
    // early: the job's end is the end (a fill that fails first still says why); else both must end
    const ends = early
      ? Promise.race([job.promise, filled.then(() => job.promise)]).then((r) => (cancelFills(), r))
      : Promise.all([filled, job.promise]).then(([, r]) => r)
    try {
      const result = await track({
        promise: ends,
        cancel: () => {
          cancelFills()
          job.cancel()
        }
      })
      return phases.ended(result)
    } finally {
      if (live.some((f) => f.end)) {
        // all settled before a copy goes: a pass still reading it, or a lane still writing, would fault
        await Promise.allSettled([...fills.map((f) => f.promise), job.promise])
        endAll()
      }
    }
  })
}
