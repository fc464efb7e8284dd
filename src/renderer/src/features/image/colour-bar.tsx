// The colour bar: the colormap over the range, the histogram of the values shown under it, the range typed
// (min / max) or dragged across the bar, and Auto (the 1st–99th percentile of the values shown).
import { useEffect, useRef } from 'react'
import { lut, unpackCss, type ColormapName } from './colormaps'
import { histogram, type Channel } from './shade'

const W = 256
const H = 36

export function ColourBar(props: {
  colormap: ColormapName
  range: [number, number] | null
  manual: [string, string]
  onManual: (m: [string, string]) => void
  onAuto: () => void
  values: () => Float32Array[]
  channel: Channel
}): React.JSX.Element {
  const canvas = useRef<HTMLCanvasElement>(null)
  const drag = useRef<number | null>(null)
  const { range } = props

  useEffect(() => {
    const ctx = canvas.current?.getContext('2d')
    if (!ctx) return
    ctx.clearRect(0, 0, W, H)
    const table = lut(props.colormap)
    for (let x = 0; x < W; x++) {
      ctx.fillStyle = unpackCss(table[x]!)
      ctx.fillRect(x, H - 10, 1, 10)
    }
    if (!range) return
    const counts = histogram(props.values(), props.channel, range[0], range[1], 128)
    const top = Math.max(1, ...counts)
    ctx.fillStyle = 'rgba(128, 128, 140, 0.8)'
    counts.forEach((c, k) => {
      const h = Math.round(((H - 12) * Math.log1p(c)) / Math.log1p(top))
      ctx.fillRect(k * 2, H - 12 - h, 2, h)
    })
  })

  const at = (e: React.PointerEvent): number => {
    const box = e.currentTarget.getBoundingClientRect()
    const t = Math.max(0, Math.min(1, (e.clientX - box.left) / box.width))
    return range ? range[0] + t * (range[1] - range[0]) : t
  }
  const fmt = (x: number): string => String(Number(x.toPrecision(6)))

  return (
    <div className="colour-bar row">
      <label>
        min
        <input
          name="zmin"
          value={props.manual[0]}
          placeholder={range ? fmt(range[0]) : 'auto'}
          onChange={(e) => props.onManual([e.target.value, props.manual[1]])}
          size={9}
        />
      </label>
      <canvas
        ref={canvas}
        width={W}
        height={H}
        data-testid="colour-bar"
        title="drag across the bar to set the range"
        onPointerDown={(e) => {
          drag.current = at(e)
          e.currentTarget.setPointerCapture(e.pointerId)
        }}
        onPointerUp={(e) => {
          const start = drag.current
          drag.current = null
          const end = at(e)
          if (start === null || Math.abs(end - start) <= 0) return
          props.onManual([fmt(Math.min(start, end)), fmt(Math.max(start, end))])
        }}
      />
      <label>
        max
        <input
          name="zmax"
          value={props.manual[1]}
          placeholder={range ? fmt(range[1]) : 'auto'}
          onChange={(e) => props.onManual([props.manual[0], e.target.value])}
          size={9}
        />
      </label>
      <button type="button" onClick={props.onAuto} title="The 1st–99th percentile of the values shown">
        Auto
      </button>
    </div>
  )
}
