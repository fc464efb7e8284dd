// Channel handlers for the workspace: the tabs, views, cursors and panels saved to come back after a restart.
import pathModule from 'node:path'
import { workspaceSchema } from '../../../shared/contract'
import type { Handlers, ServiceContext } from './context'

export function workspaceHandlers(ctx: ServiceContext): Handlers<'workspace:get' | 'workspace:set'> {
  return {
    'workspace:get': () => {
      const saved = workspaceSchema.safeParse(ctx.workspace?.get())
      if (!saved.success) return { workspace: null }
      const w = saved.data
      // with serve --root, a saved path outside it is not reopened (the page could not open it either)
      const tabs = w.tabs.filter((t) => ctx.paths.allows(pathModule.resolve(t.path)))
      return { workspace: { ...w, tabs, active: w.active < tabs.length ? w.active : tabs.length - 1 } }
    },
    'workspace:set': (r) => {
      ctx.workspace?.set(r.workspace)
      return {}
    }
  }
}
