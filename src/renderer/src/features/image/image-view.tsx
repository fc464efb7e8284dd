// The image of a 2-D view as a multi-resolution viewer: tiles of a pyramid the Node side reduces on demand
// (min, max, mean per block, only for what is on screen), drawn on a canvas at the coarsest level finer than a
// screen pixel; zooming shows the coarser tiles at once and refines, down to single elements, whose value and
// index show on hover. Colour (colormap, scale, range, NaN/±Inf colours) applies to the values held: no request.
// Canvas 2D rather than WebGL: recolouring the visible tiles in JS and drawing cached tile canvases meets the
// frame budget (see bench/image.bench.ts) without shaders, float textures or a GPU in headless Chromium.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { api } from '../../transport'
import type { ScanScope } from '../stats/stats-panel'
import { COLORMAPS, packHex, type ColormapName } from './colormaps'
import { ColourBar } from './colour-bar'
import { channelValue, quantileRange, rgbQuantileRange, type Channel, type Scale, type Shading } from './shade'
import { TILE, TileSet, type TileData } from './tile-set'
import { aspectFits, elementAt, fit, levelFor, maxLevelFor, pan, visibleTiles, zoom, type Viewport } from './viewport'

/** Tiles of blocks this large (a tile reads 4^level × 65536 elements: 64 MiB of float32 at level 4) are
 * previewed before their exact reduction arrives, when nothing coarser is held: by the sampled tile (one element
 * per pixel) PREVIEW_UP levels coarser, one sampled tile standing in for up to 16 (each costs 65536 scattered
 * reads: 16 of them delayed the first exact overview of a warm 1 GiB view by ~60 ms). */
const PREVIEW_LEVEL = 4
const PREVIEW_UP = 2

/** What the benchmark and the tests read off the view (window.__arrayscopeImage). */
export interface ImageStats {
  /** From the view's start to the first frame with any tile drawn (a preview, or a coarser tile). */
  firstPreviewMs: number | null
  /** … to the first frame with every visible tile exact and the colour range known. */
  firstImageMs: number | null
  lastFrameMs: number
  frames: number
  requests: number
  level: number
  ready: boolean
  /** Screen pixels per element and the element at the canvas's top-left. */
  viewport: Viewport | null
}

declare global {
  interface Window {
    __arrayscopeImage?: ImageStats
  }
}

function freshStats(): ImageStats {
  return {
    firstPreviewMs: null,
    firstImageMs: null,
    lastFrameMs: 0,
    frames: 0,
    requests: 0,
    level: 0,
    ready: false,
    viewport: null
  }
}

function ticks(from: number, to: number, count: number): number[] {
  const span = Math.max(1, to - from)
  const raw = span / count
  const p = 10 ** Math.floor(Math.log10(raw))
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p)
  const out: number[] = []
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t)
  return out
}

