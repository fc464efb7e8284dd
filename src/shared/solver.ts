// The layout solver: from a file's size, name and a few samples of its bytes, propose ranked layouts
// (dtype × shape × header offset). Evidence, each scored and explained:
// - a .npy header (certain);
// - ImageJ-style hints in the file name: "_512x512x3", "f32", "uint16", "le"/"be";
// - a text header (printable bytes ending in a newline) whose end is the data offset;
// - plausibility of the values under each dtype and byte order (share of NaN, Inf, denormals, huge values,
//   and how smooth neighbours are — wrong byte orders and wrong types read as noise);
// - for 2-D, the row width: neighbours one row apart correlate in an image or a table, a wrong width shears
//   the rows, so the autocorrelation along the file peaks at the true width.
import type { LayoutSpec } from './layout'
import { parseScalarDType, type ScalarDType, decodeAt } from './dtypes'

export interface Candidate {
  dtype: string
  shape: number[]
  offset: number
  order: 'C' | 'F'
  /** Higher is better; comparable within one proposal. */
  score: number
  reasons: string[]
}

/** Reads bytes of the file (the service maps it; tests pass buffers). */
export type ReadAt = (offset: number, length: number) => Uint8Array

export interface SolverInput {
  fileSize: number
  fileName: string
  read: ReadAt
  /** The layout a .npy header gives, if any. */
  npy?: LayoutSpec | null
}

const DEFAULT_DTYPES = [
  '<f4',
  '>f4',
  '<f8',
  '>f8',
  '<f2',
  '<i2',
  '>i2',
  '<u2',
  '>u2',
  '<i4',
  '>i4',
  'u1',
  '<c8',
  'bfloat16'
]

const NAME_TYPES: [RegExp, string][] = [
  [/(^|[^a-z0-9])(f32|float32|single|real32)([^a-z0-9]|$)/i, 'f4'],
  [/(^|[^a-z0-9])(f64|float64|double|real64)([^a-z0-9]|$)/i, 'f8'],
  [/(^|[^a-z0-9])(f16|float16|half)([^a-z0-9]|$)/i, 'f2'],
  [/(^|[^a-z0-9])(bf16|bfloat16)([^a-z0-9]|$)/i, 'bfloat16'],
  [/(^|[^a-z0-9])(i8|int8)([^a-z0-9]|$)/i, 'i1'],
  [/(^|[^a-z0-9])(u8|uint8|byte)([^a-z0-9]|$)/i, 'u1'],
  [/(^|[^a-z0-9])(i16|int16|short)([^a-z0-9]|$)/i, 'i2'],
  [/(^|[^a-z0-9])(u16|uint16|ushort)([^a-z0-9]|$)/i, 'u2'],
  [/(^|[^a-z0-9])(i32|int32)([^a-z0-9]|$)/i, 'i4'],
  [/(^|[^a-z0-9])(u32|uint32)([^a-z0-9]|$)/i, 'u4'],
  [/(^|[^a-z0-9])(i64|int64)([^a-z0-9]|$)/i, 'i8'],
  [/(^|[^a-z0-9])(c64|complex64)([^a-z0-9]|$)/i, 'c8'],
  [/(^|[^a-z0-9])(c128|complex128)([^a-z0-9]|$)/i, 'c16']
]

export interface NameHints {
  shape: number[] | null
  type: string | null
  order: '<' | '>' | null
}

export function nameHints(fileName: string): NameHints {
  const base = fileName.replace(/^.*[\\/]/, '')
  const dims = /(\d+(?:[x×]\d+)+)/i.exec(base)
  const shape = dims ? dims[1]!.split(/[x×]/i).map(Number) : null
  let type: string | null = null
  for (const [re, t] of NAME_TYPES) if (re.test(base)) type = t
  let order: '<' | '>' | null = null
  if (/(^|[^a-z])(le|little|littleendian)([^a-z]|$)/i.test(base)) order = '<'
  if (/(^|[^a-z])(be|big|bigendian)([^a-z]|$)/i.test(base)) order = '>'
  return { shape, type, order }
}

