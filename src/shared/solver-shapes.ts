// Shapes for the layout solver: row widths measured across the whole file, interleaved image channels, and
// 2-D fallbacks from the size's factorisations. Split from solver.ts, which scores dtypes and offsets.
//
// Why sparse probes: a dense sample from the middle of the file spans only a few thousand elements, so a row
// of 8192 or 65536 float32 never fits in it twice and such dumps were offered only as 1-D. Here the values one
// candidate row apart are read as pairs of short runs spread over the file, so any row width can be measured.
import { decodeAt, type ScalarDType } from './dtypes'

/** Reads bytes of the file (the service maps it; tests read files). */
export type ReadAt = (offset: number, length: number) => Uint8Array

/** Where the elements are: the data starts at `offset` and holds `n` elements of `dt`. */
export interface DataRegion {
  dt: ScalarDType
  read: ReadAt
  offset: number
  n: number
}

const PROBES = 48
const RUN = 48

function values(r: DataRegion, start: number, count: number): Float64Array {
  const bytes = r.read(r.offset + start * r.dt.itemsize, count * r.dt.itemsize)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const m = Math.floor(bytes.length / r.dt.itemsize)
  const out = new Float64Array(m)
  for (let k = 0; k < m; k++) {
    const v = decodeAt(r.dt, view, k * r.dt.itemsize)
    const x = Array.isArray(v) ? (v as readonly [number, number])[0] : Number(v)
    out[k] = Number.isFinite(x) ? x : 0
  }
  return out
}

/** The middle value (the mean of the middle two). */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/**
 * Mean squared difference of values `lag` apart, for lag = w − step, w, w + step: the median over short runs
 * spread through the file. Differences, not correlations: in smooth data every lag near a row correlates close
 * to 1, while the difference one row down stays clearly smaller than one row down and one pixel across.
 * The runs start at golden-ratio fractions of the file, so their columns spread over the row whatever the
 * sizes (evenly spaced runs in a power-of-two file all sat at the end of a row), and the median ignores the
 * few runs that cross a row's end, where one shear pairs the last column with the next row's first.
 */
export function probeDifferences(r: DataRegion, w: number, step: number): [number, number, number] {
  const span = r.n - w - step - RUN
  if (span < 0) return [0, 0, 0]
  const per: [number[], number[], number[]] = [[], [], []]
  for (let p = 0; p < PROBES; p++) {
    const start = Math.floor(span * ((p * 0.6180339887498949 + 0.5 / PROBES) % 1))
    const a = values(r, start, RUN)
    const b = values(r, start + w - step, RUN + 2 * step)
    if (a.length < RUN || b.length < RUN + 2 * step) continue
    for (let j = 0; j < 3; j++) {
      let d = 0
      for (let i = 0; i < RUN; i++) d += (b[i + j * step]! - a[i]!) ** 2
      per[j]!.push(d / RUN)
    }
  }
  if (per[0].length === 0) return [0, 0, 0]
  return [median(per[0]), median(per[1]), median(per[2])]
}

export function divisors(n: number, lo: number, hi: number): number[] {
  const out: number[] = []
  for (let d = 1; d * d <= n; d++) {
    if (n % d !== 0) continue
    if (d >= lo && d <= hi) out.push(d)
    const e = n / d
    if (e !== d && e >= lo && e <= hi) out.push(e)
  }
  return out.sort((a, b) => a - b)
}

/** A row width found, and by which evidence. */
export interface RowWidth {
  width: number
  /** 0…1: the shear strength, or the share of row ends that jump. */
  strength: number
  by: 'shear' | 'seam'
}

/** Mean squared difference of neighbouring pixels (values `step` apart) over runs spread through the file. */
function neighbourDifference(r: DataRegion, step: number): number {
  let d = 0
  let count = 0
  for (let p = 0; p < PROBES; p++) {
    const start = Math.floor(Math.max(0, r.n - RUN - step) * ((p * 0.6180339887498949 + 0.5 / PROBES) % 1))
    const v = values(r, start, RUN + step)
    for (let i = step; i < v.length; i++) {
      d += (v[i]! - v[i - step]!) ** 2
      count++
    }
  }
  return count ? d / count : 0
}

/**
 * Share of row ends (the last pixel of a row against the first of the next) that jump far more than neighbours
 * do (9× their mean squared difference): in smooth data the rows meet at seams, whatever the direction of its
 * gradients. White noise: a few in a thousand. Half a row width finds half the seams; two rows all of them.
 */
function seamShare(r: DataRegion, w: number, step: number, typical: number): number {
  const rows = Math.floor(r.n / w)
  if (rows < 3 || !(typical > 0)) return 0
  let big = 0
  let count = 0
  for (let p = 0; p < PROBES; p++) {
    const k = 1 + Math.floor((rows - 1) * ((p * 0.6180339887498949 + 0.5 / PROBES) % 1))
    const v = values(r, k * w - step, 2 * step)
    if (v.length < 2 * step) continue
    let d = 0
    for (let c = 0; c < step; c++) d += (v[step + c]! - v[c]!) ** 2
    count++
    if (d / step > 9 * typical) big++
  }
  return count ? big / count : 0
}

/** The smallest of the widths whose strength is near the best (a multiple of the row width scores as well). */
function smallestStrong(scored: RowWidth[], share: number): RowWidth | null {
  if (scored.length === 0) return null
  const best = Math.max(...scored.map((x) => x.strength))
  return scored.filter((x) => x.strength >= share * best).sort((a, b) => a.width - b.width)[0]!
}

