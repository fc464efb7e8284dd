// The page's start (app:info, the saved workspace opened again — tabs, panels, the sidebar's containers — the
// command line's file) and the workspace's saving. Saving waits until the saved workspace has been opened again (else an empty page would overwrite it).
import { useEffect, useRef, useState } from 'react'
import type { AppInfo, Request, SessionInfo, Workspace } from '../../../shared/contract'
import { holdsOneArray } from '../../../shared/containers/registry'
import { api } from '../transport'
import type { Panels } from './use-dialogs'
import type { Tab } from './use-tabs'
import { restoreWorkspace, workspaceOf } from './workspace'
import { withFollow } from './follow-request'

interface WorkspaceHost {
  tabs: Tab[]
  active: number
  panels: Panels
  /** The containers whose tree the sidebar shows. */
  containers: string[]
  setTabs: (tabs: Tab[]) => void
  setActive: (active: number) => void
  setPanels: (panels: Panels) => void
  opened: (s: SessionInfo) => void
  openContainer: (path: string) => void
  onError: (message: string) => void
}

export interface WorkspaceState {
  /** null until the Node side answered app:info. */
  info: AppInfo | null
  /** The tab strip's data-workspace: 'restoring', 'pending' (a save to come) or 'saved'. */
  status: 'restoring' | 'pending' | 'saved'
}

export function useWorkspace(host: WorkspaceHost): WorkspaceState {
  const { tabs, active, panels, containers, setTabs, setActive, setPanels, opened, openContainer, onError } = host
  const [info, setInfo] = useState<AppInfo | null>(null)
  const [restoring, setRestoring] = useState(true)

  const started = useRef(false)
  useEffect(() => {
    if (started.current) return // React's development double effects: open the saved tabs once
    started.current = true
    api
      .invoke('app:info', {})
      .then(async (appInfo) => {
        setInfo(appInfo)
        const restored = await restoreWorkspace().catch(() => null)
        if (restored) {
          setTabs(restored.tabs.map((t) => ({ ...t, changed: false, edits: null })))
          setActive(restored.active)
          setPanels({ hex: restored.panels.hex, analysis: restored.panels.analysis })
          restored.containers.forEach(openContainer)
          if (restored.failed.length)
            onError(
              `${restored.failed.length} tab(s) of the last session could not be opened again: ${restored.failed.join('; ')}`
            )
        }
        const initial = appInfo.initial
        const already = restored?.tabs.findIndex(
          (t) =>
            initial &&
            !t.session.derived &&
            (t.session.array ? t.session.array.container : t.session.path) === initial.path &&
            t.session.array?.name === initial.array
        )
        // the command line's file is opened unless it came back with the saved tabs (a reload): then the tab that
        // was active stays active
        if (initial && !(already !== undefined && already >= 0)) {
          // followed in mode r unless the command line said --no-follow
          const withFollowOf = (r: NonNullable<typeof initial>): Request<'session:open'> =>
            r.follow === false ? r : withFollow(r)
          try {
            if (initial.array !== undefined) {
              openContainer(initial.path)
              opened(await api.invoke('session:open', withFollowOf(initial)))
            } else if (!initial.layout && (await api.invoke('file:probe', { path: initial.path })).container) {
              openContainer(initial.path) // a container: its tree, no array chosen yet
              const format = (await api.invoke('file:probe', { path: initial.path })).container!
              // a file that holds one array (NIfTI, NRRD, ENVI) opens it too
              if (holdsOneArray(format)) opened(await api.invoke('session:open', withFollowOf(initial)))
            } else {
              opened(await api.invoke('session:open', withFollowOf(initial)))
            }
          } catch (e) {
            onError((e as Error).message)
          }
        }
      })
      .catch((e: Error) => onError(e.message))
      .finally(() => setRestoring(false))
  }, [opened, openContainer, onError, setTabs, setActive, setPanels])

  // The workspace (tabs, views, cursors, panels) is saved at most 300 ms after it changes: a throttle, not a
  // debounce, so that a stream of changes (the cursor held on an arrow key) is still saved as it goes.
  const current = JSON.stringify(workspaceOf(tabs, active, { hex: panels.hex, analysis: panels.analysis }, containers))
  const latest = useRef(current)
  latest.current = current
  const [saveState, setSaveState] = useState<'saved' | 'pending'>('saved')
  const lastSaved = useRef('')
  useEffect(() => {
    if (restoring || current === lastSaved.current || saveState === 'pending') return
    setSaveState('pending')
    setTimeout(() => {
      const w = latest.current
      lastSaved.current = w
      void api
        .invoke('workspace:set', { workspace: JSON.parse(w) as Workspace })
        .catch(() => undefined)
        .finally(() => setSaveState('saved'))
    }, 300)
  }, [current, restoring, saveState])

  return {
    info,
    status: restoring ? 'restoring' : saveState === 'saved' && current === lastSaved.current ? 'saved' : 'pending'
  }
}
