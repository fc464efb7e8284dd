// The side panels beside the table — hex, the comparison's report, analysis — in one column (stacked when
// several are open) so the table keeps its width.
import { storedBytes, valueOffset } from '../../shared/byte-map'
import { AnalysisPanel } from './features/plot/analysis-panel'
import { ComparePanel } from './features/compare/compare-panel'
import { HexView } from './features/hex/hex-view'
import { elementFileOffset } from './features/table/cell-edit'
import type { CursorInfo } from './state/cursor'
import type { ComparisonActions } from './state/use-comparison'
import type { Panels } from './state/use-dialogs'
import type { Tab } from './state/use-tabs'

export function SideDock(props: {
  tab: Tab
  cursor: CursorInfo | null
  panels: Panels
  comparison: ComparisonActions
  /** A byte picked in the hex view, as the offset of the value that holds it. */
  onPickValue: (offset: number) => void
  onJump: (row: number, col: number) => void
  onGoToIndex: (index: number[]) => void
}): React.JSX.Element | null {
  const { tab, cursor, panels, comparison } = props
  if (!(panels.hex || tab.compare || panels.analysis)) return null
  return (
    <div className="side-dock" data-testid="side-dock">
      {panels.hex && (
        <HexView
          key={`hex-${tab.session.session}`}
          session={tab.session}
          compareWith={tab.compare?.b.session}
          selected={selectedBytes(tab, cursor)}
          onPick={(offset) => props.onPickValue(valueOffset(tab.session, offset))}
        />
      )}
      {tab.compare && (
        <ComparePanel
          key={`compare-${tab.session.session}|${tab.compare.b.session}`}
          a={tab.session}
          b={tab.compare.b}
          tolerance={tab.compare.tolerance}
          slice={tab.view.slice}
          cursor={cursor?.index ?? null}
          onGoTo={props.onGoToIndex}
          onDerive={comparison.derive}
          sideBySide={tab.compare.sideBySide}
          onSideBySide={comparison.setSideBySide}
          onClose={comparison.stop}
        />
      )}
      {panels.analysis && (
        <AnalysisPanel
          key={`analysis-${tab.session.session}`}
          session={tab.session}
          state={tab.view}
          cursor={cursor}
          onJump={props.onJump}
          onGoToIndex={props.onGoToIndex}
        />
      )}
    </div>
  )
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
