// The dispatch table: every channel's handler, composed from one module per concern. Typed over every channel of
// the contract, so a channel without a handler fails to compile.
import { compareHandlers } from './compare'
import { containerHandlers } from './containers'
import type { HandlerTable, ServiceContext } from './context'
import { editHandlers } from './edits'
import { exportHandlers } from './export'
import { fileHandlers } from './files'
import { scanHandlers } from './scans'
import { sessionHandlers } from './sessions'
import { windowHandlers } from './windows'
import { workspaceHandlers } from './workspace'

export type { HandlerTable, ServiceContext } from './context'

export function handlerTable(ctx: ServiceContext): HandlerTable {
  return {
    ...fileHandlers(ctx),
    ...sessionHandlers(ctx),
    ...containerHandlers(ctx),
    ...compareHandlers(ctx),
    ...windowHandlers(ctx),
    ...scanHandlers(ctx),
    ...exportHandlers(ctx),
    ...editHandlers(ctx),
    ...workspaceHandlers(ctx)
  }
}