/** End of a leading text header (printable ASCII lines), or 0. */
export function textHeaderEnd(head: Uint8Array): number {
  let lastNewline = -1
  for (let i = 0; i < head.length; i++) {
    const b = head[i]!
    if (b === 0x0a) lastNewline = i
    else if (!(b === 0x09 || b === 0x0d || (b >= 0x20 && b < 0x7f))) break
  }
  return lastNewline >= 3 ? lastNewline + 1 : 0
}

/** Plausibility of n values read with dt: 1 for clean smooth data, near 0 for noise. */
export function plausibility(dt: ScalarDType, bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const n = Math.floor(bytes.length / dt.itemsize)
  if (n < 4) return 0
  const xs: number[] = []
  const kind = dt.type.kind
  for (let k = 0; k < n; k++) {
    const v = decodeAt(dt, view, k * dt.itemsize)
    const x = Array.isArray(v) ? (v as readonly [number, number])[0] : Number(v)
    if (kind === 'float' || kind === 'complex') {
      const a = Math.abs(x)
      if (!Number.isFinite(x) || (a !== 0 && (a < 1e-30 || a > 1e15))) continue
    }
    xs.push(x)
  }
  const valid = xs.length / n
  if (xs.length < 4) return 0
  // Smoothness: typical neighbour step against the spread of values. Noise gives ~1, smooth data << 1.
  const sorted = [...xs].sort((a, b) => a - b)
  const spread = sorted[Math.floor(sorted.length * 0.95)]! - sorted[Math.floor(sorted.length * 0.05)]!
  if (spread === 0) return valid * (kind === 'float' ? 0.9 : 0.7)
  const rough = roughness(xs)
  return valid * (1 - 0.6 * rough)
}

/** Correlation between values w apart, over the sample (Pearson). */
function lagCorrelation(xs: Float64Array, w: number): number {
  const n = xs.length - w
  if (n < 16) return 0
  let sa = 0
  let sb = 0
  for (let i = 0; i < n; i++) {
    sa += xs[i]!
    sb += xs[i + w]!
  }
  const ma = sa / n
  const mb = sb / n
  let cov = 0
  let va = 0
  let vb = 0
  for (let i = 0; i < n; i++) {
    const a = xs[i]! - ma
    const b = xs[i + w]! - mb
    cov += a * b
    va += a * a
    vb += b * b
  }
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0
}

function divisors(n: number, lo: number, hi: number): number[] {
  const out: number[] = []
  for (let d = 1; d * d <= n; d++) {
    if (n % d !== 0) continue
    if (d >= lo && d <= hi) out.push(d)
    const e = n / d
    if (e !== d && e >= lo && e <= hi) out.push(e)
  }
  return out.sort((a, b) => a - b)
}

function sampleValues(dt: ScalarDType, read: ReadAt, offset: number, count: number, total: number): Float64Array {
  const n = Math.min(count, total)
  // from the middle of the data, where headers and trailers cannot be
  const start = offset + Math.floor((total - n) / 2) * dt.itemsize
  const bytes = read(start, n * dt.itemsize)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Float64Array(n)
  for (let k = 0; k < n; k++) {
    const v = decodeAt(dt, view, k * dt.itemsize)
    const x = Array.isArray(v) ? (v as readonly [number, number])[0] : Number(v)
    out[k] = Number.isFinite(x) ? x : 0
  }
  return out
}

/**
 * Row widths whose lag correlation stands out: [width, strength] best first. At the true width, values one
 * row apart correlate more than values one element further or nearer (a wrong width shears the rows):
 * strength = (c(w) − max(c(w−1), c(w+1))) / (1 − max(…)). Among strong widths the smallest wins (its
 * multiples, two rows at a time, peak too).
 */
