// A 1-D pencil through the array as a line with min/max level of detail: the Node side sends ≤ 2 points per
// pixel column for the visible x-range, re-requested on zoom and pan, so zooming in reaches single samples.
// plotly's own zoom tip ("Double-click to zoom back out") is off (showTips): it is fixed to the window's top
// right, over the toolbar's buttons; the hint is in the line above the plot instead.
// A followed file (issue 32): another program's write draws the line again over the same range, and a growing
// array extends it — a range reaching the old end reaches the new one (a zoom elsewhere stays), a shrink cuts it.
import { useEffect, useRef, useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { api } from '../../transport'
import type { ScanScope } from '../stats/stats-panel'
import { f64, loadPlotly, type PlotEvents } from './plotly'

export function LinePlot(props: {
  session: SessionInfo
  scope: ScanScope
  length: number
  axisName: string
  onPick: (index: number) => void
}): React.JSX.Element {
  const { length } = props
  const el = useRef<HTMLDivElement>(null)
  const [range, setRange] = useState<[number, number]>([0, length])
  const [points, setPoints] = useState(0)
  const [error, setError] = useState<string | null>(null)
  const scopeKey = JSON.stringify(props.scope)
  const lastLength = useRef(length)
  useEffect(() => {
    const before = lastLength.current
    lastLength.current = length
    if (before === length) return
    setRange(([s, t]) => extendRange(s, t, before, length))
  }, [length])
  // declared after the length's: another scope (and length) shows all of it
  useEffect(() => setRange([0, lastLength.current]), [scopeKey])
  // the data changed (another program's write, an edit): drawn again
  const [dataVersion, setDataVersion] = useState(0)
  useEffect(
    () => api.on('session:edited', (e) => e.session === props.session.session && setDataVersion((v) => v + 1)),
    [props.session.session]
  )
  const pick = useRef(props.onPick)
  pick.current = props.onPick

  useEffect(() => {
    const div = el.current
    if (!div || length === 0) return
    let live = true
    const [start, stop] = range
    const width = Math.max(100, div.clientWidth || 600)
    api
      .invoke('scan:line', {
        session: props.session.session,
        scanId: `line-${props.session.session}`,
        ...props.scope,
        start,
        stop,
        buckets: Math.min(2 * width, 4000)
      })
      .then(async (r) => {
        if (!live) return
        const mins = f64(r.min)
        const maxs = f64(r.max)
        const x: number[] = []
        const y: (number | null)[] = []
        const len = r.stop - r.start
        for (let b = 0; b < r.buckets; b++) {
          const x0 = r.start + Math.floor((b * len) / r.buckets)
          const lo = Number.isNaN(mins[b]!) ? null : mins[b]!
          const hi = Number.isNaN(maxs[b]!) ? null : maxs[b]!
          x.push(x0, x0)
          y.push(lo, hi)
        }
        setPoints(x.length)
        setError(null)
        const Plotly = await loadPlotly()
        await Plotly.react(
          div,
          [
            {
              type: 'scatter',
              mode: r.buckets === len ? 'lines+markers' : 'lines',
              x,
              y,
              line: { width: 1, color: '#2f6fde' }
            }
          ],
          {
            margin: { l: 60, r: 10, t: 10, b: 40 },
            // the panel's size: plotly's own default is wider than the panel
            width: Math.max(200, div.clientWidth),
            height: Math.max(200, div.clientHeight),
            uirevision: scopeKey,
            xaxis: { range: [start, stop - 1], title: { text: props.axisName } }
          },
          { displaylogo: false, responsive: true, showTips: false }
        )
        const events = div as unknown as PlotEvents
        events.removeAllListeners?.('plotly_relayout')
        events.removeAllListeners?.('plotly_click')
        events.on('plotly_relayout', (e) => {
          if (e['xaxis.autorange']) return setRange([0, length])
          const a = e['xaxis.range[0]'] as number | undefined
          const b = e['xaxis.range[1]'] as number | undefined
          if (a === undefined || b === undefined) return
          const s = Math.max(0, Math.floor(a))
          const t = Math.min(length, Math.ceil(b) + 1)
          if (t > s) setRange([s, t])
        })
        events.on('plotly_click', (e) => {
          const p = e.points[0]
          if (p) pick.current(Math.round(p.x))
        })
      })
      .catch((e: Error) => live && setError(e.message))
    return () => {
      live = false
    }
  }, [range, scopeKey, length, props.session.session, dataVersion]) // eslint-disable-line react-hooks/exhaustive-deps

  // follow the panel's size (the window, the panel's width, the other panels)
  useEffect(() => {
    const div = el.current
    if (!div) return
    const ro = new ResizeObserver(() => {
      if (!div.querySelector('.plot-container')) return
      void loadPlotly().then((Plotly) =>
        Plotly.relayout(div, { width: Math.max(200, div.clientWidth), height: Math.max(200, div.clientHeight) })
      )
    })
    ro.observe(div)
    return () => ro.disconnect()
  }, [])

  return (
    <div className="plot fill">
      <div className="muted" data-testid="line-info">
        {props.axisName}: samples {range[0]}–{range[1] - 1} of {length}, {points} points drawn · drag to zoom,
        double-click to see all
      </div>
      {error && <div className="validation bad">{error}</div>}
      <div
        ref={el}
        className="plot-area"
        data-testid="line-plot"
        data-points={points}
        data-start={range[0]}
        data-stop={range[1]}
      />
    </div>
  )
}

/** The x-range [s, t) after the line's length went from before to length: at the end, it follows the end. */
export function extendRange(s: number, t: number, before: number, length: number): [number, number] {
  if (t >= before) return [Math.min(s, Math.max(0, length - 1)), length]
  const stop = Math.min(t, length)
  return stop > s ? [s, stop] : [0, length]
}
