// The page's tabs, views, cursors, panels and open containers saved on the Node side (workspace:get/set) and
// opened again after a reload or a restart. In serve mode the page's origin changes with the port, so the
// browser's own storage would not survive a restart; the Node side's configuration folder does.
import type { SavedSource, SessionInfo, Workspace } from '../../../shared/contract'
import { api } from '../transport'
import { fitAxes, slicedShape, type ViewState } from './view-model'
import { withFollow } from './follow-request'

/** How a derived tab (|A − B| …) was made: derived again from A and B after a reload. */
export interface DerivedFrom {
  kind: 'absdiff' | 'diff' | 'ulp'
  slice?: string
  a: SavedSource
  b: SavedSource
}

export interface TabState {
  session: SessionInfo
  view: ViewState
  /** The table's cursor cell (the table starts there when it mounts: a restored or switched-back tab). */
  cell?: [number, number]
  /** A derived tab's recipe (saved with the workspace). */
  derivedFrom?: DerivedFrom
  /** Sessions opened for this tab alone (a restored derived tab's A and B), closed with it. */
  owned?: string[]
}

type SavedTab = Workspace['tabs'][number]

/** What opens a session's array again: a container's array by name, a .npy by its header, a raw file by its layout. */
export function sourceOf(s: SessionInfo): SavedSource {
  const l = s.layout
  if (s.text) {
    // a text array opens its text again (parsed anew; the shape inferred, as it may still have been growing)
    const { sep, rows, skip, comments } = s.text
    const text = {
      sep,
      ...(rows !== undefined ? { rows } : {}),
      ...(skip ? { skip } : {}),
      ...(comments !== undefined ? { comments } : {})
    }
    return {
      path: s.text.path,
      layout: { dtype: l.dtype, shape: null, offset: s.text.offset, order: l.order, text },
      mode: 'r'
    }
  }
  return {
    path: s.array ? s.array.container : s.path,
    // an axis the file's size gave stays -1: the file may have grown (or shrunk) since
    layout:
      s.array || s.format === 'npy'
        ? null
        : {
            dtype: l.dtype,
            shape: l.shape.map((n, k) => (k === s.inferredAxis ? -1 : n)),
            offset: l.offset,
            order: l.order
          },
    // a file created with w+ is reopened as it is now, never created again
    mode: s.mode === 'w+' ? 'r+' : s.mode,
    ...(s.array ? { array: s.array.name } : {})
  }
}

function savedTab(t: TabState): SavedTab | null {
  const s = t.session
  const where = { view: t.view, cell: t.cell ?? ([0, 0] as [number, number]) }
  if (!s.derived) return { ...sourceOf(s), ...where }
  if (!t.derivedFrom) return null
  // A derived tab: its own entry opens A (read-only), then derives it again
  return { ...t.derivedFrom.a, mode: 'r', derived: t.derivedFrom, ...where }
}

export function workspaceOf(
  tabs: TabState[],
  active: number,
  panels: Workspace['panels'],
  containers: string[]
): Workspace {
  const saved: SavedTab[] = []
  let activeSaved = -1
  tabs.forEach((t, k) => {
    const s = savedTab(t)
    if (!s) return
    if (k === active) activeSaved = saved.length
    saved.push(s)
  })
  return { tabs: saved, active: activeSaved, panels, containers }
}

/** Opens a saved source again; a tab's own source (not a derived tab's A or B) in follow mode where it can. */
const openSource = (s: SavedSource, mode = s.mode, follow = false): Promise<SessionInfo> => {
  const r = { path: s.path, layout: s.layout, mode, ...(s.array ? { array: s.array } : {}) }
  return api.invoke('session:open', follow ? withFollow(r) : r)
}

/** Derives a saved |A − B| tab again from sessions of its own of A and B (read-only), closed with the tab. */
async function reopenDerived(d: DerivedFrom): Promise<Pick<TabState, 'session' | 'owned'>> {
  const a = await openSource(d.a, 'r')
  try {
    const b = await openSource(d.b, 'r')
    try {
      const session = await api.invoke('session:derive', {
        a: a.session,
        b: b.session,
        kind: d.kind,
        ...(d.slice ? { slice: d.slice } : {})
      })
      return { session, owned: [a.session, b.session] }
    } catch (e) {
      void api.invoke('session:close', { session: b.session }).catch(() => undefined)
      throw e
    }
  } catch (e) {
    void api.invoke('session:close', { session: a.session }).catch(() => undefined)
    throw e
  }
}

/** Opens the saved tabs again (those that no longer open are left out and counted). */
export async function restoreWorkspace(): Promise<{
  tabs: TabState[]
  active: number
  panels: Workspace['panels']
  containers: string[]
  failed: string[]
} | null> {
  const { workspace } = await api.invoke('workspace:get', {})
  if (!workspace || (workspace.tabs.length === 0 && !workspace.containers?.length)) return null
  const tabs: TabState[] = []
  const failed: string[] = []
  let active = -1
  for (const [k, t] of workspace.tabs.entries()) {
    try {
      const opened = t.derived ? await reopenDerived(t.derived) : { session: await openSource(t, t.mode, true) }
      const view = fitAxes(t.view as ViewState, slicedShape(opened.session.layout, t.view.slice).shape)
      if (k === workspace.active) active = tabs.length
      tabs.push({ ...opened, view, cell: t.cell, ...(t.derived ? { derivedFrom: t.derived } : {}) })
    } catch (e) {
      const d = t.derived
      const name = d ? `${d.kind} of ${d.a.path} and ${d.b.path}` : t.array ? `${t.path} › ${t.array}` : t.path
      failed.push(`${name}: ${(e as Error).message}`)
    }
  }
  return {
    tabs,
    active: active < 0 ? tabs.length - 1 : active,
    panels: workspace.panels,
    containers: workspace.containers ?? [],
    failed
  }
}
