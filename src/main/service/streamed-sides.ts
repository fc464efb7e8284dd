// A job over several sessions' views at once (a diff's two sides) reading each while its copy is filled: a
// chunk grid's chunks decoded, a remote object's blocks fetched into its copy (stream-fill.ts, gated per side).
// A remote side larger than its copy may hold streams through a private copy (remote-stream.ts). Where a side
// cannot stream (a growing store; a remote view walking backwards), or both sides are one source (their fills
// would write the same chunks), each side is filled first, one after the other, as before.
import type { ArrayView } from '../../shared/slice'
import type { ArraySource } from './array-source'
import { phasedProgress, elementsOf } from './phased-progress'
import { ScanJob } from './scan'
import { streamFills, type Through } from './stream-fill'

type Progress = ((done: number, total: number) => void) | undefined

export function streamedSides<T>(
  sides: { source: ArraySource; view: ArrayView }[],
  onProgress: Progress,
  make: (through: Through[], progress: Progress) => ScanJob<T>
): ScanJob<T> {
  // a diff reads each side once, forwards: a remote side larger than its copy may hold streams privately
  const shared = new Set(sides.map((s) => s.source)).size < sides.length
  const fills = shared ? [] : sides.map((s) => s.source.gatedFill(s.view, { onePass: true }))
  if (!shared && fills.every((f) => f !== undefined)) {
    return streamFills(
      fills.map((f) => (f === 'none' ? null : f!)),
      onProgress,
      make
    )
  }
  // one bar for the fills and the pass (phased-progress.ts)
  const phases = phasedProgress(onProgress, elementsOf(sides[0]!.view))
  return new ScanJob(async (track) => {
    for (const s of sides) {
      const filling = s.source.fill(s.view, phases.fill)
      if (filling) await track(filling)
    }
    return phases.ended(
      await track(
        make(
          sides.map(() => ({})),
          phases.pass
        )
      )
    )
  })
}
