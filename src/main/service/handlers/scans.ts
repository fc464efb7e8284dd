// Channel handlers for scans: whole-view native passes (statistics, line plots, images, tiles, profiles) and
// finds, each under a scanId that progress events and scan:cancel use.
import { runCondition, runProfile } from '../along'
import { refuseValueFind } from '../array-source'
import { runFind } from '../find'
import { statsJob } from '../stats-job'
import { f64Bytes, runBlocks, runBuckets, ScanJob, scanStats } from '../scan'
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
            statsJob(
              session.source,
              ctx.scannable(r.session),
              view,
              { bins: r.bins, onProgress: progress },
              !!session.info.derived
            ),
          view.dtype.itemsize
        )
        .then((stats) => ({ ...scanStats(stats), ...(version ? { version } : {}) }))
    },
    'scan:line': (r) =>
      ctx.scans
        .run(r.scanId, (progress) => {
          const view = ctx.scanTarget(r)
          return ctx.streamFill(
            r.session,
            view,
            progress,
            (through) => runBuckets({ ...ctx.scannable(r.session), ...through }, view, r.start, r.stop, r.buckets),
            { onePass: true }
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
          return ctx.streamFill(
            r.session,
            view,
            progress,
            (through) => runBlocks({ ...ctx.scannable(r.session), ...through }, view, r.outRows, r.outCols, r.reduce),
            { onePass: true }
          )
        })
        .then((b) => ({ rows: b.rows, cols: b.cols, values: f64Bytes(b.values) })),
    'scan:tile': (r) => tileOf(ctx, r),
    'find:condition': (r) => {
      const view = ctx.scanTarget(r)
      return ctx.scans.run(
        r.scanId,
        (progress) =>
          ctx.streamFill(
            r.session,
            view,
            progress,
            (through, p) => runCondition({ ...ctx.scannable(r.session), ...through }, view, r, p),
            // one pass forwards from the view's first element (a remote view of any size through a private copy)
            r.start === 0 && !r.backwards && !r.wrap ? { early: true, onePass: true } : { early: true }
          ),
        view.dtype.itemsize
      )
    },
    'scan:profile': (r) => {
      const view = ctx.scanTarget(r)
      return ctx.scans.run(
        r.scanId,
        (progress) =>
          ctx.streamFill(
            r.session,
            view,
            progress,
            (through, p) => runProfile({ ...ctx.scannable(r.session), ...through }, view, r.keep, p),
            { onePass: true }
          ),
        view.dtype.itemsize
      )
    },
    'scan:cancel': (r) => ({ cancelled: ctx.scans.cancel(r.scanId) }),
    'find:run': ({ session, scanId, ...query }) =>
      ctx.scans.run(scanId, (progress) => {
        const s = ctx.session(session)
        if (query.kind === 'value') refuseValueFind(s.source, s.info.array?.storedType)
        // a match in the chunks decoded so far ends it: the rest is decoded when something reads it
        const find = (q: typeof query, p: typeof progress) =>
          ctx.streamFill(
            session,
            s.layout,
            p,
            (through, p) => runFind(through.mapping ?? s.mapping, s.source.stored, q, p, through.gate),
            // one pass forwards from its start
            q.backwards || q.wrap ? { early: true } : { early: true, onePass: true, from: q.start }
          )
        if (!query.wrap || query.backwards || !s.source.remoteObject) return find(query, progress)
        // a remote object, wrapped: from the start on, then from 0 (the first match there is before the start),
        // two forward passes that each stream (an object larger than its copy may hold included)
        return new ScanJob(async (track) => {
          const after = await track(find({ ...query, wrap: false }, progress))
          if (after.offset !== null || query.start === 0) return after
          const before = await track(find({ ...query, wrap: false, start: 0 }, progress))
          return { ...before, wrapped: before.offset !== null }
        })
      })
  }
}
