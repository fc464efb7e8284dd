// Channel handlers for exports: numpy's tofile semantics to a new file, with progress events, cancellable.
import { sliced } from '../../../shared/slice'
import type { Handlers, ServiceContext } from './context'

export function exportHandlers(ctx: ServiceContext): Handlers<'export:run' | 'export:cancel'> {
  return {
    'export:run': (r) => {
      let view = ctx.scanTarget(r)
      if (r.ranges) view = sliced(view, r.ranges.map(([a, b]) => `${a}:${b}`).join(', '))
      const { as, sep, fmt, toDtype, casting, sidecar } = r
      const options = { as, out: ctx.paths.resolve(r.out), sep, fmt, toDtype, casting, sidecar }
      const replace = { overwrite: r.overwrite === true, howToReplace: 'confirm' }
      return ctx.scans.run(
        r.scanId,
        (progress) => ctx.exportOf(r.session, view, options, replace, progress),
        view.dtype.itemsize,
        'export:progress'
      )
    },
    'export:cancel': (r) => ({ cancelled: ctx.scans.cancel(r.scanId) })
  }
}
