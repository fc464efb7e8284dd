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
import { packHex, type ColormapName } from './colormaps'
import { ColourBar } from './colour-bar'
import { hoverText } from './hover-text'
import { ImageControls } from './image-controls'
import { freshStats, type ImageStats } from './image-stats'
import { drawTicks } from './image-ticks'
import { quantileRange, rgbQuantileRange, type Channel, type Scale, type Shading } from './shade'
import { tileFetcher } from './tile-fetch'
import { TILE, TileSet } from './tile-set'
import { aspectFits, elementAt, fit, levelFor, maxLevelFor, pan, visibleTiles, zoom, type Viewport } from './viewport'

/** Tiles of blocks this large (a tile reads 4^level × 65536 elements: 64 MiB of float32 at level 4) are
 * previewed before their exact reduction arrives, when nothing coarser is held: by the sampled tile (one element
 * per pixel) PREVIEW_UP levels coarser, one sampled tile standing in for up to 16 (each costs 65536 scattered
 * reads: 16 of them delayed the first exact overview of a warm 1 GiB view by ~60 ms). */
const PREVIEW_LEVEL = 4
const PREVIEW_UP = 2

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

  const tiles = useMemo(
    () => new TileSet(tileFetcher(session.session, props.scope, props.transpose, rgb), schedule),
    [scopeKey] // eslint-disable-line react-hooks/exhaustive-deps
  )

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
    drawTicks(topTicks.current, leftTicks.current, v, rows, cols, size)
  }
  // the latest draw (its closure sees this render's state) is what the next animation frame runs
  useLayoutEffect(() => {
    drawRef.current = draw
  })

  // the axes' tick labels (image-ticks.ts)
  const topTicks = useRef<HTMLDivElement>(null)
  const leftTicks = useRef<HTMLDivElement>(null)
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
    setHover(hoverText(tiles.get(level, Math.floor(row / span), Math.floor(col / span))?.data, level, row, col, rgb))
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
      <ImageControls
        rgb={rgb}
        colormap={colormap}
        onColormap={setColormap}
        scale={scale}
        onScale={setScale}
        channel={channel}
        onChannel={setChannel}
        keepAspect={keepAspect}
        onFit={setFitChoice}
        onSavePng={savePng}
      />
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
