// The analysis side panel: statistics, a line through the cursor, the current view as a heatmap.
// Plots link to the cursor: clicking a point or a pixel moves the table (and the status bar) there.
import { useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { StatsPanel, type ScanScope } from '../stats/stats-panel'
import type { CursorInfo } from '../table/table-view'
import { slicedShape, type ViewState } from '../table/view-model'
import { ImageView } from '../image/image-view'
import { LinePlot } from './line-plot'
import { ProfilePlot } from './profile-plot'

export function AnalysisPanel(props: {
  session: SessionInfo
  state: ViewState
  cursor: CursorInfo | null
  onJump: (row: number, col: number) => void
}): React.JSX.Element {
  const { session, state, cursor } = props
  const [tab, setTab] = useState<'stats' | 'line' | 'profile' | 'heatmap'>('stats')
  const [per, setPer] = useState<'rows' | 'cols'>('rows')
  const [along, setAlong] = useState<'rows' | 'cols'>('rows')
  const { shape, error } = slicedShape(session.layout, state.slice)
  const slice = state.slice.trim() || undefined
  const idx = cursor?.index ?? shape.map(() => 0)
  const viewScope: ScanScope = {
    slice,
    fixed: shape.map((_, k) => (k === state.rowAxis || k === state.colAxis ? null : (state.index[k] ?? 0)))
  }
  const lineAxis = along === 'rows' ? state.rowAxis : state.colAxis
  const lineScope: ScanScope = { slice, fixed: shape.map((_, k) => (k === lineAxis ? null : (idx[k] ?? 0))) }
  const scalar = !session.layout.dtype.startsWith('[') && !/c(8|16)$/.test(session.layout.dtype)
  const is2d = state.rowAxis !== null && state.colAxis !== null
  return (
    <aside className="analysis" data-testid="analysis">
      <div className="row" role="tablist">
        {(['stats', 'line', 'profile', 'heatmap'] as const).map((t) => (
          <button
            key={t}
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? 'tab active' : 'tab'}
            onClick={() => setTab(t)}
          >
            {{ stats: 'Statistics', line: 'Line', profile: 'Profile', heatmap: 'Heatmap' }[t]}
          </button>
        ))}
      </div>
      {error && <div className="validation bad">{error}</div>}
      {!scalar && <div className="muted">Scans and plots need a real-valued dtype.</div>}
      {scalar && !error && tab === 'stats' && <StatsPanel session={session} view={viewScope} />}
      {scalar && !error && tab === 'line' && (
        <>
          <div className="row">
            <label>
              line along
              <select name="line-along" value={along} onChange={(e) => setAlong(e.target.value as 'rows' | 'cols')}>
                <option value="rows">the rows (a column through the cursor)</option>
                {state.colAxis !== null && <option value="cols">the columns (a row through the cursor)</option>}
              </select>
            </label>
          </div>
          {lineAxis !== null && (
            <LinePlot
              session={session}
              scope={lineScope}
              length={shape[lineAxis]!}
              axisName={`axis ${lineAxis}`}
              onPick={(i) =>
                along === 'rows' ? props.onJump(i, cursor?.cell[1] ?? 0) : props.onJump(cursor?.cell[0] ?? 0, i)
              }
            />
          )}
        </>
      )}
      {scalar &&
        !error &&
        tab === 'profile' &&
        (is2d ? (
          <>
            <div className="row">
              <label>
                statistics
                <select name="profile-per" value={per} onChange={(e) => setPer(e.target.value as 'rows' | 'cols')}>
                  <option value="rows">per row (along the columns)</option>
                  <option value="cols">per column (along the rows)</option>
                </select>
              </label>
            </div>
            <ProfilePlot
              session={session}
              scope={viewScope}
              keep={(per === 'rows') === state.rowAxis! < state.colAxis! ? 0 : 1}
              name={per === 'rows' ? `row (axis ${state.rowAxis})` : `column (axis ${state.colAxis})`}
              at={per === 'rows' ? (cursor?.cell[0] ?? 0) : (cursor?.cell[1] ?? 0)}
              onPick={(i) =>
                per === 'rows' ? props.onJump(i, cursor?.cell[1] ?? 0) : props.onJump(cursor?.cell[0] ?? 0, i)
              }
            />
          </>
        ) : (
          <div className="muted">Statistics along an axis need a 2-D view: choose row and column axes.</div>
        ))}
      {scalar &&
        !error &&
        tab === 'heatmap' &&
        (is2d ? (
          <ImageView
            session={session}
            scope={viewScope}
            transpose={state.rowAxis! > state.colAxis!}
            rows={shape[state.rowAxis!]!}
            cols={shape[state.colAxis!]!}
            cursor={cursor ? { row: cursor.cell[0], col: cursor.cell[1] } : null}
            onPick={(r, c) => props.onJump(r, c)}
          />
        ) : (
          <div className="muted">A heatmap needs a 2-D view: choose row and column axes.</div>
        ))}
    </aside>
  )
}
