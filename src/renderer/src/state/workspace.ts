// The page's tabs, views, cursors and panels saved on the Node side (workspace:get/set) and opened again after
// a reload or a restart. In serve mode the page's origin changes with the port, so the browser's own storage
// would not survive a restart; the Node side's configuration folder does.
import type { SessionInfo, Workspace } from '../../../shared/contract'
import { api } from '../transport'
import { fitAxes, slicedShape, type ViewState } from './view-model'
import { withFollow } from './follow-request'

export interface TabState {
  session: SessionInfo
  view: ViewState
  /** The table's cursor cell (the table starts there when it mounts: a restored or switched-back tab). */
  cell?: [number, number]
}

type SavedTab = Workspace['tabs'][number]

/** What opens a tab again: a container's array by name, a .npy by its header, a raw file by its layout. */
function savedTab(t: TabState): SavedTab | null {
  const s = t.session
  if (s.derived) return null
  const l = s.layout
  return {
    path: s.array ? s.array.container : s.path,
    layout: s.array || s.format === 'npy' ? null : { dtype: l.dtype, shape: l.shape, offset: l.offset, order: l.order },
    // a file created with w+ is reopened as it is now, never created again
    mode: s.mode === 'w+' ? 'r+' : s.mode,
    ...(s.array ? { array: s.array.name } : {}),
    view: t.view,
    cell: t.cell ?? [0, 0]
  }
}

export function workspaceOf(tabs: TabState[], active: number, panels: Workspace['panels']): Workspace {
  const saved: SavedTab[] = []
  let activeSaved = -1
  tabs.forEach((t, k) => {
    const s = savedTab(t)
    if (!s) return
    if (k === active) activeSaved = saved.length
    saved.push(s)
  })
  return { tabs: saved, active: activeSaved, panels }
}

/** Opens the saved tabs again (those that no longer open are left out and counted). */
export async function restoreWorkspace(): Promise<{
  tabs: TabState[]
  active: number
  panels: Workspace['panels']
  failed: string[]
} | null> {
  const { workspace } = await api.invoke('workspace:get', {})
  if (!workspace || workspace.tabs.length === 0) return null
  const tabs: TabState[] = []
  const failed: string[] = []
  let active = -1
  for (const [k, t] of workspace.tabs.entries()) {
    try {
      const session = await api.invoke(
        'session:open',
        withFollow({
          path: t.path,
          layout: t.layout,
          mode: t.mode,
          ...(t.array ? { array: t.array } : {})
        })
      )
      const view = fitAxes(t.view as ViewState, slicedShape(session.layout, t.view.slice).shape)
      if (k === workspace.active) active = tabs.length
      tabs.push({ session, view, cell: t.cell })
    } catch (e) {
      failed.push(`${t.array ? `${t.path} › ${t.array}` : t.path}: ${(e as Error).message}`)
    }
  }
  return { tabs, active: active < 0 ? tabs.length - 1 : active, panels: workspace.panels, failed }
}
