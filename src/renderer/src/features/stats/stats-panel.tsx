// Statistics of the whole array or of the current view, from one native pass (plus one for the histogram),
// with progress and cancel; the histogram plotted with linear or log counts. A result says which version of the
// file it describes, and when the file changed since (stats-version.tsx).
import { useEffect, useRef, useState } from 'react'
import type { ScanStats, SessionInfo } from '../../../../shared/contract'
import { api } from '../../transport'
import { loadPlotly } from '../plot/plotly'
import { ProgressLine, started, useProgress } from '../progress/progress-line'
import { statText } from './stat-text'
import { scopeDType } from '../plot/field-select'
import { useAutoRecompute, useStaleness, VersionLine } from './stats-version'

export interface ScanScope {
  slice?: string
  fixed?: (number | null)[]
  /** A record's field (its values are what is scanned). */
  field?: string
}

export function StatsPanel(props: { session: SessionInfo; view: ScanScope }): React.JSX.Element {
  const [scope, setScope] = useState<'array' | 'view'>('array')
  const [stats, setStats] = useState<ScanStats | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [logCounts, setLogCounts] = useState(false)
  const plot = useRef<HTMLDivElement>(null)
  const scanId = `stats-${props.session.session}`
  const dtype = scopeDType(props.session.layout.dtype, props.view.field)
  const [progress, setProgress] = useProgress('scan:progress', scanId)
  const staleness = useStaleness(props.session.session)
  const [auto, setAuto] = useState(0)
  const [lastStart, setLastStart] = useState(0)

  const run = (): void => {
    setError(null)
    // a recompute keeps the result it replaces on screen until the new one comes
    if (!staleness.stale) setStats(null)
    setProgress(started(scanId))
    setLastStart(Date.now())
    staleness.started()
    const target = scope === 'array' ? { field: props.view.field } : props.view
    api
      .invoke('scan:stats', { session: props.session.session, scanId, bins: 256, ...target })
      .then((s) => {
        setStats(s)
        staleness.finished(s.version)
      })
      .catch((e: Error) => {
        setError(e.message)
        staleness.finished(undefined)
      })
      .finally(() => setProgress(null))
  }
  useAutoRecompute(stats !== null && staleness.stale !== null, auto, progress !== null, lastStart, run)

  useEffect(() => {
    const el = plot.current
    const h = stats?.histogram
    if (!el || !h) return
    void loadPlotly().then((Plotly) =>
      Plotly.react(
        el,
        [
          {
            type: 'bar',
            x: h.edges.slice(0, -1).map((e, k) => (e + h.edges[k + 1]!) / 2),
            y: h.counts,
            marker: { color: '#2f6fde' }
          }
        ],
        {
          margin: { l: 50, r: 10, t: 10, b: 30 },
          height: 220,
          yaxis: { type: logCounts ? 'log' : 'linear' },
          bargap: 0
        },
        { displaylogo: false, responsive: true, showTips: false }
      )
    )
  }, [stats, logCounts])

  const row = (label: string, value: string | number | null | undefined, id: string): React.JSX.Element => (
    <tr>
      <th>{label}</th>
      <td data-testid={`stats-${id}`}>{value === null || value === undefined ? '—' : String(value)}</td>
    </tr>
  )
  return (
    <div className="stats-panel">
      <div className="row">
        <select name="stats-scope" value={scope} onChange={(e) => setScope(e.target.value as 'array' | 'view')}>
          <option value="array">whole array</option>
          <option value="view">current view</option>
        </select>
        <button onClick={run} disabled={progress !== null}>
          Compute statistics
        </button>
        {progress !== null && (
          <>
            <ProgressLine progress={progress} testId="stats-progress" />
            <button onClick={() => void api.invoke('scan:cancel', { scanId })}>Cancel</button>
          </>
        )}
      </div>
      {error && <div className="validation bad">{error}</div>}
      {stats && (
        <>
          <VersionLine version={stats.version} stale={staleness.stale} auto={auto} onAuto={setAuto} onRecompute={run} />
          <table className="stats-table">
            <tbody>
              {row('count', stats.count, 'count')}
              {row('min', statText(dtype, stats.minExact ?? stats.min, 'extreme'), 'min')}
              {row('max', statText(dtype, stats.maxExact ?? stats.max, 'extreme'), 'max')}
              {row('mean', statText(dtype, stats.mean, 'moment'), 'mean')}
              {row('std', statText(dtype, stats.std, 'moment'), 'std')}
              {row('NaN', stats.nan, 'nan')}
              {row('+inf', stats.posinf, 'posinf')}
              {row('-inf', stats.neginf, 'neginf')}
            </tbody>
          </table>
          <label>
            <input type="checkbox" checked={logCounts} onChange={(e) => setLogCounts(e.target.checked)} /> log counts
          </label>
        </>
      )}
      <div ref={plot} data-testid="histogram-plot" />
    </div>
  )
}
