// Statistics along an axis of the current 2-D view: per table row (or per column) the mean, min, max and std
// of its finite elements, computed natively in one pass (scan:profile) with progress and Cancel, drawn as a
// profile (the mean, the min–max envelope and mean ± std). The line under the cursor is read out in numbers;
// clicking the plot moves the cursor to that row or column.
import { useEffect, useRef, useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { api } from '../../transport'
import { ProgressLine, started, useProgress } from '../progress/progress-line'
import { statText } from '../stats/stat-text'
import { scopeDType } from './field-select'
import type { ScanScope } from '../stats/stats-panel'
import { f64, loadPlotly, type PlotEvents } from './plotly'

interface Profile {
  count: Float64Array
  mean: Float64Array
  min: Float64Array
  max: Float64Array
  std: Float64Array
}

/** At most this many points per trace: longer profiles are reduced per bucket (min of mins, max of maxes). */
const MAX_POINTS = 4000

function reduce(p: Profile): { x: number[]; mean: number[]; min: number[]; max: number[]; std: number[] } {
  const n = p.mean.length
  const buckets = Math.min(n, MAX_POINTS)
  const out = { x: [] as number[], mean: [] as number[], min: [] as number[], max: [] as number[], std: [] as number[] }
  for (let b = 0; b < buckets; b++) {
    const i0 = Math.floor((b * n) / buckets)
    const i1 = Math.floor(((b + 1) * n) / buckets)
    let mn = Infinity
    let mx = -Infinity
    let sm = 0
    let ss = 0
    let k = 0
    for (let i = i0; i < i1; i++) {
      if (!(p.count[i]! > 0)) continue
      mn = Math.min(mn, p.min[i]!)
      mx = Math.max(mx, p.max[i]!)
      sm += p.mean[i]!
      ss += p.std[i]!
      k++
    }
    out.x.push(i0)
    out.mean.push(k ? sm / k : NaN)
    out.min.push(k ? mn : NaN)
    out.max.push(k ? mx : NaN)
    out.std.push(k ? ss / k : NaN)
  }
  return out
}

export function ProfilePlot(props: {
  session: SessionInfo
  /** The current 2-D view: its slice and the other axes fixed. */
  scope: ScanScope
  /** Which axis of the 2-D view (in array-axis order) is kept: one point per index of it. */
  keep: 0 | 1
  /** What one point is ("row", "column") and the cursor's position along the kept axis. */
  name: string
  at: number
  onPick: (index: number) => void
}): React.JSX.Element {
  const { session, keep } = props
  const el = useRef<HTMLDivElement>(null)
  const [profile, setProfile] = useState<Profile | null>(null)
  const [error, setError] = useState<string | null>(null)
  const scanId = `profile-${session.session}`
  const [progress, setProgress] = useProgress('scan:progress', scanId)
  const scopeKey = JSON.stringify(props.scope)
  const pick = useRef(props.onPick)
  pick.current = props.onPick

  useEffect(() => {
    let live = true
    setProfile(null)
    setError(null)
    setProgress(started(scanId))
    api
      .invoke('scan:profile', { session: session.session, scanId, ...props.scope, keep })
      .then((r) => {
        if (!live) return
        setProfile({ count: f64(r.count), mean: f64(r.mean), min: f64(r.min), max: f64(r.max), std: f64(r.std) })
      })
      .catch((e: Error & { code?: string }) => live && setError(e.code === 'cancelled' ? 'cancelled' : e.message))
      .finally(() => live && setProgress(null))
    return () => {
      live = false
      void api.invoke('scan:cancel', { scanId }).catch(() => undefined)
    }
  }, [scopeKey, keep, session.session]) // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    const div = el.current
    if (!div || !profile) return
    const r = reduce(profile)
    const lo = r.mean.map((m, k) => m - r.std[k]!)
    const hi = r.mean.map((m, k) => m + r.std[k]!)
    const nul = (a: number[]): (number | null)[] => a.map((v) => (Number.isNaN(v) ? null : v))
    void loadPlotly().then(async (Plotly) => {
      await Plotly.react(
        div,
        [
          { type: 'scatter', mode: 'lines', name: 'min', x: r.x, y: nul(r.min), line: { width: 1, color: '#9aa4b2' } },
          { type: 'scatter', mode: 'lines', name: 'max', x: r.x, y: nul(r.max), line: { width: 1, color: '#9aa4b2' } },
          {
            type: 'scatter',
            mode: 'lines',
            name: 'mean − std',
            x: r.x,
            y: nul(lo),
            line: { width: 0 },
            showlegend: false
          },
          {
            type: 'scatter',
            mode: 'lines',
            name: 'mean ± std',
            x: r.x,
            y: nul(hi),
            line: { width: 0 },
            fill: 'tonexty',
            fillcolor: 'rgba(47, 111, 222, 0.2)'
          },
          {
            type: 'scatter',
            mode: 'lines',
            name: 'mean',
            x: r.x,
            y: nul(r.mean),
            line: { width: 1.5, color: '#2f6fde' }
          }
        ],
        {
          margin: { l: 60, r: 10, t: 10, b: 40 },
          width: Math.max(200, div.clientWidth),
          height: Math.max(200, div.clientHeight),
          xaxis: { title: { text: props.name } },
          legend: { orientation: 'h', y: -0.2 },
          uirevision: `${scopeKey}|${keep}`
        },
        { displaylogo: false, responsive: true, showTips: false }
      )
      const events = div as unknown as PlotEvents
      events.removeAllListeners?.('plotly_click')
      events.on('plotly_click', (e) => {
        const p = e.points[0]
        if (p) pick.current(Math.round(p.x))
      })
    })
  }, [profile]) // eslint-disable-line react-hooks/exhaustive-deps

  const at = props.at
  const line = profile && at >= 0 && at < profile.mean.length ? at : null
  const dtype = scopeDType(session.layout.dtype, props.scope.field)
  return (
    <div className="plot fill">
      {progress !== null && (
        <div className="row">
          <ProgressLine progress={progress} testId="profile-progress" />
          <button onClick={() => void api.invoke('scan:cancel', { scanId })}>Cancel</button>
        </div>
      )}
      {error && <div className="validation bad">{error}</div>}
      {profile && line !== null && (
        <div className="muted" data-testid="profile-readout">
          {props.name} {line}: {profile.count[line]} finite · mean {statText(dtype, profile.mean[line]!, 'moment')} ·
          min {statText(dtype, profile.min[line]!, 'extreme')} · max {statText(dtype, profile.max[line]!, 'extreme')} ·
          std {statText(dtype, profile.std[line]!, 'moment')}
        </div>
      )}
      <div ref={el} className="plot-area" data-testid="profile-plot" data-points={profile ? profile.mean.length : 0} />
    </div>
  )
}
