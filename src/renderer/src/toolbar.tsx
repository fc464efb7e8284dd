// The window's top bar: the tab strip, "+ Open", and the active tab's actions (edits, values, dialogs, panels).
import type { Ref } from 'react'
import { EditTools } from './edit-tools'
import type { Dialogs } from './state/use-dialogs'
import type { Tab } from './state/use-tabs'
import type { WorkspaceState } from './state/use-workspace'
import { TabStrip } from './tab-strip'

export function Toolbar(props: {
  tabs: Tab[]
  active: number
  tabStrip: Ref<HTMLElement>
  workspace: WorkspaceState['status']
  dialogs: Dialogs
  onSelect: (k: number) => void
  onCloseTab: (k: number) => void
  onShowForm: () => void
  onToggleValues: (k: number) => void
  onError: (message: string) => void
}): React.JSX.Element {
  const { tabs, active, dialogs } = props
  const tab = active >= 0 ? tabs[active] : undefined
  const scaling = tab?.session.array?.scaling
  return (
    <header className="toolbar">
      <span className="brand">ArrayScope</span>
      <TabStrip
        tabs={tabs}
        active={active}
        stripRef={props.tabStrip}
        workspace={props.workspace}
        onSelect={props.onSelect}
        onCloseTab={props.onCloseTab}
      />
      {/* outside the strip, which scrolls: always in view */}
      <button
        className={active === -1 ? 'tab open-tab active' : 'tab open-tab'}
        onClick={props.onShowForm}
        title="Open a file (Ctrl+O)"
      >
        + Open
      </button>
      {tab?.edits && <EditTools session={tab.session} edits={tab.edits} onError={props.onError} />}
      {scaling && (
        <button
          className="values-toggle"
          data-testid="values-toggle"
          title={`${scaling.source}: show ${scaling.applied ? `the stored numbers (${scaling.stored})` : `the scaled values (${scaling.dtype})`}`}
          onClick={() => props.onToggleValues(active)}
        >
          {/* names the action, not the state: the status bar says which values are shown */}
          {scaling.applied ? 'Show stored values' : 'Show scaled values'}
        </button>
      )}
      {tab && <button onClick={() => dialogs.show('export')}>Export…</button>}
      {tab?.session.format === 'npy' && <button onClick={() => dialogs.show('header')}>Header…</button>}
      {tab && (
        <button
          onClick={() => dialogs.togglePanel('hex')}
          aria-pressed={dialogs.panels.hex}
          title="The file's bytes, linked to the table"
        >
          Hex
        </button>
      )}
      {tab && (
        <button
          onClick={() => dialogs.togglePanel('analysis')}
          aria-pressed={dialogs.panels.analysis}
          title="Statistics and plots"
        >
          Analysis
        </button>
      )}
      {tab && !tab.session.derived && (
        <button
          onClick={() => dialogs.show('compare')}
          aria-pressed={Boolean(tab.compare)}
          title="Compare this array with another (numpy's assert_allclose)"
        >
          Compare…
        </button>
      )}
      {tab && (
        <button onClick={() => dialogs.show('recipe')} title="np.memmap call and command line for this view">
          Copy as code
        </button>
      )}
    </header>
  )
}
