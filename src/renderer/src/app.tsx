// The window: tabs of open files (each with its own view), the open form, the status bar.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { AppInfo, EditState, SessionInfo, Workspace } from '../../shared/contract'
import { CloseDialog, type CloseChoice } from './features/close/close-dialog'
import { OpenPanel } from './features/open/open-panel'
import { SidebarHandle } from './features/containers/sidebar-handle'
import { ContainerPanel } from './features/containers/container-panel'
import { ExportDialog } from './features/export/export-dialog'
import { HeaderDialog } from './features/header/header-dialog'
import { HexView } from './features/hex/hex-view'
import { elementFileOffset } from './features/table/cell-edit'
import { AnalysisPanel } from './features/plot/analysis-panel'
import { CompareDialog } from './features/compare/compare-dialog'
import { ComparePanel } from './features/compare/compare-panel'
import { CompareTables } from './features/compare/compare-tables'
import type { Tolerance } from './features/compare/use-mismatches'
import { slicedShape } from './state/view-model'
import { RecipePanel } from './features/recipe/recipe-panel'
import { TableView } from './features/table/table-view'
import type { CursorInfo } from './state/cursor'
import { defaultViewState } from './state/view-model'
import { StatusBar } from './status-bar'
import { api, bridge } from './transport'
import { restoreWorkspace, workspaceOf, type TabState } from './state/workspace'
import { holdsOneArray } from '../../shared/containers/registry'
import { storedBytes, valueOffset } from '../../shared/byte-map'
import { tabTitle } from './tab-title'
import { EditTools } from './edit-tools'
import { useOpenShortcut } from './use-open-shortcut'
import { useActiveTabInView } from './use-active-tab-in-view'

interface Tab extends TabState {
  changed: boolean
  edits: EditState | null
  /** A comparison with another array (B), when one is on. */
  compare?: { b: SessionInfo; owned: boolean; tolerance: Tolerance; sideBySide: boolean }
}

