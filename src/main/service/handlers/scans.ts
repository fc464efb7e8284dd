// Channel handlers for scans: whole-view native passes (statistics, line plots, images, tiles, profiles) and
// finds, each under a scanId that progress events and scan:cancel use.
import { runCondition, runProfile } from '../along'
import { refuseValueFind } from '../array-source'
import { runFind } from '../find'
import { streamedStats } from '../remote-scan'
import { f64Bytes, runBlocks, runBuckets, runStats, scanStats } from '../scan'
import type { Handlers, ServiceContext } from './context'
import { tileOf } from './tile'
import { versionOf } from '../file-identity'

type ScanChannel =
  | 'scan:stats'
  | 'scan:line'
  | 'scan:image'
  | 'scan:tile'
  | 'scan:profile'
  | 'scan:cancel'
  | 'find:run'
  | 'find:condition'

export function scanHandlers(ctx: ServiceContext): Handlers<ScanChannel> {
  return {
    'scan:stats': (r) => {
      const view = ctx.scanTarget(r)
      // the file's version before the pass: the statistics describe it (or a newer one written meanwhile)
      const session = ctx.session(r.session)
      const version = versionOf(session.source.watch)
      return ctx.scans
        .run(
          r.scanId,
          (progress) =>
            streamedStats(session.info.derived ? undefined : session.source, view, {
              bins: r.bins,
              onProgress: progress
            }) ??
            ctx.streamFill(r.session, view, progress, (gate, onProgress) =>
              runStats({ ...ctx.scannable(r.session), gate }, view, { bins: r.bins, onProgress })
            ),
          view.dtype.itemsize
        )
        .then((stats) => ({ ...scanStats(stats), ...(version ? { version } : {}) }))
    },
    'scan:line': (r) =>
      ctx.scans
        .run(r.scanId, (progress) => {
          const view = ctx.scanTarget(r)
          return ctx.streamFill(r.session, view, progress, (gate) =>
            runBuckets({ ...ctx.scannable(r.session), gate }, view, r.start, r.stop, r.buckets)
          )
        })
        .then((b) => ({
          start: r.start,
          stop: r.stop,
          buckets: b.min.length,
          min: f64Bytes(b.min),
          max: f64Bytes(b.max)
        })),
    'scan:image': (r) =>
      ctx.scans
        .run(r.scanId, (progress) => {
          const view = ctx.scanTarget(r)
          return ctx.streamFill(r.session, view, progress, (gate) =>
            runBlocks({ ...ctx.scannable(r.session), gate }, view, r.outRows, r.outCols, r.reduce)
          )
        })
        .then((b) => ({ rows: b.rows, cols: b.cols, values: f64Bytes(b.values) })),
    'scan:tile': (r) => tileOf(ctx, r),
    'find:condition': (r) => {
      const view = ctx.scanTarget(r)
      return ctx.scans.run(
        r.scanId,
        (progress) =>
          ctx.afterFill(r.session, view, progress, (p) => runCondition(ctx.scannable(r.session), view, r, p)),
        view.dtype.itemsize
      )
    },
    'scan:profile': (r) => {
      const view = ctx.scanTarget(r)
      return ctx.scans.run(
        r.scanId,
        (progress) =>
          ctx.afterFill(r.session, view, progress, (p) => runProfile(ctx.scannable(r.session), view, r.keep, p)),
        view.dtype.itemsize
      )
    },
    'scan:cancel': (r) => ({ cancelled: ctx.scans.cancel(r.scanId) }),
    'find:run': ({ session, scanId, ...query }) =>
      ctx.scans.run(scanId, (progress) => {
        const s = ctx.session(session)
        if (query.kind === 'value') refuseValueFind(s.source, s.info.array?.storedType)
        // a match in the chunks decoded so far ends it: the rest is decoded when something reads it
        return ctx.streamFill(
          session,
          s.layout,
          progress,
          (gate, p) => runFind(s.mapping, s.source.stored, query, p, gate),
          true
        )
      })
  }
}