export function rowWidths(xs: Float64Array, elements: number, maxWidth = 8192): [number, number][] {
  // Widths under 8 are left to the user: at such lags a wider type read in halves correlates with itself.
  const ws = divisors(elements, 8, Math.min(maxWidth, Math.floor(xs.length / 3)))
  const scored: [number, number][] = []
  for (const w of ws) {
    const c = lagCorrelation(xs, w)
    if (c < 0.2) continue
    const side = Math.max(lagCorrelation(xs, w - 1), lagCorrelation(xs, w + 1))
    const strength = (c - side) / Math.max(1e-9, 1 - Math.max(0, side))
    if (strength > 0.3) scored.push([w, Math.min(1, strength)])
  }
  if (scored.length === 0) return []
  const best = Math.max(...scored.map(([, r]) => r))
  return scored.filter(([, r]) => r >= 0.8 * best).sort((a, b) => a[0] - b[0])
}

const COMMON_HEADERS = [0, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]

/** Priors: what raw scientific dumps usually hold, used to break near-ties. */
function prior(dt: ScalarDType): number {
  const name = dt.type.name
  if (name === 'float32' || name === 'float64') return 0.3
  if (name === 'uint8') return 0.2
  if (name === 'int16' || name === 'uint16') return 0.1
  if (dt.type.kind === 'complex') return -1.5
  if (name === 'float16' || name === 'bfloat16') return -0.3
  return 0
}

function roughness(xs: number[]): number {
  if (xs.length < 4) return 1
  const sorted = [...xs].sort((a, b) => a - b)
  const spread = sorted[Math.floor(sorted.length * 0.95)]! - sorted[Math.floor(sorted.length * 0.05)]!
  if (spread === 0) return 0
  const steps = xs
    .slice(1)
    .map((x, k) => Math.abs(x - xs[k]!))
    .sort((a, b) => a - b)
  return Math.min(1, steps[Math.floor(steps.length / 2)]! / spread)
}

/**
 * Multi-byte integers whose low bytes are as smooth as their high bytes are probably narrower elements
 * read in pairs (bytes of an 8-bit image read as int16): real wide integers have noisy low bytes.
 */
function lowBytePenalty(dt: ScalarDType, bytes: Uint8Array): number {
  if ((dt.type.kind !== 'int' && dt.type.kind !== 'uint') || dt.itemsize < 2) return 0
  const n = Math.floor(bytes.length / dt.itemsize)
  const lsb = dt.littleEndian ? 0 : dt.itemsize - 1
  const low = Array.from({ length: n }, (_, k) => bytes[k * dt.itemsize + lsb]!)
  return roughness(low) < 0.2 ? 1.5 : 0
}

/** Share of the first elements that are outliers against the body (a header read as data). */
function outlierShare(dt: ScalarDType, first: Uint8Array, body: Uint8Array): number {
  const values = (b: Uint8Array): number[] => {
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
    return Array.from({ length: Math.floor(b.length / dt.itemsize) }, (_, k) => {
      const v = decodeAt(dt, view, k * dt.itemsize)
      return Array.isArray(v) ? (v as readonly [number, number])[0] : Number(v)
    })
  }
  const bodyValues = values(body)
    .filter(Number.isFinite)
    .sort((a, b) => a - b)
  if (bodyValues.length < 8) return 0
  const lo = bodyValues[Math.floor(bodyValues.length * 0.01)]!
  const hi = bodyValues[Math.floor(bodyValues.length * 0.99)]!
  const margin = (hi - lo) * 2 + 1e-12
  const head = values(first)
  const float = dt.type.kind === 'float' || dt.type.kind === 'complex'
  const odd = (x: number): boolean =>
    !(x >= lo - margin && x <= hi + margin) || (float && x !== 0 && Math.abs(x) < 1e-30)
  return head.filter(odd).length / Math.max(1, head.length)
}

