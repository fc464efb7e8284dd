// Channel handlers for edits: undoable writes, undo and redo, flush, and .npy header rewrites. Each goes through
// writable() (the path must still name the mapped file) and edited() (every view hears what changed).
import { rewriteHeader } from '../header-edit'
import type { Handlers, ServiceContext } from './context'

type EditChannel = 'edit:apply' | 'edit:undo' | 'edit:redo' | 'edit:flush' | 'npy:header'

export function editHandlers(ctx: ServiceContext): Handlers<EditChannel> {
  return {
    'npy:header': (r) => ctx.edited(rewriteHeader(ctx.writable(ctx.session(r.session)), r)),
    'edit:apply': (r) => ctx.edited(ctx.writable(ctx.editable(r.session)).edits.apply(r.writes)),
    'edit:undo': (r) => ctx.edited(ctx.writable(ctx.editable(r.session)).edits.undo()),
    'edit:redo': (r) => ctx.edited(ctx.writable(ctx.editable(r.session)).edits.redo()),
    // edited() re-reads the file's stat: our own write is not "changed by another process"
    'edit:flush': (r) => ctx.edited(ctx.writable(ctx.session(r.session)).edits.flush())
  }
}