/**
 * The row width (in elements), or null. `step` is the pixel size in elements (the channel count of an
 * interleaved image). Two kinds of evidence:
 * - shear: values one row apart differ less than values one row and one pixel across, either way (a wrong
 *   width shears the rows); noise gives strengths of a few hundredths either way;
 * - seams: for smooth data whose rows differ more from each other than neighbours within a row do (the shear
 *   then changes little), the jumps where one row ends and the next begins.
 * The shear decides when it finds a width; the seams otherwise.
 */
export function sparseRowWidth(r: DataRegion, step = 1): RowWidth | null {
  const shear: RowWidth[] = []
  const seams: RowWidth[] = []
  const typical = neighbourDifference(r, step)
  for (const w of divisors(r.n, 8 * step, Math.floor(r.n / 2))) {
    if (w % step !== 0) continue
    const [before, at, after] = probeDifferences(r, w, step)
    // against the mean of both shears: in a smooth field the two errors cannot both be small (a diagonal
    // gradient makes one shear nearly as good as the true row, never both)
    const side = (before + after) / 2
    if (side > 0) {
      const strength = 1 - at / side
      if (strength > 0.1) shear.push({ width: w, strength: Math.min(1, strength), by: 'shear' })
    }
    const seam = seamShare(r, w, step, typical)
    if (seam >= 0.5) seams.push({ width: w, strength: seam, by: 'seam' })
  }
  // 0.7: a periodic pattern can make a wrong, smaller width nearly as good (sin(x / 15) over rows of 333: a
  // shift of 240 is one row down and one period back), two rows at a time fall well under
  return smallestStrong(shear, 0.7) ?? smallestStrong(seams, 0.8)
}

/** Pearson correlation of values `lag` apart in a dense sample. */
export function lagCorrelation(xs: Float64Array, lag: number): number {
  const n = xs.length - lag
  if (n < 16) return 0
  let sa = 0
  let sb = 0
  for (let i = 0; i < n; i++) {
    sa += xs[i]!
    sb += xs[i + lag]!
  }
  const ma = sa / n
  const mb = sb / n
  let cov = 0
  let va = 0
  let vb = 0
  for (let i = 0; i < n; i++) {
    const a = xs[i]! - ma
    const b = xs[i + lag]! - mb
    cov += a * b
    va += a * a
    vb += b * b
  }
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0
}

/** Mean squared difference of values `lag` apart in a dense sample. */
function lagDifference(xs: Float64Array, lag: number): number {
  let d = 0
  for (let i = lag; i < xs.length; i++) d += (xs[i]! - xs[i - lag]!) ** 2
  return d / Math.max(1, xs.length - lag)
}

/**
 * Interleaved channels (RGB, RGBA pixels): a value is closer to the same channel of the next pixel, C elements
 * on, than to the values C − 1 and C + 1 on (other channels). Differences, not correlations: a photo's channels
 * follow one brightness, so every short lag correlates well. 3 or 4, or 0 when neither stands out.
 */
export function interleavedChannels(xs: Float64Array): number {
  let best = 0
  let bestStrength = 0.3
  for (const c of [3, 4]) {
    const side = lagDifference(xs, c - 1) + lagDifference(xs, c + 1)
    if (!(side > 0)) continue
    const strength = 1 - (2 * lagDifference(xs, c)) / side
    if (strength > bestStrength) {
      best = c
      bestStrength = strength
    }
  }
  return best
}

/** "rgb", "rgba", "bgr"… in a file name: the channel count it names, or 0. */
export function namedChannels(fileName: string): number {
  const base = fileName.replace(/^.*[\\/]/, '')
  if (/(^|[^a-z])(rgba|bgra|argb|abgr)([^a-z]|$)/i.test(base)) return 4
  if (/(^|[^a-z])(rgb|bgr)([^a-z]|$)/i.test(base)) return 3
  return 0
}

/**
 * Two dimensions named with `channels` interleaved: (rows, columns, channels). Names say "WxH" (cameras,
 * ImageJ) as often as "HxW", so both are measured — the row width whose rows correlate more wins.
 */
export function hintedImage(r: DataRegion, dims: [number, number], channels: number): number[] {
  const [a, b] = dims
  if (a === b) return [a, b, channels]
  const score = (cols: number): number => {
    const [before, at, after] = probeDifferences(r, cols * channels, channels)
    return 1 - (2 * at) / Math.max(1e-300, before + after)
  }
  // as written unless the rows clearly say otherwise (noise scores a few hundredths either way)
  return score(a) > score(b) + 0.05 ? [b, a, channels] : [a, b, channels]
}

/**
 * 2-D shapes for data with no measurable rows (noise, or rows too short to tell): a square when the size is
 * one, else the two nearest-square factorisations. Offered beside the 1-D reading, never instead of it.
 */
export function squarishShapes(n: number): number[][] {
  // a small file is read whole as easily in 1-D: a 64-byte file is no 8×8 image for want of evidence
  if (n < 4096) return []
  const root = Math.floor(Math.sqrt(n))
  if (root * root === n) return [[root, root]]
  const below = divisors(n, 8, root).pop()
  if (below === undefined || below * 4 < root) return []
  return [
    [below, n / below],
    [n / below, below]
  ]
}
