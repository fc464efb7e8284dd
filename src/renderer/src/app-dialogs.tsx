// The dialogs shown over the active tab: close (Flush / Discard / Cancel), header, export, compare, Copy as code.
import type { SessionInfo } from '../../shared/contract'
import { CloseDialog, type CloseChoice } from './features/close/close-dialog'
import { CompareDialog, type CompareChoice } from './features/compare/compare-dialog'
import { ExportDialog } from './features/export/export-dialog'
import { HeaderDialog } from './features/header/header-dialog'
import { RecipePanel } from './features/recipe/recipe-panel'
import type { CursorInfo } from './state/cursor'
import type { Dialogs } from './state/use-dialogs'
import type { Tab } from './state/use-tabs'
import { slicedShape } from './state/view-model'
import { tabTitle } from './tab-title'

export function AppDialogs(props: {
  tabs: Tab[]
  tab: Tab | undefined
  closingTab: Tab | undefined
  cursor: CursorInfo | null
  dialogs: Dialogs
  onCloseWith: (session: string, choice: CloseChoice) => Promise<void>
  onCompare: (c: CompareChoice) => void
}): React.JSX.Element {
  const { tab, closingTab, dialogs } = props
  const { shown, hide } = dialogs
  return (
    <>
      {closingTab && (
        <CloseDialog
          key={closingTab.session.session}
          session={closingTab.session}
          edits={closingTab.edits?.edits ?? 0}
          onChoose={(choice) => props.onCloseWith(closingTab.session.session, choice)}
        />
      )}
      {tab && shown.header && <HeaderDialog session={tab.session} onClose={() => hide('header')} />}
      {tab && shown.export && (
        <ExportDialog
          session={tab.session}
          scopes={exportScopes(tab.session, tab.view, props.cursor)}
          onClose={() => hide('export')}
        />
      )}
      {tab && shown.compare && (
        <CompareDialog
          a={tab.session}
          tabs={props.tabs
            .filter((t) => t !== tab && !t.session.derived)
            .map((t) => ({ session: t.session, title: tabTitle(t.session, true) }))}
          onClose={() => hide('compare')}
          onCompare={(c) => {
            props.onCompare(c)
            hide('compare')
          }}
        />
      )}
      {tab && shown.recipe && <RecipePanel session={tab.session} state={tab.view} onClose={() => hide('recipe')} />}
    </>
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
