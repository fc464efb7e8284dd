// Channel handlers for sessions: mapping a file (or an array of a container) and unmapping it.
import { ApiError } from '../../../shared/contract'
import { canFollow } from '../follow'
import { openSession } from '../open'
import type { Handlers, ServiceContext } from './context'

export function sessionHandlers(ctx: ServiceContext): Handlers<'session:open' | 'session:close' | 'session:follow'> {
  return {
    'session:open': async (r) => {
      const s = await openSession(r, ctx.opening)
      // follow mode: asked for (the app asks for it in mode r), where the session cannot be edited
      s.request = r
      if (r.follow && canFollow(s)) s.info = { ...s.info, following: true }
      return ctx.register(s)
    },
    'session:follow': (r) => {
      const s = ctx.session(r.session)
      if (r.follow && !canFollow(s)) {
        throw new ApiError(
          'readonly',
          s.info.mode === 'r'
            ? 'this array cannot follow its file (a derived array is computed from two others)'
            : `follow mode is for files open read-only (mode r); this one is open with mode ${s.info.mode}, whose edits must not mix with another writer's bytes`
        )
      }
      s.info = { ...s.info, following: r.follow }
      return { session: s.id, following: r.follow }
    },
    'session:close': (r) => ctx.close(r.session, r.unflushed ?? 'discard')
  }
}
