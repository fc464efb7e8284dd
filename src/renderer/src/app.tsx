// The window: tabs of open files (each with its own view), the open form, the status bar. This component only
// composes: the tabs live in state/use-tabs.ts, the start and the saved workspace in state/use-workspace.ts, the
// dialog and panel flags in state/use-dialogs.ts, the comparison's B session in state/use-comparison.ts.
import { useCallback, useEffect, useRef, useState } from 'react'
import { AppDialogs } from './app-dialogs'
import { OpenPanel } from './features/open/open-panel'
import { SidebarHandle } from './features/containers/sidebar-handle'
import { ContainerPanel } from './features/containers/container-panel'
import { PickHint } from './features/containers/pick-hint'
import { CompareTables } from './features/compare/compare-tables'
import { TableView } from './features/table/table-view'
import { SideDock } from './side-dock'
import { useComparison } from './state/use-comparison'
import { useDialogs } from './state/use-dialogs'
import { useTabs } from './state/use-tabs'
import { useWorkspace } from './state/use-workspace'
import { StatusBar } from './status-bar'
import { Toolbar } from './toolbar'
import { bridge } from './transport'
import { useOpenShortcut } from './use-open-shortcut'
import { useGridShortcut } from './use-grid-shortcut'
import { focusedTab } from './tab-strip'
import { useActiveTabInView } from './use-active-tab-in-view'

export function App(): React.JSX.Element {
  const [error, setError] = useState<string | null>(null)
  const [droppedPath, setDroppedPath] = useState<string | null>(null)
  const [jumpToByte, setJumpToByte] = useState<{ offset: number; seq: number } | null>(null)
  const [jump, setJump] = useState<{ row: number; col: number; seq: number } | null>(null)
  /** Containers whose tree the sidebar shows. */
  const [containers, setContainers] = useState<string[]>([])
  /** The container last opened: with no tab shown, the main area points to its tree instead of the form. */
  const [picking, setPicking] = useState<string | null>(null)
  const openContainer = useCallback((path: string) => {
    setContainers((cs) => (cs.includes(path) ? cs : [...cs, path]))
    setPicking(path)
  }, [])

  const tabs = useTabs(setError)
  const { tab, active, setActive, setTabs, cursor, setCursor, opened } = tabs
  const dialogs = useDialogs()
  const workspace = useWorkspace({
    tabs: tabs.tabs,
    active,
    panels: dialogs.panels,
    containers,
    setTabs,
    setActive,
    setPanels: dialogs.setPanels,
    opened,
    openContainer,
    onError: setError
  })
  const comparison = useComparison(tab, tabs.setTab, opened, cursor, setError)

  const showForm = useCallback(() => {
    setPicking(null)
    setActive(-1)
  }, [setActive])

  const closeRef = useRef<() => void>(() => undefined)
  // the tab the keyboard is on in the strip, else the active one
  closeRef.current = () => {
    const k = focusedTab() ?? active
    if (k >= 0) tabs.closeTab(k)
  }
  const show = dialogs.show
  useEffect(
    () =>
      bridge?.on('menu:command', (c) => {
        if (c === 'open') showForm()
        if (c === 'closeTab') closeRef.current()
        if (c === 'recipe') show('recipe')
      }),
    [showForm, show]
  )

  const onDrop = (e: React.DragEvent): void => {
    e.preventDefault()
    const file = e.dataTransfer.files[0]
    if (!file) return
    const p = bridge?.pathForFile(file)
    if (p) {
      setDroppedPath(p)
      showForm()
    } else {
      setError(`a browser does not tell the server where ${file.name} is: type its path in the File field`)
    }
  }

  useOpenShortcut(showForm)
  useGridShortcut()
  const tabStrip = useActiveTabInView(active, tabs.tabs.length)
  const onState = (view: NonNullable<typeof tab>['view']): void =>
    setTabs((ts) => ts.map((t, k) => (k === active ? { ...t, view } : t)))

  /** Moves the table (and B's, side by side) to an element of the sliced array: its other axes, then the cell. */
  const goToIndex = (index: number[]): void => {
    if (!tab) return
    const { rowAxis, colAxis } = tab.view
    tabs.setTab((t) => ({
      ...t,
      view: { ...t.view, index: index.map((v, k) => (k === rowAxis || k === colAxis ? (t.view.index[k] ?? 0) : v)) }
    }))
    setJump({
      row: rowAxis === null ? 0 : index[rowAxis]!,
      col: colAxis === null ? 0 : index[colAxis]!,
      seq: (jump?.seq ?? 0) + 1
    })
  }

  return (
    <div className="app" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <Toolbar
        tabs={tabs.tabs}
        active={active}
        tabStrip={tabStrip}
        workspace={workspace.status}
        dialogs={dialogs}
        onSelect={setActive}
        onCloseTab={tabs.closeTab}
        onShowForm={showForm}
        onToggleValues={(k) => void tabs.toggleValues(k)}
        onError={setError}
      />
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
      <AppDialogs
        tabs={tabs.tabs}
        tab={tab}
        closingTab={tabs.closingTab}
        cursor={cursor}
        dialogs={dialogs}
        onCloseWith={tabs.closeWith}
        onCompare={comparison.start}
      />
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
            onState={onState}
            onCursor={tabs.onCursor}
            jump={jump}
            jumpToByte={jumpToByte}
          />
        ) : tab ? (
          <TableView
            key={tab.session.session}
            session={tab.session}
            startAt={tab.cell}
            state={tab.view}
            onState={onState}
            onCursor={tabs.onCursor}
            jump={jump}
            jumpToByte={jumpToByte}
          />
        ) : picking && containers.includes(picking) ? (
          <PickHint path={picking} onOpenForm={showForm} />
        ) : workspace.info ? (
          <OpenPanel
            initialPath={droppedPath ?? (tabs.tabs.length ? '' : (workspace.info.initial?.path ?? ''))}
            onOpened={opened}
            onContainer={openContainer}
          />
        ) : (
          <div className="loading">Connecting…</div>
        )}
        {tab && (
          <SideDock
            tab={tab}
            cursor={cursor}
            panels={dialogs.panels}
            comparison={comparison}
            onPickValue={(offset) => setJumpToByte({ offset, seq: (jumpToByte?.seq ?? 0) + 1 })}
            onJump={(row, col) => setJump({ row, col, seq: (jump?.seq ?? 0) + 1 })}
            onGoToIndex={goToIndex}
          />
        )}
      </main>
      <StatusBar session={tab?.session ?? null} cursor={tab ? cursor : null} />
    </div>
  )
}
