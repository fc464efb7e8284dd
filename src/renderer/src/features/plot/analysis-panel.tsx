// The analysis side panel: statistics, a line through the cursor, the current view as a heatmap.
// Plots link to the cursor: clicking a point or a pixel moves the table (and the status bar) there.
import { useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { StatsPanel, type ScanScope } from '../stats/stats-panel'
import type { CursorInfo } from '../../state/cursor'
import { slicedShape, type ViewState } from '../../state/view-model'
import { ImageView } from '../image/image-view'
import { LinePlot } from './line-plot'
import { ProfilePlot } from './profile-plot'
import { FieldSelect, plottableFields } from './field-select'

export function AnalysisPanel(props: {
  session: SessionInfo
  state: ViewState
  cursor: CursorInfo | null
  onJump: (row: number, col: number) => void
  /** Moves the table to an element given by its full index (other axes included). */
  onGoToIndex: (index: number[]) => void
}): React.JSX.Element {
  const { session, state, cursor } = props
  const [tab, setTab] = useState<'stats' | 'line' | 'profile' | 'heatmap'>('stats')
  const [per, setPer] = useState<'rows' | 'cols'>('rows')
  const [along, setAlong] = useState<'rows' | 'cols'>('rows')
  const [rgbOn, setRgbOn] = useState<boolean | null>(null) // null: the default for the array
  const { shape, error } = slicedShape(session.layout, state.slice)
  // a record array: one numeric field at a time (the first unless one was picked)
  const fields = plottableFields(session.layout.dtype)
  const [picked, setPicked] = useState<string | null>(null)
  const field = fields.length ? (fields.find((f) => f.name === picked) ?? fields[0]!) : undefined
  const dtype = field?.dtype.str ?? session.layout.dtype
  const slice = state.slice.trim() || undefined
  const on = field ? { field: field.name } : {}
  const idx = cursor?.index ?? shape.map(() => 0)
  const viewScope: ScanScope = {
    ...on,
    slice,
    fixed: shape.map((_, k) => (k === state.rowAxis || k === state.colAxis ? null : (state.index[k] ?? 0)))
  }
  const lineAxis = along === 'rows' ? state.rowAxis : state.colAxis
  const lineScope: ScanScope = { ...on, slice, fixed: shape.map((_, k) => (k === lineAxis ? null : (idx[k] ?? 0))) }
  const scalar = field !== undefined || (!dtype.startsWith('[') && !/c(8|16)$/.test(dtype))
  const is2d = state.rowAxis !== null && state.colAxis !== null
  // an RGB(A) image: a first or last axis of 3 or 4 entries beside two more axes (the image's)
  const rgbAxis = [shape.length - 1, 0].find((k) => shape.length >= 3 && (shape[k] === 3 || shape[k] === 4))
  const rgbDefault = rgbAxis !== undefined && rgbAxis === shape.length - 1 && /^\|?u1$|uint8/.test(dtype)
  const rgb =
    rgbAxis !== undefined && (rgbOn ?? rgbDefault)
      ? { axis: rgbAxis, channels: shape[rgbAxis] as 3 | 4, range: channelRange(dtype) }
      : null
  // the image's axes: the table's rows and columns, or for RGB the last two axes besides the channels'
  const [imgRow, imgCol] = ((): [number | null, number | null] => {
    if (!rgb || (state.rowAxis !== rgb.axis && state.colAxis !== rgb.axis)) return [state.rowAxis, state.colAxis]
    const rest = shape.map((_, k) => k).filter((k) => k !== rgb.axis)
    return [rest[rest.length - 2]!, rest[rest.length - 1]!]
  })()
  const imgScope: ScanScope = {
    ...on,
    slice,
    fixed: shape.map((_, k) => (k === imgRow || k === imgCol ? null : (idx[k] ?? 0)))
  }
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
      {field && (
        <div className="row">
          <FieldSelect fields={fields} value={field.name} onChange={setPicked} />
        </div>
      )}
      {!scalar && (
        <div className="muted">
          Scans and plots need a real-valued dtype
          {session.layout.dtype.startsWith('[') ? ': this record has no numeric field' : ''}.
        </div>
      )}
      {scalar && !error && tab === 'stats' && <StatsPanel key={field?.name} session={session} view={viewScope} />}
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
        (is2d || rgb ? (
          <>
            {rgbAxis !== undefined && (
              <label>
                <input type="checkbox" name="rgb" checked={rgb !== null} onChange={(e) => setRgbOn(e.target.checked)} />{' '}
                RGB
                {shape[rgbAxis] === 4 ? 'A' : ''} from axis {rgbAxis}
              </label>
            )}
            {imgRow !== null && imgCol !== null && (
              <ImageView
                rgb={rgb}
                session={session}
                scope={imgScope}
                transpose={imgRow > imgCol}
                rows={shape[imgRow]!}
                cols={shape[imgCol]!}
                cursor={cursor ? { row: cursor.index[imgRow] ?? 0, col: cursor.index[imgCol] ?? 0 } : null}
                onPick={(r, c) =>
                  imgRow === state.rowAxis && imgCol === state.colAxis
                    ? props.onJump(r, c)
                    : props.onGoToIndex(idx.map((v, k) => (k === imgRow ? r : k === imgCol ? c : v)))
                }
              />
            )}
          </>
        ) : (
          <div className="muted">A heatmap needs a 2-D view: choose row and column axes.</div>
        ))}
    </aside>
  )
}

/** The range an RGB channel's values span by default: the integer type's, else [0, 1]. */
function channelRange(dtype: string): [number, number] {
  const m = /([iu])([1248])$/.exec(dtype.replace(/^[<>=|]/, ''))
  if (/^\|?b1$|^\?$|bool/.test(dtype)) return [0, 1]
  if (!m) return [0, 1]
  const bits = 8 * Number(m[2])
  return m[1] === 'u' ? [0, 2 ** bits - 1] : [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1]
}