export function ImageView(props: {
  session: SessionInfo
  scope: ScanScope
  /** Rows are the view's second axis (the table shows them so). */
  transpose: boolean
  rows: number
  cols: number
  cursor: { row: number; col: number } | null
  onPick: (row: number, col: number) => void
  /** RGB(A): the axis (of the view's fixed axes) whose 3 or 4 entries are the colour channels. */
  rgb?: { axis: number; channels: 3 | 4; range: [number, number] } | null
}): React.JSX.Element {
  const { session, rows, cols } = props
  const wrap = useRef<HTMLDivElement>(null)
  const canvas = useRef<HTMLCanvasElement>(null)
  const [size, setSize] = useState({ w: 400, h: 300 })
  // square pixels or the frame filled: as chosen, else square unless that makes a thin strip
  const [fitChoice, setFitChoice] = useState<'aspect' | 'fill' | null>(null)
  const keepAspect = fitChoice ? fitChoice === 'aspect' : aspectFits(rows, cols, size.w, size.h)
  const [colormap, setColormap] = useState<ColormapName>('viridis')
  const [scale, setScale] = useState<Scale>('linear')
  const [channel, setChannel] = useState<Channel>('mean')
  const [manual, setManual] = useState<[string, string]>(['', ''])
  const [auto, setAuto] = useState<[number, number] | null>(null)
  const [hover, setHover] = useState<string | null>(null)
  const vp = useRef<Viewport | null>(null)
  const rgb = props.rgb ?? null
  const scopeKey = JSON.stringify([props.scope, props.transpose, session.session, rgb?.axis, rgb?.channels])
  const maxLevel = maxLevelFor(rows, cols)
  const started = useRef(0)
  const stats = useRef<ImageStats>(freshStats())
  const dark = useMemo(() => window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false, [])

  const scheduled = useRef(false)
  const drawRef = useRef<() => void>(() => undefined)
  const schedule = useCallback(() => {
    if (scheduled.current) return
    scheduled.current = true
    requestAnimationFrame(() => {
      scheduled.current = false
      drawRef.current()
    })
  }, [])

  const tiles = useMemo(() => {
    const one = (level: number, ty: number, tx: number, sample: boolean, fixed = props.scope.fixed) =>
      api
        .invoke('scan:tile', {
          session: session.session,
          ...props.scope,
          ...(fixed ? { fixed } : {}),
          transpose: props.transpose,
          level,
          ty,
          tx,
          ...(sample ? { sample } : {})
        })
        .then((t) => ({
          rows: t.rows,
          cols: t.cols,
          px: new Float32Array(t.pixels.buffer.slice(t.pixels.byteOffset, t.pixels.byteOffset + t.pixels.byteLength))
        }))
    const fetchTile = async (level: number, ty: number, tx: number, sample: boolean): Promise<TileData> => {
      if (!rgb) return { level, ty, tx, sample, ...(await one(level, ty, tx, sample)) }
      // RGB(A): one tile per channel (the channel axis fixed at 0, 1, 2 (, 3)); lane c of a pixel is channel
      // c's block mean
      const fixed = props.scope.fixed ?? []
      const parts = await Promise.all(
        Array.from({ length: rgb.channels }, (_, c) =>
          one(
            level,
            ty,
            tx,
            sample,
            fixed.map((v, k) => (k === rgb.axis ? c : v))
          )
        )
      )
      const { rows: r, cols: c } = parts[0]!
      const px = new Float32Array(r * c * 4).fill(NaN)
      parts.forEach((p, ch) => {
        for (let k = 0; k < r * c; k++) px[4 * k + ch] = p.px[4 * k + 2]!
      })
      return { level, ty, tx, sample, rows: r, cols: c, px }
    }
    return new TileSet(fetchTile, schedule)
  }, [scopeKey]) // eslint-disable-line react-hooks/exhaustive-deps

  // a new view: fit it, forget the range, start the clock for the first image
  useEffect(() => {
    vp.current = null
    setAuto(null)
    started.current = performance.now()
    stats.current = freshStats()
    schedule()
  }, [scopeKey, schedule])
  useEffect(
    () => api.on('session:edited', (e) => e.session === session.session && (tiles.clear(), schedule())),
    [tiles, session.session, schedule]
  )

  useEffect(() => {
    const el = wrap.current
    if (!el) return
    const ro = new ResizeObserver(() => setSize({ w: Math.max(50, el.clientWidth), h: Math.max(50, el.clientHeight) }))
    ro.observe(el)
    return () => ro.disconnect()
  }, [])
  useEffect(() => {
    vp.current = null // refit to the new size (or aspect)
    schedule()
  }, [size.w, size.h, keepAspect, schedule])

  const range: [number, number] | null = (() => {
    const fallback = auto ?? rgb?.range
    const lo = manual[0].trim() === '' ? fallback?.[0] : Number(manual[0])
    const hi = manual[1].trim() === '' ? fallback?.[1] : Number(manual[1])
    return lo !== undefined && hi !== undefined && Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : null
  })()
  const shading: Shading = {
    rgb: rgb !== null,
    colormap,
    scale,
    channel,
    lo: range?.[0] ?? 0,
    hi: range?.[1] ?? 1,
    nan: packHex(dark ? '#3a3a44' : '#d8d8de'),
    posinf: packHex('#ff00ff'),
    neginf: packHex('#00ffff'),
    below: packHex(dark ? '#202028' : '#f0f0f4')
  }

  /** The values of the tiles the view shows now (auto range, the colour bar's histogram). */
  const visibleValues = (): Float32Array[] => {
    const v = vp.current
    if (!v) return []
    const level = levelFor(v, maxLevel)
    return visibleTiles(v, level, rows, cols, size.w, size.h)
      .map(([ty, tx]) => tiles.get(level, ty, tx)?.data.px)
      .filter((x): x is Float32Array => x !== undefined)
  }

  const draw = (): void => {
    const el = canvas.current
    if (!el) return
    const t0 = performance.now()
    if (!vp.current) vp.current = fit(rows, cols, size.w, size.h, keepAspect)
    const v = vp.current
    const ctx = el.getContext('2d')!
    ctx.imageSmoothingEnabled = false
    ctx.clearRect(0, 0, size.w, size.h)
    const level = levelFor(v, maxLevel)
    const vis = visibleTiles(v, level, rows, cols, size.w, size.h)
    let complete = true
    let any = false
    const blit = (
      c: HTMLCanvasElement,
      lvl: number,
      ty: number,
      tx: number,
      sub?: [number, number, number, number]
    ): void => {
      const span = TILE * 2 ** lvl
      const b = 2 ** lvl
      const x = (tx * span - v.x0) * v.sx
      const y = (ty * span - v.y0) * v.sy
      if (!sub) return ctx.drawImage(c, x, y, c.width * b * v.sx, c.height * b * v.sy)
      const [sx, sy, sw, sh] = sub
      ctx.drawImage(c, sx, sy, sw, sh, x + sx * b * v.sx, y + sy * b * v.sy, sw * b * v.sx, sh * b * v.sy)
    }
    for (const [ty, tx] of vis) {
      const held = tiles.get(level, ty, tx)
      if (!held?.data || !tiles.exact(level, ty, tx)) {
        complete = false
        // a coarser tile held meanwhile, scaled up over this one's area
        let coarser = false
        for (let up = level + 1; up <= maxLevel; up++) {
          const k = up - level
          const parent = tiles.get(up, ty >> k, tx >> k)
          if (!parent) continue
          const f = 2 ** k
          const sx = ((tx % f) * TILE) / f
          const sy = ((ty % f) * TILE) / f
          const c = tiles.canvas(parent, shading)
          const sw = Math.min(TILE / f, c.width - sx)
          const sh = Math.min(TILE / f, c.height - sy)
          if (sw > 0 && sh > 0) blit(c, up, ty >> k, tx >> k, [sx, sy, sw, sh])
          coarser = any = true
          break
        }
        if (!held && !coarser && level >= PREVIEW_LEVEL) {
          const k = Math.min(maxLevel, level + PREVIEW_UP) - level
          tiles.request(level + k, ty >> k, tx >> k, true)
        }
        tiles.request(level, ty, tx)
      }
      if (held) {
        blit(tiles.canvas(held, shading), level, ty, tx)
        any = true
      }
    }
    // the table's cursor
    if (props.cursor) {
      const x = (props.cursor.col - v.x0) * v.sx
      const y = (props.cursor.row - v.y0) * v.sy
      ctx.strokeStyle = dark ? '#fff' : '#000'
      ctx.lineWidth = 1.5
      ctx.strokeRect(x - 1, y - 1, Math.max(3, v.sx) + 2, Math.max(3, v.sy) + 2)
    }
    if (!range && !auto && complete) {
      const q = quantileRange(visibleValues(), channel)
      if (q) setAuto(q) // redraws with the range
    }
    const s = stats.current
    s.frames++
    s.level = level
    s.requests = tiles.requests
    s.ready = complete && any && range !== null
    s.viewport = { ...v }
    s.lastFrameMs = performance.now() - t0
    if (any && s.firstPreviewMs === null) s.firstPreviewMs = performance.now() - started.current
    if (s.ready && s.firstImageMs === null) s.firstImageMs = performance.now() - started.current
    window.__arrayscopeImage = { ...s }
    el.dataset.level = String(level)
    el.dataset.ready = s.ready ? 'true' : 'false'
    el.dataset.requests = String(tiles.requests)
    drawTicks(v)
  }
  // the latest draw (its closure sees this render's state) is what the next animation frame runs
  useLayoutEffect(() => {
    drawRef.current = draw
  })

  // the axes' tick labels, written straight into their overlays (a React render per frame would cost pans)
  const topTicks = useRef<HTMLDivElement>(null)
  const leftTicks = useRef<HTMLDivElement>(null)
  const drawTicks = (v: Viewport): void => {
    const top = topTicks.current
    const left = leftTicks.current
    if (!top || !left) return
    top.style.top = `${Math.max(0, -v.y0 * v.sy)}px`
    top.innerHTML = ticks(Math.max(0, v.x0), Math.min(cols, v.x0 + size.w / v.sx), 5)
      .map((t) => `<span style="left:${(t - v.x0) * v.sx}px">${t}</span>`)
      .join('')
    left.innerHTML = ticks(Math.max(0, v.y0), Math.min(rows, v.y0 + size.h / v.sy), 5)
      .map((t) => `<span style="top:${(t - v.y0) * v.sy}px">${t}</span>`)
      .join('')
  }
  // a change of colour: redrawn at once from the values held (after the effect above gave drawRef this render's
  // draw), so the very frame after the change shows it; a move of the cursor: at the next animation frame
  useLayoutEffect(() => drawRef.current(), [colormap, scale, channel, manual, auto])
  useEffect(schedule, [props.cursor?.row, props.cursor?.col, schedule])

  const drag = useRef<{ x: number; y: number; moved: boolean } | null>(null)
  const onWheel = (e: React.WheelEvent): void => {
    if (!vp.current) return
    const box = canvas.current!.getBoundingClientRect()
    const minScale = Math.min(size.w / cols, size.h / rows) / 2
    vp.current = zoom(vp.current, e.deltaY < 0 ? 1.25 : 0.8, e.clientX - box.left, e.clientY - box.top, minScale)
    schedule()
  }
  const onPointerDown = (e: React.PointerEvent): void => {
    drag.current = { x: e.clientX, y: e.clientY, moved: false }
    e.currentTarget.setPointerCapture(e.pointerId)
  }
  const onPointerMove = (e: React.PointerEvent): void => {
    const box = canvas.current!.getBoundingClientRect()
    const d = drag.current
    if (d && vp.current) {
      const dx = e.clientX - d.x
      const dy = e.clientY - d.y
      if (d.moved || Math.abs(dx) + Math.abs(dy) > 3) {
        d.moved = true
        vp.current = pan(vp.current, dx, dy)
        d.x = e.clientX
        d.y = e.clientY
        schedule()
      }
      return
    }
    if (!vp.current) return
    const { row, col } = elementAt(vp.current, e.clientX - box.left, e.clientY - box.top)
    if (row < 0 || col < 0 || row >= rows || col >= cols) return setHover(null)
    const level = levelFor(vp.current, maxLevel)
    const span = TILE * 2 ** level
    const held = tiles.get(level, Math.floor(row / span), Math.floor(col / span))
    if (!held) return setHover(`(${row}, ${col})`)
    const b = 2 ** level
    const k = Math.floor((row % span) / b) * held.data.cols + Math.floor((col % span) / b)
    const px = held.data.px
    const f = (x: number): string => (Number.isNaN(x) ? 'nan' : String(x))
    if (rgb) {
      const lanes = Array.from({ length: rgb.channels }, (_, c) => f(px[4 * k + c]!)).join(', ')
      const where =
        level === 0
          ? `(${row}, ${col})`
          : `[${row - (row % b)}:${row - (row % b) + b}, ${col - (col % b)}:${col - (col % b) + b}] mean`
      setHover(`${where} = [${lanes}]`)
    } else if (level === 0 && !held.data.sample) {
      const flags = px[4 * k + 3]!
      const value = Number.isNaN(px[4 * k + 2]!) ? (flags & 2 ? 'inf' : flags & 4 ? '-inf' : 'nan') : f(px[4 * k + 2]!)
      setHover(`(${row}, ${col}) = ${value}`)
    } else {
      const r0 = row - (row % b)
      const c0 = col - (col % b)
      setHover(
        `[${r0}:${r0 + b}, ${c0}:${c0 + b}] mean ${f(channelValue(px, k, 'mean'))}, min ${f(px[4 * k]!)}, max ${f(px[4 * k + 1]!)}`
      )
    }
  }
  const onPointerUp = (e: React.PointerEvent): void => {
    const d = drag.current
    drag.current = null
    if (d?.moved || !vp.current) return
    const box = canvas.current!.getBoundingClientRect()
    const { row, col } = elementAt(vp.current, e.clientX - box.left, e.clientY - box.top)
    if (row >= 0 && col >= 0 && row < rows && col < cols) props.onPick(row, col)
  }

  const savePng = (): void => {
    canvas.current?.toBlob((blob) => {
      if (!blob) return
      const a = document.createElement('a')
      a.href = URL.createObjectURL(blob)
      a.download = `${session.path.split(/[\\/]/).pop()}-image.png`
      a.click()
      setTimeout(() => URL.revokeObjectURL(a.href), 1000)
    })
  }

  return (
    <div className="image-view">
      <div className="row">
        {rgb && (
          <span className="muted" data-testid="image-rgb">
            RGB{rgb.channels === 4 ? 'A' : ''} from axis {rgb.axis} (block means)
          </span>
        )}
        <label hidden={rgb !== null}>
          colormap
          <select name="colormap" value={colormap} onChange={(e) => setColormap(e.target.value as ColormapName)}>
            {COLORMAPS.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label hidden={rgb !== null}>
          scale
          <select name="scale" value={scale} onChange={(e) => setScale(e.target.value as Scale)}>
            <option value="linear">linear</option>
            <option value="log">log</option>
            <option value="symlog">symlog</option>
            <option value="sqrt">sqrt</option>
          </select>
        </label>
        <label hidden={rgb !== null} title="Which value of each block a pixel shows when zoomed out">
          block
          <select name="reduce" value={channel} onChange={(e) => setChannel(e.target.value as Channel)}>
            <option value="mean">mean</option>
            <option value="max">max</option>
            <option value="min">min</option>
            <option value="extreme">min/max (the extreme)</option>
          </select>
        </label>
        <label title="Square pixels (the array's aspect), or the image stretched to fill the frame">
          fit
          <select
            name="image-fit"
            value={keepAspect ? 'aspect' : 'fill'}
            onChange={(e) => setFitChoice(e.target.value as 'aspect' | 'fill')}
          >
            <option value="aspect">keep aspect</option>
            <option value="fill">fill the frame</option>
          </select>
        </label>
        <button type="button" onClick={savePng} title="Save what is shown as a PNG image">
          PNG
        </button>
      </div>
      <ColourBar
        colormap={rgb ? 'greys' : colormap}
        range={range}
        manual={manual}
        onManual={setManual}
        onAuto={() => {
          setManual(['', ''])
          setAuto(rgb ? rgbQuantileRange(visibleValues(), rgb.channels) : quantileRange(visibleValues(), channel))
        }}
        values={visibleValues}
        channel={channel}
      />
      <div className="image-frame">
        <div className="image-ticks image-ticks-top" ref={topTicks} />
        <div className="image-ticks image-ticks-left" ref={leftTicks} />
        <div className="image-canvas" ref={wrap}>
          <canvas
            ref={canvas}
            width={size.w}
            height={size.h}
            data-testid="image"
            onWheel={onWheel}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerLeave={() => setHover(null)}
          />
        </div>
      </div>
      <div className="muted" data-testid="image-hover">
        {hover ?? 'hover for values · wheel to zoom · drag to pan · click moves the table'}
      </div>
    </div>
  )
}
