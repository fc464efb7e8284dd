// Channel handlers for windows: the table's cells and the hex view's bytes.
import type { Handlers, ServiceContext } from './context'

export function windowHandlers(ctx: ServiceContext): Handlers<'window:get' | 'bytes:get'> {
  return {
    'window:get': (r) => ctx.window(r),
    'bytes:get': (r) => ctx.bytes(r)
  }
}
