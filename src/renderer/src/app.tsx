// The window: tabs of open files (each with its own view), the open form, the status bar.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { AppInfo, EditState, SessionInfo } from '../../shared/contract'
import { CloseDialog, type CloseChoice } from './features/close/close-dialog'
import { OpenPanel } from './features/open/open-panel'
import { ExportDialog } from './features/export/export-dialog'
import { HeaderDialog } from './features/header/header-dialog'
import { HexView } from './features/hex/hex-view'
import { elementFileOffset } from './features/table/cell-edit'
import { AnalysisPanel } from './features/plot/analysis-panel'
import { slicedShape } from './features/table/view-model'
import { RecipePanel } from './features/recipe/recipe-panel'
import { TableView, type CursorInfo } from './features/table/table-view'
import { defaultViewState, type ViewState } from './features/table/view-model'
import { StatusBar } from './status-bar'
import { api, bridge } from './transport'

interface Tab {
  session: SessionInfo
  view: ViewState
  changed: boolean
  edits: EditState | null
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
  const [jumpToByte, setJumpToByte] = useState<{ offset: number; seq: number } | null>(null)
  const [jump, setJump] = useState<{ row: number; col: number; seq: number } | null>(null)
  /** The session whose tab is asking Flush / Discard / Cancel. */
  const [closing, setClosing] = useState<string | null>(null)

  const opened = useCallback((s: SessionInfo) => {
    setTabs((t) => {
      setActive(t.length)
      return [...t, { session: s, view: defaultViewState(s.layout.shape), changed: false, edits: null }]
    })
  }, [])

  useEffect(() => {
    api
      .invoke('app:info', {})
      .then(async (appInfo) => {
        setInfo(appInfo)
        if (appInfo.initial) {
          try {
            opened(await api.invoke('session:open', appInfo.initial))
          } catch (e) {
            setError((e as Error).message)
          }
        }
      })
      .catch((e: Error) => setError(e.message))
  }, [opened])

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

  /** Removes a closed session's tab, keeping a neighbour active. */
  const removeTab = (session: string): void => {
    setTabs((ts) => {
      const k = ts.findIndex((t) => t.session.session === session)
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
  return (
    <div className="app" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <header className="toolbar">
        <span className="brand">ArrayScope</span>
        <nav className="tabs" role="tablist">
          {tabs.map((t, k) => (
            <span
              key={t.session.session}
              className={k === active ? 'tab active' : 'tab'}
              role="tab"
              aria-selected={k === active}
            >
              <button className="tab-title" title={t.session.path} onClick={() => setActive(k)}>
                {t.session.path.split(/[\\/]/).pop()}
                {t.session.mode === 'c' ? ' (private copy)' : ''}
              </button>
              <button className="tab-close" aria-label={`close ${t.session.path}`} onClick={() => closeTab(k)}>
                ×
              </button>
            </span>
          ))}
          <button
            className={active === -1 ? 'tab active' : 'tab'}
            onClick={() => setActive(-1)}
            title="Open a file (Ctrl+O)"
          >
            + Open
          </button>
        </nav>
        {tab?.edits && (
          <span className="edit-tools">
            <button
              disabled={!tab.edits.canUndo}
              onClick={() => void api.invoke('edit:undo', { session: tab.session.session })}
            >
              Undo
            </button>
            <button
              disabled={!tab.edits.canRedo}
              onClick={() => void api.invoke('edit:redo', { session: tab.session.session })}
            >
              Redo
            </button>
            {tab.session.mode !== 'c' && (
              <>
                {tab.edits.dirty && (
                  <span className="dirty" data-testid="dirty">
                    ● unflushed edits
                  </span>
                )}
                <button
                  disabled={!tab.edits.dirty}
                  onClick={() =>
                    void api
                      .invoke('edit:flush', { session: tab.session.session })
                      .catch((e: Error) => setError(e.message))
                  }
                >
                  Flush
                </button>
              </>
            )}
          </span>
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
      {tab && showRecipe && <RecipePanel session={tab.session} state={tab.view} onClose={() => setShowRecipe(false)} />}
      <main className="content">
        {tab ? (
          <TableView
            key={tab.session.session}
            session={tab.session}
            state={tab.view}
            onState={(view) => setTabs((ts) => ts.map((t, k) => (k === active ? { ...t, view } : t)))}
            onCursor={setCursor}
            jump={jump}
            jumpToByte={jumpToByte}
          />
        ) : info ? (
          <OpenPanel initialPath={droppedPath ?? (tabs.length ? '' : (info.initial?.path ?? ''))} onOpened={opened} />
        ) : (
          <div className="loading">Connecting…</div>
        )}
        {tab && showHex && (
          <HexView
            key={`hex-${tab.session.session}`}
            session={tab.session}
            selected={selectedBytes(tab, cursor)}
            onPick={(offset) => setJumpToByte({ offset, seq: (jumpToByte?.seq ?? 0) + 1 })}
          />
        )}
        {tab && analysis && (
          <AnalysisPanel
            key={tab.session.session}
            session={tab.session}
            state={tab.view}
            cursor={cursor}
            onJump={(row, col) => setJump({ row, col, seq: (jump?.seq ?? 0) + 1 })}
          />
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

/** The bytes of the element under the cursor. */
function selectedBytes(tab: Tab, cursor: CursorInfo | null): { offset: number; length: number } | null {
  if (!cursor) return null
  try {
    return {
      offset: elementFileOffset(tab.session.layout, tab.view.slice, cursor.index),
      length: tab.session.layout.itemsize
    }
  } catch {
    return null
  }
}