export function App(): React.JSX.Element {
  const [info, setInfo] = useState<AppInfo | null>(null)
  const [tabs, setTabs] = useState<Tab[]>([])
  const [active, setActive] = useState(-1) // -1: the open form
  const [error, setError] = useState<string | null>(null)
  const [cursor, setCursor] = useState<CursorInfo | null>(null)
  const [showRecipe, setShowRecipe] = useState(false)
  const [droppedPath, setDroppedPath] = useState<string | null>(null)
  const [analysis, setAnalysis] = useState(false)
  const [showExport, setShowExport] = useState(false)
  const [showHeader, setShowHeader] = useState(false)
  const [showHex, setShowHex] = useState(false)
  const [showCompare, setShowCompare] = useState(false)
  const [jumpToByte, setJumpToByte] = useState<{ offset: number; seq: number } | null>(null)
  const [jump, setJump] = useState<{ row: number; col: number; seq: number } | null>(null)
  /** The session whose tab is asking Flush / Discard / Cancel. */
  const [closing, setClosing] = useState<string | null>(null)
  /** Containers whose tree the sidebar shows. */
  const [containers, setContainers] = useState<string[]>([])
  const openContainer = useCallback((path: string) => {
    setContainers((cs) => (cs.includes(path) ? cs : [...cs, path]))
  }, [])

  const opened = useCallback((s: SessionInfo, cell?: [number, number]) => {
    setTabs((t) => {
      setActive(t.length)
      return [...t, { session: s, view: defaultViewState(s.layout.shape), changed: false, edits: null, cell }]
    })
  }, [])
  // Saving waits until the saved workspace has been opened again (else an empty page would overwrite it).
  const [restoring, setRestoring] = useState(true)
  const activeRef = useRef(active)
  activeRef.current = active
  /** The table's cursor, also kept in its tab: a tab switched back to, reloaded or restored starts there. */
  const onCursor = useCallback((c: CursorInfo) => {
    setCursor(c)
    setTabs((ts) => {
      const t = ts[activeRef.current]
      if (!t || (t.cell?.[0] === c.cell[0] && t.cell?.[1] === c.cell[1])) return ts
      return ts.map((x, k) => (k === activeRef.current ? { ...x, cell: c.cell } : x))
    })
  }, [])

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
          setShowHex(restored.panels.hex)
          setAnalysis(restored.panels.analysis)
          if (restored.failed.length)
            setError(
              `${restored.failed.length} tab(s) of the last session could not be opened again: ${restored.failed.join('; ')}`
            )
        }
        const initial = appInfo.initial
        const already = restored?.tabs.findIndex(
          (t) =>
            initial &&
            (t.session.array ? t.session.array.container : t.session.path) === initial.path &&
            t.session.array?.name === initial.array
        )
        // the command line's file is opened unless it came back with the saved tabs (a reload): then the tab that
        // was active stays active
        if (initial && !(already !== undefined && already >= 0)) {
          try {
            if (initial.array !== undefined) {
              openContainer(initial.path)
              opened(await api.invoke('session:open', initial))
            } else if (!initial.layout && (await api.invoke('file:probe', { path: initial.path })).container) {
              openContainer(initial.path) // a container: its tree, no array chosen yet
              const format = (await api.invoke('file:probe', { path: initial.path })).container!
              // a file that holds one array (NIfTI, NRRD, ENVI) opens it too
              if (holdsOneArray(format)) opened(await api.invoke('session:open', initial))
            } else {
              opened(await api.invoke('session:open', initial))
            }
          } catch (e) {
            setError((e as Error).message)
          }
        }
      })
      .catch((e: Error) => setError(e.message))
      .finally(() => setRestoring(false))
  }, [opened, openContainer])

  // The workspace (tabs, views, cursors, panels) is saved at most 300 ms after it changes: a throttle, not a
  // debounce, so that a stream of changes (the cursor held on an arrow key) is still saved as it goes.
  const current = JSON.stringify(workspaceOf(tabs, active, { hex: showHex, analysis }))
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

  useEffect(
    () =>
      api.on('session:changed', (p) =>
        setTabs((ts) => ts.map((t) => (t.session.session === p.session ? { ...t, changed: true } : t)))
      ),
    []
  )

  useEffect(
    () =>
      api.on('session:edited', (e) =>
        setTabs((ts) =>
          ts.map((t) =>
            t.session.session !== e.session
              ? t
              : e.info // a rewritten .npy header: the layout changed under the view
                ? { ...t, edits: e, session: e.info, view: defaultViewState(e.info.layout.shape) }
                : { ...t, edits: e }
          )
        )
      ),
    []
  )

  // Unsaved edits (unflushed in r+, any in c): the browser (or Electron, via will-prevent-unload) asks before the
  // page goes away. A page that goes anyway loses its connection, and the Node side discards them.
  const dirty = tabs.some((t) => t.edits?.unsaved)
  useEffect(() => {
    if (!dirty) return
    const onBeforeUnload = (e: BeforeUnloadEvent): void => e.preventDefault()
    window.addEventListener('beforeunload', onBeforeUnload)
    return () => window.removeEventListener('beforeunload', onBeforeUnload)
  }, [dirty])

  const closeRef = useRef<() => void>(() => undefined)
  closeRef.current = () => active >= 0 && closeTab(active)
  useEffect(
    () =>
      bridge?.on('menu:command', (c) => {
        if (c === 'open') setActive(-1)
        if (c === 'closeTab') closeRef.current()
        if (c === 'recipe') setShowRecipe(true)
      }),
    []
  )

  /** Removes a closed session's tab, keeping a neighbour active; a Compare tab's own B session closes with it. */
  const removeTab = (session: string): void => {
    const t = tabs.find((x) => x.session.session === session)
    if (t?.compare?.owned) void api.invoke('session:close', { session: t.compare.b.session }).catch(() => undefined)
    setTabs((ts) => {
      const k = ts.findIndex((x) => x.session.session === session)
      if (k < 0) return ts
      setActive((a) => (ts.length > 1 ? Math.max(0, Math.min(a > k ? a - 1 : a, ts.length - 2)) : -1))
      return ts.filter((_, j) => j !== k)
    })
    setCursor(null)
  }

  const closeTab = (k: number): void => {
    const t = tabs[k]
    if (!t) return
    if (t.edits?.unsaved) {
      setActive(k)
      setClosing(t.session.session)
      return
    }
    void api.invoke('session:close', { session: t.session.session }).catch(() => undefined)
    removeTab(t.session.session)
  }

  /** Carries out the close dialog's choice; a failed flush or discard keeps the tab (the dialog shows why). */
  const closeWith = async (session: string, choice: CloseChoice): Promise<void> => {
    if (choice !== 'cancel') {
      await api.invoke('session:close', { session, unflushed: choice })
      removeTab(session)
    }
    setClosing(null)
  }
  const closingTab = tabs.find((t) => t.session.session === closing)

  /** Reopens a tab's array with its other values (scaled ⇄ stored), keeping the view. */
  const toggleValues = async (k: number): Promise<void> => {
    const t = tabs[k]
    const a = t?.session.array
    if (!t || !a?.scaling) return
    try {
      const next = await api.invoke('session:open', {
        path: a.container,
        layout: null,
        mode: t.session.mode,
        array: a.name,
        values: a.scaling.applied ? 'stored' : 'scaled'
      })
      void api.invoke('session:close', { session: t.session.session }).catch(() => undefined)
      setTabs((ts) => ts.map((x, j) => (j === k ? { ...x, session: next, edits: null, changed: false } : x)))
      setCursor(null)
    } catch (e) {
      setError((e as Error).message)
    }
  }

  const onDrop = (e: React.DragEvent): void => {
    e.preventDefault()
    const file = e.dataTransfer.files[0]
    if (!file) return
    const p = bridge?.pathForFile(file)
    if (p) {
      setDroppedPath(p)
      setActive(-1)
    } else {
      setError(`a browser does not tell the server where ${file.name} is: type its path in the File field`)
    }
  }

  const tab = active >= 0 ? tabs[active] : undefined
  const showForm = useCallback(() => setActive(-1), [])
  useOpenShortcut(showForm)
  const tabStrip = useActiveTabInView(active, tabs.length)
  const setTab = (change: (t: Tab) => Tab): void => setTabs((ts) => ts.map((t, k) => (k === active ? change(t) : t)))

  /** Moves the table (and B's, side by side) to an element of the sliced array: its other axes, then the cell. */
  const goToIndex = (index: number[]): void => {
    if (!tab) return
    const { rowAxis, colAxis } = tab.view
    setTab((t) => ({
      ...t,
      view: { ...t.view, index: index.map((v, k) => (k === rowAxis || k === colAxis ? (t.view.index[k] ?? 0) : v)) }
    }))
    setJump({
      row: rowAxis === null ? 0 : index[rowAxis]!,
      col: colAxis === null ? 0 : index[colAxis]!,
      seq: (jump?.seq ?? 0) + 1
    })
  }

  const stopCompare = (): void => {
    if (tab?.compare?.owned) void api.invoke('session:close', { session: tab.compare.b.session }).catch(() => undefined)
    setTab((t) => ({ ...t, compare: undefined }))
  }

  return (
    <div className="app" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <header className="toolbar">
        <span className="brand">ArrayScope</span>
        <nav
          className="tabs"
          role="tablist"
          ref={tabStrip}
          data-testid="tab-strip"
          data-workspace={
            restoring ? 'restoring' : saveState === 'saved' && current === lastSaved.current ? 'saved' : 'pending'
          }
        >
          {tabs.map((t, k) => (
            <span
              key={t.session.session}
              className={k === active ? 'tab active' : 'tab'}
              role="tab"
              aria-selected={k === active}
            >
              <button className="tab-title" title={tabTitle(t.session, true)} onClick={() => setActive(k)}>
                {tabTitle(t.session, false)}
                {t.session.mode === 'c' ? ' (private copy)' : ''}
              </button>
              <button className="tab-close" aria-label={`close ${t.session.path}`} onClick={() => closeTab(k)}>
                ×
              </button>
            </span>
          ))}
        </nav>
        {/* outside the strip, which scrolls: always in view */}
        <button
          className={active === -1 ? 'tab open-tab active' : 'tab open-tab'}
          onClick={showForm}
          title="Open a file (Ctrl+O)"
        >
          + Open
        </button>
        {tab?.edits && <EditTools session={tab.session} edits={tab.edits} onError={setError} />}
        {tab?.session.array?.scaling && (
          <button
            className="values-toggle"
            data-testid="values-toggle"
            title={`${tab.session.array.scaling.source}: show ${tab.session.array.scaling.applied ? `the stored numbers (${tab.session.array.scaling.stored})` : `the scaled values (${tab.session.array.scaling.dtype})`}`}
            onClick={() => void toggleValues(active)}
          >
            {/* names the action, not the state: the status bar says which values are shown */}
            {tab.session.array.scaling.applied ? 'Show stored values' : 'Show scaled values'}
          </button>
        )}
        {tab && <button onClick={() => setShowExport(true)}>Export…</button>}
        {tab?.session.format === 'npy' && <button onClick={() => setShowHeader(true)}>Header…</button>}
        {tab && (
          <button
            onClick={() => setShowHex(!showHex)}
            aria-pressed={showHex}
            title="The file's bytes, linked to the table"
          >
            Hex
          </button>
        )}
        {tab && (
          <button onClick={() => setAnalysis(!analysis)} aria-pressed={analysis} title="Statistics and plots">
            Analysis
          </button>
        )}
        {tab && !tab.session.derived && (
          <button
            onClick={() => setShowCompare(true)}
            aria-pressed={Boolean(tab.compare)}
            title="Compare this array with another (numpy's assert_allclose)"
          >
            Compare…
          </button>
        )}
        {tab && (
          <button onClick={() => setShowRecipe(true)} title="np.memmap call and command line for this view">
            Copy as code
          </button>
        )}
      </header>
      {error && (
        <div className="error-banner" role="alert">
          {error}
          <button onClick={() => setError(null)}>Dismiss</button>
        </div>
      )}
      {tab?.changed && (
        <div className="error-banner" role="alert">
          The file changed on disk (another program wrote or truncated it). Close and reopen it to see its current
          contents.
        </div>
      )}
      {closingTab && (
        <CloseDialog
          key={closingTab.session.session}
          session={closingTab.session}
          edits={closingTab.edits?.edits ?? 0}
          onChoose={(choice) => closeWith(closingTab.session.session, choice)}
        />
      )}
      {tab && showHeader && <HeaderDialog session={tab.session} onClose={() => setShowHeader(false)} />}
      {tab && showExport && (
        <ExportDialog
          session={tab.session}
          scopes={exportScopes(tab.session, tab.view, cursor)}
          onClose={() => setShowExport(false)}
        />
      )}
      {tab && showCompare && (
        <CompareDialog
          a={tab.session}
          tabs={tabs
            .filter((t) => t !== tab && !t.session.derived)
            .map((t) => ({ session: t.session, title: tabTitle(t.session, true) }))}
          onClose={() => setShowCompare(false)}
          onCompare={(c) => {
            if (tab.compare?.owned)
              void api.invoke('session:close', { session: tab.compare.b.session }).catch(() => undefined)
            setTab((t) => ({ ...t, compare: { ...c, sideBySide: t.compare?.sideBySide ?? false } }))
            setShowCompare(false)
          }}
        />
      )}
      {tab && showRecipe && <RecipePanel session={tab.session} state={tab.view} onClose={() => setShowRecipe(false)} />}
      <main className="content">
        {containers.length > 0 && (
          <aside className="containers" data-testid="containers">
            {containers.map((p) => (
              <ContainerPanel
                key={p}
                path={p}
                onOpened={(s) => {
                  opened(s)
                  setCursor(null)
                }}
                onClose={() => setContainers((cs) => cs.filter((c) => c !== p))}
                activeArray={tab?.session.array}
              />
            ))}
          </aside>
        )}
        {containers.length > 0 && <SidebarHandle />}
        {tab?.compare ? (
          <CompareTables
            key={`${tab.session.session}|${tab.compare.b.session}`}
            a={tab.session}
            b={tab.compare.b}
            tolerance={tab.compare.tolerance}
            sideBySide={tab.compare.sideBySide}
            state={tab.view}
            onState={(view) => setTabs((ts) => ts.map((t, k) => (k === active ? { ...t, view } : t)))}
            onCursor={onCursor}
            jump={jump}
            jumpToByte={jumpToByte}
          />
        ) : tab ? (
          <TableView
            key={tab.session.session}
            session={tab.session}
            startAt={tab.cell}
            state={tab.view}
            onState={(view) => setTabs((ts) => ts.map((t, k) => (k === active ? { ...t, view } : t)))}
            onCursor={onCursor}
            jump={jump}
            jumpToByte={jumpToByte}
          />
        ) : info ? (
          <OpenPanel
            initialPath={droppedPath ?? (tabs.length ? '' : (info.initial?.path ?? ''))}
            onOpened={opened}
            onContainer={openContainer}
          />
        ) : (
          <div className="loading">Connecting…</div>
        )}
        {tab && (showHex || tab.compare || analysis) && (
          // the side panels share one column (stacked when several are open) so the table keeps its width
          <div className="side-dock" data-testid="side-dock">
            {tab && showHex && (
              <HexView
                key={`hex-${tab.session.session}`}
                session={tab.session}
                compareWith={tab.compare?.b.session}
                selected={selectedBytes(tab, cursor)}
                onPick={(offset) =>
                  setJumpToByte({ offset: valueOffset(tab.session, offset), seq: (jumpToByte?.seq ?? 0) + 1 })
                }
              />
            )}
            {tab?.compare && (
              <ComparePanel
                key={`compare-${tab.session.session}|${tab.compare.b.session}`}
                a={tab.session}
                b={tab.compare.b}
                tolerance={tab.compare.tolerance}
                slice={tab.view.slice}
                cursor={cursor?.index ?? null}
                onGoTo={goToIndex}
                onDerive={(kind) =>
                  void api
                    .invoke('session:derive', {
                      a: tab.session.session,
                      b: tab.compare!.b.session,
                      kind,
                      ...(tab.view.slice.trim() ? { slice: tab.view.slice } : {})
                    })
                    .then(
                      (s) => opened(s, cursor?.cell),
                      (e: Error) => setError(e.message)
                    )
                }
                sideBySide={tab.compare.sideBySide}
                onSideBySide={(on) =>
                  setTab((t) => (t.compare ? { ...t, compare: { ...t.compare, sideBySide: on } } : t))
                }
                onClose={stopCompare}
              />
            )}
            {tab && analysis && (
              <AnalysisPanel
                key={`analysis-${tab.session.session}`}
                session={tab.session}
                state={tab.view}
                cursor={cursor}
                onJump={(row, col) => setJump({ row, col, seq: (jump?.seq ?? 0) + 1 })}
                onGoToIndex={goToIndex}
              />
            )}
          </div>
        )}
      </main>
      <StatusBar session={tab?.session ?? null} cursor={tab ? cursor : null} />
    </div>
  )
}

/** What the export dialog can write: the current view (slice, fixed axes) and the selection within it. */
function exportScopes(
  session: SessionInfo,
  view: Tab['view'],
  cursor: CursorInfo | null
): Parameters<typeof ExportDialog>[0]['scopes'] {
  const { shape } = slicedShape(session.layout, view.slice)
  const scope = {
    slice: view.slice.trim() || undefined,
    fixed: shape.map((_, k) => (k === view.rowAxis || k === view.colAxis ? null : (view.index[k] ?? 0)))
  }
  return { view: scope, selection: cursor ? { scope, ranges: cursor.selection } : null }
}

/** The bytes of the element under the cursor (of a quantized tensor: the block that holds it). */
function selectedBytes(tab: Tab, cursor: CursorInfo | null): { offset: number; length: number } | null {
  if (!cursor) return null
  try {
    return storedBytes(tab.session, elementFileOffset(tab.session.layout, tab.view.slice, cursor.index))
  } catch {
    return null
  }
}
