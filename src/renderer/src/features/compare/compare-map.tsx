// The comparison's block map as an image: mismatch counts (log scale) or, per block, max |A−B|, mean A−B or
// max ULP distance. A click reports the block's rows and columns of the array (all axes but the last × the
// last axis).
import { useEffect, useRef } from 'react'
import type { DiffSummary } from '../../../../shared/contract'

export type MapKind = 'counts' | 'abs' | 'mean' | 'ulp'

const WIDTH = 360

function values(bytes: Uint8Array | undefined): Float64Array {
  return bytes ? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8) : new Float64Array(0)
}

/** Blue (low) to red (high); mean A−B diverges around 0 (blue below, red above). */
function color(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t))
  return [Math.round(255 * x), Math.round(80 + 60 * (1 - Math.abs(2 * x - 1))), Math.round(255 * (1 - x))]
}

export function CompareMap(props: {
  map: NonNullable<DiffSummary['map']>
  kind: MapKind
  shape: number[]
  onPick: (r0: number, c0: number, r1: number, c1: number) => void
}): React.JSX.Element {
  const { map, kind, shape } = props
  const canvas = useRef<HTMLCanvasElement>(null)
  const v = values(map[kind])
  const rowLen = shape.length ? shape[shape.length - 1]! : 1
  const rows = Math.max(
    1,
    shape.slice(0, -1).reduce((x, y) => x * y, 1)
  )
  const height = Math.max(16, Math.min(360, Math.round((WIDTH * map.rows) / map.cols)))
  let lo = Infinity
  let hi = -Infinity
  let rawLo = Infinity
  let rawHi = -Infinity
  for (const x of v) {
    if (!Number.isFinite(x)) continue
    rawLo = Math.min(rawLo, x)
    rawHi = Math.max(rawHi, x)
    const y = kind === 'counts' ? Math.log1p(x) : kind === 'ulp' ? Math.log1p(x) : x
    lo = Math.min(lo, y)
    hi = Math.max(hi, y)
  }
  const maxCount = kind === 'counts' ? Math.max(0, ...v) : null

  useEffect(() => {
    const el = canvas.current
    if (!el) return
    const ctx = el.getContext('2d')
    if (!ctx) return
    const img = ctx.createImageData(map.cols, map.rows)
    const span = kind === 'mean' ? Math.max(Math.abs(lo), Math.abs(hi)) : hi - lo
    for (let k = 0; k < v.length; k++) {
      const x = v[k]!
      let rgb: [number, number, number]
      if (!Number.isFinite(x) || (kind === 'counts' && x === 0)) rgb = [40, 40, 48]
      else {
        const y = kind === 'counts' || kind === 'ulp' ? Math.log1p(x) : x
        const t = kind === 'mean' ? (span > 0 ? 0.5 + y / (2 * span) : 0.5) : span > 0 ? (y - lo) / span : 1
        rgb = color(t)
      }
      img.data.set([...rgb, 255], 4 * k)
    }
    ctx.putImageData(img, 0, 0)
  }, [map, kind, v, lo, hi])

  const onClick = (e: React.MouseEvent<HTMLCanvasElement>): void => {
    const el = e.currentTarget
    const box = el.getBoundingClientRect()
    // inside the border: the image fills the client box
    const y = (e.clientY - box.top - el.clientTop) / el.clientHeight
    const x = (e.clientX - box.left - el.clientLeft) / el.clientWidth
    const i = Math.max(0, Math.min(map.rows - 1, Math.floor(y * map.rows)))
    const j = Math.max(0, Math.min(map.cols - 1, Math.floor(x * map.cols)))
    // the native map puts row r in block floor(r * mapRows / rows): block i starts at ceil(i * rows / mapRows)
    const first = (b: number, n: number, m: number): number => Math.ceil((b * n) / m)
    props.onPick(
      first(i, rows, map.rows),
      first(j, rowLen, map.cols),
      first(i + 1, rows, map.rows),
      first(j + 1, rowLen, map.cols)
    )
  }

  return (
    <div className="compare-map">
      <canvas
        ref={canvas}
        width={map.cols}
        height={map.rows}
        style={{ width: WIDTH, height, imageRendering: 'pixelated' }}
        data-testid="compare-map"
        data-kind={kind}
        data-max-count={maxCount ?? undefined}
        onClick={onClick}
        title="click: go to the first mismatch in that block"
      />
      <div className="muted">
        {kind === 'counts'
          ? `0 … ${maxCount} mismatches per block (log colour)`
          : rawLo <= rawHi
            ? `${rawLo.toPrecision(3)} … ${rawHi.toPrecision(3)}${kind === 'ulp' ? ' ULPs (log colour)' : ''}`
            : 'no finite pairs'}
      </div>
    </div>
  )
}
