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
import type { ArrayView } from '../../shared/slice'
import type { ChunkedDataset } from './hdf5-chunked'
import { elementsOf, phasedProgress } from './phased-progress'
import { ScanJob } from './scan'

/** The gate's value that lets a pass read everything: 2^63 - 1. */
const GATE_OPEN = (1n << 63n) - 1n

type Progress = ((done: number, total: number) => void) | undefined

/**
 * A streamed job: its scans read the copy through gate (ScanSource.gate; undefined when there is nothing to
 * wait for), and report to progress (silent while the fill reports, which leads; then after its share).
 */
export type StreamMake<T> = (gate: BigInt64Array | undefined, progress: Progress) => ScanJob<T>

/** The job make builds, its scans reading a stored view of the grid's copy while the fill decodes it. */
export function streamFill<T>(
  grid: ChunkedDataset,
  stored: ArrayView,
  onProgress: Progress,
  make: StreamMake<T>,
  /** The job may end before the fill (a find's first match): the fill then stops, the rest decoded when read. */
  early = false
): ScanJob<T> {
  return new ScanJob(async (track) => {
    const gate = new BigInt64Array(new SharedArrayBuffer(8))
    const raise = (bytes: number): void => {
      Atomics.store(gate, 0, bytes === Infinity ? GATE_OPEN : BigInt(Math.floor(bytes)))
    }
    let filling = true
    // one bar: the fill's share, then the passes' (phased-progress.ts), never back from the fill's 100 %; the
    // passes trail the fill, so what is left of them after it is short: a quarter of its share (a 300 MiB gzip
    // HDF5 dataset: fill ~700 ms, then the passes' tail ~100 ms)
    const phases = phasedProgress(onProgress, elementsOf(stored) / 4)
    // made first (its passes start gated shut): a job that cannot be made leaves nothing decoding
    const job = make(gate, onProgress && ((done, total) => !filling && phases.pass!(done, total)))
    const fill = grid.fill(stored, phases.fill, raise)
    const filled = fill.promise.then(
      () => {
        filling = false
        raise(Infinity)
      },
      (e: unknown) => {
        // the scan would wait for bytes that never come
        raise(Infinity)
        job.cancel()
        throw e
      }
    )
    // a scan that failed by itself needs no more chunks
    job.promise.catch(() => fill.cancel())
    // early: the job's end is the end (a fill that fails first still says why); else both must end
    const ends = early
      ? Promise.race([job.promise, filled.then(() => job.promise)]).then((r) => (fill.cancel(), r))
      : Promise.all([filled, job.promise]).then(([, r]) => r)
    const result = await track({
      promise: ends,
      cancel: () => {
        fill.cancel()
        job.cancel()
      }
    })
    return phases.ended(result)
  })
}
