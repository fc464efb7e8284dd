// Colour is the renderer's job: tile values (min, max, mean and flags per pixel, as the Node side reduced
// them) become RGBA here, through a scale (linear, log, symlog, sqrt) over a range and a colormap lookup
// table. Changing any of these recolours the values already held; nothing is requested again.
import { lut, type ColormapName } from './colormaps'

export type Scale = 'linear' | 'log' | 'symlog' | 'sqrt'
/** Which value of a pixel's block: its mean, min, max, or the extreme (whichever is farther from the mean). */
export type Channel = 'mean' | 'min' | 'max' | 'extreme'

export interface Shading {
  /** RGB(A): each pixel's 4 lanes are the channels' block means, mapped from [lo, hi] to 0–255 (no colormap). */
  rgb?: boolean
  colormap: ColormapName
  scale: Scale
  channel: Channel
  lo: number
  hi: number
  /** Packed RGBA for blocks of only NaN, for +Inf / -Inf, and for values a log scale cannot show (≤ 0). */
  nan: number
  posinf: number
  neginf: number
  below: number
}

export function shadingKey(s: Shading): string {
  return `${s.rgb ? 'rgb' : ''}|${s.colormap}|${s.scale}|${s.channel}|${s.lo}|${s.hi}|${s.nan}|${s.posinf}|${s.neginf}|${s.below}`
}

/** Pixel k's value for a channel (NaN when its block has no finite element). */
export function channelValue(px: Float32Array, k: number, channel: Channel): number {
  const o = 4 * k
  if (channel === 'mean') return px[o + 2]!
  if (channel === 'min') return px[o]!
  if (channel === 'max') return px[o + 1]!
  const mn = px[o]!
  const mx = px[o + 1]!
  const mean = px[o + 2]!
  return mx - mean >= mean - mn ? mx : mn
}

/** The scale's transform of x (NaN where it is undefined: log of x ≤ 0). */
export function transform(scale: Scale, x: number, lo: number, hi: number): number {
  switch (scale) {
    case 'linear':
      return x
    case 'sqrt':
      return Math.sqrt(Math.max(0, x - lo))
    case 'log':
      return x > 0 ? Math.log10(x) : NaN
    case 'symlog': {
      const c = Math.max(Math.abs(lo), Math.abs(hi)) * 1e-3 || 1
      return Math.sign(x) * Math.log10(1 + Math.abs(x) / c)
    }
  }
}

/** RGB(A) pixels: lanes 0–2 (3 with alpha; NaN: opaque) scaled from [lo, hi]; a NaN colour channel: s.nan. */
function shadeRgb(px: Float32Array, out: Uint32Array, s: Shading): void {
  const scale = s.hi > s.lo ? 255 / (s.hi - s.lo) : 0
  const byte = (x: number): number => {
    const v = ((x - s.lo) * scale) | 0
    return v < 0 ? 0 : v > 255 ? 255 : v
  }
  for (let k = 0; k < out.length; k++) {
    const o = 4 * k
    const r = px[o]!
    const g = px[o + 1]!
    const b = px[o + 2]!
    const a = px[o + 3]!
    if (r !== r || g !== g || b !== b) {
      out[k] = s.nan
      continue
    }
    out[k] = ((a === a ? byte(a) : 255) << 24) | (byte(b) << 16) | (byte(g) << 8) | byte(r)
  }
}

/** Writes the colours of a tile's pixels (rows × cols) into out. */
export function shadeTile(px: Float32Array, out: Uint32Array, s: Shading): void {
  if (s.rgb) return shadeRgb(px, out, s)
  const table = lut(s.colormap)
  const f0 = transform(s.scale, s.lo, s.lo, s.hi)
  const f1 = transform(s.scale, s.hi, s.lo, s.hi)
  const span = f1 - f0
  const inv = span > 0 && Number.isFinite(span) ? 255 / span : 0
  const n = out.length
  const linear = s.scale === 'linear'
  for (let k = 0; k < n; k++) {
    const v = channelValue(px, k, s.channel)
    if (v !== v) {
      // no finite element: say which special the block holds
      const flags = px[4 * k + 3]!
      out[k] = flags & 2 ? s.posinf : flags & 4 ? s.neginf : s.nan
      continue
    }
    const t = linear ? v : transform(s.scale, v, s.lo, s.hi)
    if (t !== t) {
      out[k] = s.below
      continue
    }
    let i = ((t - f0) * inv) | 0
    i = i < 0 ? 0 : i > 255 ? 255 : i
    out[k] = table[i]!
  }
}

/** The q0 and q1 quantiles of the values held (a 1024-bin histogram between their min and max). */
export function quantileRange(
  tiles: Iterable<Float32Array>,
  channel: Channel,
  q0 = 0.01,
  q1 = 0.99
): [number, number] | null {
  let lo = Infinity
  let hi = -Infinity
  const all: Float32Array[] = []
  for (const px of tiles) {
    all.push(px)
    for (let k = 0; k < px.length / 4; k++) {
      const v = channelValue(px, k, channel)
      if (v === v) {
        if (v < lo) lo = v
        if (v > hi) hi = v
      }
    }
  }
  if (!(lo <= hi)) return null
  if (lo === hi) return [lo - 0.5, hi + 0.5]
  const bins = new Float64Array(1024)
  let total = 0
  const scale = 1024 / (hi - lo)
  for (const px of all) {
    for (let k = 0; k < px.length / 4; k++) {
      const v = channelValue(px, k, channel)
      if (v === v) {
        bins[Math.min(1023, ((v - lo) * scale) | 0)]!++
        total++
      }
    }
  }
  const at = (q: number): number => {
    let acc = 0
    for (let b = 0; b < 1024; b++) {
      acc += bins[b]!
      if (acc >= q * total) return lo + (b + (q < 0.5 ? 0 : 1)) / scale
    }
    return hi
  }
  const a = at(q0)
  const b = at(q1)
  return a < b ? [a, b] : [lo, hi]
}

/** Counts of the values held in `bins` equal bins over [lo, hi] (the colour bar's histogram). */
export function histogram(
  tiles: Iterable<Float32Array>,
  channel: Channel,
  lo: number,
  hi: number,
  bins: number
): number[] {
  const out = new Array<number>(bins).fill(0)
  if (!(hi > lo)) return out
  const scale = bins / (hi - lo)
  for (const px of tiles) {
    for (let k = 0; k < px.length / 4; k++) {
      const v = channelValue(px, k, channel)
      if (v >= lo && v <= hi) out[Math.min(bins - 1, ((v - lo) * scale) | 0)]!++
    }
  }
  return out
}

/** The q0 and q1 quantiles over the colour lanes of RGB(A) tiles (every channel's block means together). */
export function rgbQuantileRange(
  tiles: Iterable<Float32Array>,
  channels: number,
  q0 = 0.01,
  q1 = 0.99
): [number, number] | null {
  const lanes: Float32Array[] = []
  for (const px of tiles) {
    for (let c = 0; c < Math.min(3, channels); c++) {
      const one = new Float32Array(px.length).fill(NaN)
      for (let k = 0; k < px.length / 4; k++) one[4 * k + 2] = px[4 * k + c]!
      lanes.push(one)
    }
  }
  return quantileRange(lanes, 'mean', q0, q1)
}
