// Channel handlers for comparing two sessions: the whole-view diff, a window's mismatch mask, derived arrays.
import { compareRun, diffSummary, windowMask } from '../compare'
import { ScanJob } from '../scan'
import type { Handlers, ServiceContext } from './context'

export function compareHandlers(ctx: ServiceContext): Handlers<'diff:run' | 'diff:window' | 'session:derive'> {
  return {
    'diff:run': (r) => {
      const { a, b } = ctx.comparePair(r.a, r.b, r.slice)
      return ctx.scans
        .run(
          r.scanId,
          (progress) => {
            // chunked HDF5 datasets: their copies are filled where the views look first
            const sides = [
              [ctx.session(r.a), a.view],
              [ctx.session(r.b), b.view]
            ] as const
            if (!sides.some(([s]) => s.chunked)) return compareRun(a, b, r, { onProgress: progress })
            return new ScanJob(async (track) => {
              for (const [s, v] of sides) if (s.chunked) await track(s.chunked.fill(ctx.copyView(s, v), progress))
              return await track(compareRun(a, b, r, { onProgress: progress }))
            })
          },
          a.view.dtype.itemsize + b.view.dtype.itemsize
        )
        .then((report) => diffSummary(report, a.view, b.view))
    },
    'diff:window': (r) => {
      const { a, b } = ctx.comparePair(r.a, r.b, r.view.slice)
      return windowMask(a, b, r)
    },
    'session:derive': (r) => ctx.derive(r)
  }
}