export function proposeLayouts(input: SolverInput): Candidate[] {
  const { fileSize, read } = input
  const out: Candidate[] = []
  if (input.npy?.shape) {
    out.push({ ...input.npy, shape: input.npy.shape, score: 100, reasons: ['.npy header'] })
  }
  const hints = nameHints(input.fileName)
  const head = read(0, Math.min(fileSize, 4096))
  const textEnd = textHeaderEnd(head)
  let dtypes = DEFAULT_DTYPES
  if (hints.type) {
    const orders = hints.order ? [hints.order] : ['<', '>']
    dtypes = [
      ...new Set(orders.map((o) => (parseScalarDType(hints.type!).itemsize === 1 ? hints.type! : o + hints.type)))
    ]
  } else if (hints.order) {
    dtypes = DEFAULT_DTYPES.filter((d) => !d.startsWith(hints.order === '<' ? '>' : '<'))
  }
  for (const spec of dtypes) {
    const dt = parseScalarDType(spec)
    const isz = dt.itemsize
    const offsets = new Set<number>()
    if (textEnd) offsets.add(textEnd)
    if (hints.shape) {
      const need = hints.shape.reduce((a, b) => a * b, 1) * isz
      if (need <= fileSize) offsets.add(fileSize - need)
    }
    for (const o of COMMON_HEADERS) if (o < fileSize) offsets.add(o)
    for (const offset of offsets) {
      const bytes = fileSize - offset
      if (bytes <= 0 || bytes % isz !== 0) continue
      const n = bytes / isz
      const reasons: string[] = []
      // values: a sample from the body, and the first elements right after the offset
      const body = read(
        offset + Math.floor(n / 2) * isz - Math.min(Math.floor(n / 2), 2048) * isz,
        Math.min(n, 4096) * isz
      )
      let score = plausibility(dt, body) * 10
      reasons.push(`values look ${score > 7 ? 'plausible' : score > 4 ? 'possible' : 'like noise'} as ${dt.str}`)
      const outliers = outlierShare(dt, read(offset, Math.min(n, 16) * isz), body)
      if (outliers > 0.2) {
        score -= 3 * outliers
        reasons.push('the first elements look like a header')
      }
      score += prior(dt)
      // A type too narrow for the data (float64 read as float16) repeats a pattern every k elements:
      // values k apart correlate more than neighbours do.
      const xs = sampleValues(dt, read, offset, 4096, n)
      const c1 = lagCorrelation(xs, 1)
      const period = [2, 4, 8].find((k) => lagCorrelation(xs, k) > c1 + 0.3)
      if (period) {
        score -= 2
        reasons.push(`a pattern repeats every ${period} elements: a wider type?`)
      }
      const lowBytes = lowBytePenalty(dt, body)
      if (lowBytes) {
        score -= lowBytes
        reasons.push('low bytes as smooth as high bytes: narrower elements?')
      }
      if (offset !== 0) score -= offset === textEnd ? 0 : 0.2 + offset / 1e5
      if (offset === textEnd && textEnd) {
        score += 1.5
        reasons.push(`text header of ${textEnd} bytes`)
      }
      if (hints.type) {
        score += 2
        reasons.push('type named in the file name')
      }
      let shape: number[] = [n]
      if (hints.shape && hints.shape.reduce((a, b) => a * b, 1) === n) {
        shape = hints.shape
        score += 3
        reasons.push(`shape ${hints.shape.join('×')} from the file name`)
      }
      out.push({ dtype: dt.str, shape, offset, order: 'C', score, reasons })
    }
  }
  out.sort((a, b) => b.score - a.score)
  // Row widths for the best dozen only: the autocorrelation scan is the expensive part.
  for (const c of out.slice(0, 12)) {
    if (c.shape.length !== 1 || c.shape[0]! < 64 || c.reasons[0] === '.npy header') continue
    const dt = parseScalarDType(c.dtype)
    const n = c.shape[0]!
    const widths = rowWidths(sampleValues(dt, read, c.offset, 8192, n), n)
    if (widths.length) {
      const [w, r] = widths[0]!
      c.shape = [n / w, w]
      c.score += 2 * r
      c.reasons.push(`rows of ${w} (neighbouring rows correlate, r=${r.toFixed(2)})`)
    }
  }
  for (const c of out) c.score = Math.round(c.score * 100) / 100
  out.sort((a, b) => b.score - a.score)
  const seen = new Set<string>()
  return out
    .filter((c) => {
      const key = `${c.dtype}|${c.shape}|${c.offset}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    .slice(0, 12)
}
