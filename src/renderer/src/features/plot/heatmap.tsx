// The current 2-D view as an image, block-reduced natively to the plot's size; colormap, linear/log scale,
// and a colour range (auto: 1st–99th percentile of a 256-bin histogram of the view, or typed).
import { useEffect, useRef, useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { api } from '../../transport'
import type { ScanScope } from '../stats/stats-panel'
import { f64, loadPlotly, type PlotEvents } from './plotly'

const COLORMAPS = ['Viridis', 'Greys', 'RdBu', 'Hot', 'Jet', 'Cividis']

function percentile(edges: number[], counts: number[], q: number): number {
  const total = counts.reduce((a, b) => a + b, 0)
  let acc = 0
  for (let k = 0; k < counts.length; k++) {
    acc += counts[k]!
    if (acc >= q * total) return edges[k + 1]!
  }
  return edges[edges.length - 1]!
}

export function Heatmap(props: {
  session: SessionInfo
  scope: ScanScope
  rows: number
  cols: number
  onPick: (row: number, col: number) => void
}): React.JSX.Element {
  const el = useRef<HTMLDivElement>(null)
  const [colormap, setColormap] = useState('Viridis')
  const [log, setLog] = useState(false)
  const [reduce, setReduce] = useState<'mean' | 'max'>('mean')
  const [auto, setAuto] = useState<[number, number] | null>(null)
  const [manual, setManual] = useState<[string, string]>(['', ''])
  const [size, setSize] = useState<[number, number] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const scopeKey = JSON.stringify(props.scope)
  const pick = useRef(props.onPick)
  pick.current = props.onPick

  // auto range from the histogram's percentiles
  useEffect(() => {
    let live = true
    api
      .invoke('scan:stats', {
        session: props.session.session,
        scanId: `heat-range-${props.session.session}`,
        bins: 256,
        ...props.scope
      })
      .then(
        (s) =>
          live &&
          s.histogram &&
          setAuto([
            percentile(s.histogram.edges, s.histogram.counts, 0.01),
            percentile(s.histogram.edges, s.histogram.counts, 0.99)
          ])
      )
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [scopeKey, props.session.session]) // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    const div = el.current
    if (!div) return
    let live = true
    const outRows = Math.min(props.rows, 400)
    const outCols = Math.min(props.cols, Math.max(100, Math.floor((div.clientWidth || 600) * 1.5)), 1000)
    api
      .invoke('scan:image', {
        session: props.session.session,
        scanId: `image-${props.session.session}`,
        ...props.scope,
        outRows,
        outCols,
        reduce
      })
      .then(async (r) => {
        if (!live) return
        const v = f64(r.values)
        const z: (number | null)[][] = []
        for (let i = 0; i < r.rows; i++) {
          const rowv: (number | null)[] = []
          for (let j = 0; j < r.cols; j++) {
            const x = v[i * r.cols + j]!
            rowv.push(Number.isNaN(x) ? null : log ? (x > 0 ? Math.log10(x) : null) : x)
          }
          z.push(rowv)
        }
        const lo = manual[0] !== '' ? Number(manual[0]) : auto?.[0]
        const hi = manual[1] !== '' ? Number(manual[1]) : auto?.[1]
        const tr = (x: number | undefined): number | undefined =>
          x === undefined ? undefined : log ? (x > 0 ? Math.log10(x) : undefined) : x
        const Plotly = await loadPlotly()
        await Plotly.react(
          div,
          [
            {
              type: 'heatmap',
              z,
              colorscale: colormap,
              zmin: tr(lo),
              zmax: tr(hi),
              zauto: lo === undefined || hi === undefined,
              // block i starts at element row i*R/outRows: label the axes in element indices
              x: Array.from({ length: r.cols }, (_, j) => Math.floor((j * props.cols) / r.cols)),
              y: Array.from({ length: r.rows }, (_, i) => Math.floor((i * props.rows) / r.rows)),
              colorbar: { title: { text: log ? 'log10' : '' } }
            }
          ],
          { margin: { l: 60, r: 10, t: 10, b: 40 }, height: 360, yaxis: { autorange: 'reversed' } },
          { displaylogo: false, responsive: true }
        )
        setSize([r.rows, r.cols])
        setError(null)
        const events = div as unknown as PlotEvents
        events.removeAllListeners?.('plotly_click')
        events.on('plotly_click', (e) => {
          const p = e.points[0]
          if (p) pick.current(Number(p.y), Number(p.x))
        })
      })
      .catch((e: Error) => live && setError(e.message))
    return () => {
      live = false
    }
  }, [scopeKey, colormap, log, reduce, auto, manual, props.rows, props.cols, props.session.session]) // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <div className="plot">
      <div className="row">
        <select name="colormap" value={colormap} onChange={(e) => setColormap(e.target.value)}>
          {COLORMAPS.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <select name="reduce" value={reduce} onChange={(e) => setReduce(e.target.value as 'mean' | 'max')}>
          <option value="mean">block mean</option>
          <option value="max">block max</option>
        </select>
        <label>
          <input type="checkbox" name="log" checked={log} onChange={(e) => setLog(e.target.checked)} /> log
        </label>
        <input
          name="zmin"
          placeholder={auto ? auto[0].toPrecision(4) : 'min'}
          value={manual[0]}
          onChange={(e) => setManual([e.target.value, manual[1]])}
          size={8}
        />
        <input
          name="zmax"
          placeholder={auto ? auto[1].toPrecision(4) : 'max'}
          value={manual[1]}
          onChange={(e) => setManual([manual[0], e.target.value])}
          size={8}
        />
        <button
          type="button"
          title="Save the heatmap as a PNG image"
          onClick={() =>
            void loadPlotly().then((Plotly) =>
              Plotly.downloadImage(el.current!, {
                format: 'png',
                filename: `${props.session.path.split(/[\\/]/).pop()}-heatmap`
              })
            )
          }
        >
          PNG
        </button>
      </div>
      {error && <div className="validation bad">{error}</div>}
      <div ref={el} data-testid="heatmap" data-rows={size?.[0] ?? ''} data-cols={size?.[1] ?? ''} />
    </div>
  )
}
