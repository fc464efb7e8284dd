// Channel handlers for sessions: mapping a file (or an array of a container) and unmapping it.
import { openSession } from '../open'
import type { Handlers, ServiceContext } from './context'

export function sessionHandlers(ctx: ServiceContext): Handlers<'session:open' | 'session:close'> {
  return {
    'session:open': async (r) => ctx.register(await openSession(r, ctx.opening)),
    'session:close': (r) => ctx.close(r.session, r.unflushed ?? 'discard')
  }
}
