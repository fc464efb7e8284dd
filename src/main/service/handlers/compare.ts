// Channel handlers for comparing two sessions: the whole-view diff, a window's mismatch mask, derived arrays.
import { randomUUID } from 'node:crypto'
import { ApiError, type Request, type SessionInfo } from '../../../shared/contract'
import { formatShape } from '../../../shared/layout'
import { compareRun, derivedInfo, derivedLayout, DerivedSource, diffSummary, windowMask } from '../compare'
import { native } from '../native'
import { ArraySource } from '../array-source'
import { streamedSides } from '../streamed-sides'
import { newSession } from '../session'
import type { Handlers, ServiceContext } from './context'

export function compareHandlers(ctx: ServiceContext): Handlers<'diff:run' | 'diff:window' | 'session:derive'> {
  return {
    'diff:run': (r) => {
      const { a, b } = ctx.comparePair(r.a, r.b, r.slice)
      return ctx.scans
        .run(
          r.scanId,
          (progress) => {
            // chunk grids and remote objects: each side read as its copy is filled (streamed-sides.ts)
            const sides = [
              { source: ctx.session(r.a).source, view: a.view },
              { source: ctx.session(r.b).source, view: b.view }
            ]
            if (!sides.some((s) => s.source.needsFill)) return compareRun(a, b, r, { onProgress: progress })
            return streamedSides(sides, progress, ([ta, tb], onProgress) =>
              compareRun({ ...a, scan: { ...a.scan, ...ta } }, { ...b, scan: { ...b.scan, ...tb } }, r, { onProgress })
            )
          },
          a.view.dtype.itemsize + b.view.dtype.itemsize
        )
        .then((report) => diffSummary(report, a.view, b.view))
    },
    'diff:window': (r) => {
      const { a, b } = ctx.comparePair(r.a, r.b, r.view.slice)
      return windowMask(a, b, r)
    },
    'session:derive': (r) => derive(ctx, r)
  }
}

/** Opens a derived array (|A − B|, A − B, ULP distance) of two sessions' views as a session of its own. */
function derive(ctx: ServiceContext, r: Request<'session:derive'>): SessionInfo {
  const { a, b } = ctx.comparePair(r.a, r.b, r.slice)
  const sa = a.view.shape
  const sb = b.view.shape
  if (sa.length !== sb.length || sa.some((n, k) => n !== sb[k])) {
    throw new ApiError('bad-request', `shape mismatch: A has shape ${formatShape(sa)}, B has shape ${formatShape(sb)}`)
  }
  for (const [name, v] of [
    ['A', a.view],
    ['B', b.view]
  ] as const) {
    if (v.dtype.kind !== 'scalar' || v.dtype.type.kind === 'complex')
      throw new ApiError('bad-request', `a derived array needs real numbers; ${name} is ${v.dtype.str}`)
  }
  const A = ctx.session(r.a)
  const layout = derivedLayout(sa)
  const id = randomUUID()
  // its own read-only mapping of A's file: closing the derived tab must not close A
  const mapping = new (native().Mapping)(A.mapping.path, 'r')
  const info = derivedInfo(id, A.info, r.kind, layout, ctx.session(r.b).info)
  const source = new DerivedSource(() => ctx.comparePair(r.a, r.b, r.slice), r.kind, sa)
  ctx.register(newSession(ArraySource.ofFile(mapping, layout, source), info))
  return info
}
