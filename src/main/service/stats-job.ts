// Statistics of a session's view as scan:stats and the CLI's stats compute them: streamed past the copy for a
// remote float view (remote-scan.ts); else a pass beside the fill of what it reads (stream-fill.ts). A histogram
// of the data's own range takes two passes (numpy's rule: the range is the first pass's [min, max]); over a
// remote object larger than its copy may hold, each pass streams the object through a private copy of its own
// (remote-stream.ts), the second given the first's range — the same edges and counts as the two passes over
// one copy.
import type { ArrayView } from '../../shared/slice'
import type { ArraySource } from './array-source'
import { phasedProgress } from './phased-progress'
import { streamedStats } from './remote-scan'
import { runStats, ScanJob, type ScanSource, type Stats } from './scan'

type Progress = ((done: number, total: number) => void) | undefined

export interface StatsOptions {
  bins?: number
  range?: [number, number]
  onProgress?: Progress
}

export function statsJob(
  source: ArraySource,
  scan: ScanSource,
  view: ArrayView,
  options: StatsOptions,
  /** A derived array (A − B …) is computed per window: never streamed from a store. */
  derived = false
): ScanJob<Stats> {
  const streamed = streamedStats(derived ? undefined : source, view, options)
  if (streamed) return streamed
  const pass = (o: StatsOptions, onePass: boolean): ScanJob<Stats> =>
    source.streamFill(
      view,
      o.onProgress,
      (through, onProgress) => runStats({ ...scan, ...through }, view, { ...o, onProgress }),
      { onePass }
    )
  const twoPasses = options.bins !== undefined && !options.range
  if (!twoPasses || !streamsTwice(source, view)) return pass(options, !twoPasses)
  // one bar over both passes (each fetches the view)
  const phases = phasedProgress(options.onProgress, 1)
  return new ScanJob(async (track) => {
    const half = (k: number): Progress => phases.fill && ((d, t) => phases.fill!(k * t + d, 2 * t))
    const first = await track(pass({ onProgress: half(0) }, true))
    const range: [number, number] = [first.min ?? 0, first.max ?? 1]
    const second = await track(pass({ bins: options.bins!, range, onProgress: half(1) }, true))
    return phases.ended({ ...first, ...(second.histogram ? { histogram: second.histogram } : {}) })
  })
}

/** Whether a two-pass job over the view must stream each pass (a remote view its copy may not hold). */
function streamsTwice(source: ArraySource, view: ArrayView): boolean {
  if (!source.remoteObject || source.gatedFill(view) !== undefined) return false
  const one = source.gatedFill(view, { onePass: true })
  return typeof one === 'object' && one.open !== undefined
}
