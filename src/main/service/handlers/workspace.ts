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
      const allowed = (p: string): boolean => ctx.paths.allows(pathModule.resolve(p))
      const tabs = w.tabs.filter(
        (t) => allowed(t.path) && (!t.derived || (allowed(t.derived.a.path) && allowed(t.derived.b.path)))
      )
      const containers = w.containers?.filter(allowed)
      return {
        workspace: {
          ...w,
          tabs,
          active: w.active < tabs.length ? w.active : tabs.length - 1,
          ...(containers ? { containers } : {})
        }
      }
    },
    'workspace:set': (r) => {
      ctx.workspace?.set(r.workspace)
      return {}
    }
  }
}
