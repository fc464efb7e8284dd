// The layout solver: from a file's size, name and a few samples of its bytes, propose ranked layouts
// (dtype × shape × header offset). Evidence, each scored and explained:
// - a .npy header (certain);
// - ImageJ-style hints in the file name: "_512x512x3", "f32", "uint16", "le"/"be";
// - a text header (printable bytes ending in a newline) whose end is the data offset;
// - plausibility of the values under each dtype and byte order (share of NaN, Inf, denormals, huge values,
//   and how smooth neighbours are — wrong byte orders and wrong types read as noise);
// - for 2-D, the row width: neighbours one row apart correlate in an image or a table, a wrong width shears
//   the rows, so the autocorrelation along the file peaks at the true width (solver-shapes.ts measures it
//   across the whole file, finds interleaved RGB/RGBA channels, and offers square shapes when rows say nothing).
import type { LayoutSpec, TextLayout } from './layout'
import { proposeText } from './solver-text'
import { parseScalarDType, type ScalarDType, decodeAt } from './dtypes'
import {
  hintedImage,
  interleavedChannels,
  lagCorrelation,
  namedChannels,
  sparseRowWidth,
  squarishShapes
} from './solver-shapes'
import {
  alternatingHalves,
  byteOrderEvidence,
  float32Pairs,
  floatBits,
  headerShare,
  lowBytePenalty,
  plausibility,
  prior
} from './solver-evidence'

export { plausibility }

export interface Candidate {
  dtype: string
  shape: number[]
  offset: number
  order: 'C' | 'F'
  /** Higher is better; comparable within one proposal. */
  score: number
  reasons: string[]
  /** A text array's separator and rows (solver-text.ts); absent for bytes. */
  text?: TextLayout
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
  return { shape, type, order: orderHint(base) }
}

/**
 * A byte order named in text: "le"/"be" as a word, or "little"/"big" only when followed by "endian" ("big" alone
 * is an ordinary word: big_volume.raw says nothing about byte order).
 */
function orderHint(text: string): '<' | '>' | null {
  if (/(^|[^a-z])(le|little[-_ ]?endian)([^a-z]|$)/i.test(text)) return '<'
  if (/(^|[^a-z])(be|big[-_ ]?endian)([^a-z]|$)/i.test(text)) return '>'
  return null
}

/** What a leading text header says: "shape=256,512,512" (or dims/size, with , x × or spaces), a type, an order. */
export function headerHints(text: string): NameHints {
  const m = /\b(shape|dims|dimensions|size)\s*[=:]\s*[([]?\s*(\d+(?:\s*[,x×\s]\s*\d+)+)/i.exec(text)
  const shape = m
    ? m[2]!
        .split(/[,x×\s]+/)
        .filter(Boolean)
        .map(Number)
    : null
  let type: string | null = null
  for (const [re, t] of NAME_TYPES) if (re.test(text)) type = t
  return { shape: shape && shape.every((d) => d > 0) ? shape : null, type, order: orderHint(text) }
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

const COMMON_HEADERS = [0, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]

/**
 * The shape dimensions named in a file name or a header give, for n elements: the dimensions, after a count
 * of frames when they fill the file several times over. Two dimensions from a name may be written width ×
 * height (ImageJ, cameras: frames_640x480): the data decides, the true row width correlating more (xs given).
 */
function hintedShape(dims: number[], n: number, xs: Float64Array | null): number[] | null {
  const size = dims.reduce((a, b) => a * b, 1)
  if (size === 0 || n % size !== 0) return null
  let shape = dims
  if (xs && dims.length === 2 && dims[0] !== dims[1]) {
    const asWritten = lagCorrelation(xs, dims[1]!)
    const swapped = lagCorrelation(xs, dims[0]!)
    if (swapped > asWritten + 0.05) shape = [dims[1]!, dims[0]!]
  }
  return n === size ? shape : [n / size, ...shape]
}

export function proposeLayouts(input: SolverInput): Candidate[] {
  const { fileSize, read } = input
  const out: Candidate[] = []
  if (input.npy?.shape) {
    out.push({ ...input.npy, shape: input.npy.shape, score: 100, reasons: ['.npy header'] })
  }
  // a file of printable lines of numbers is a text array: read as text first, as bytes after
  const TEXT_HEAD = 65536
  const text = input.npy
    ? null
    : proposeText(read(0, Math.min(fileSize, TEXT_HEAD)), input.fileName, fileSize > TEXT_HEAD)
  if (text) out.push(text)
  const head = read(0, Math.min(fileSize, 4096))
  const textEnd = textHeaderEnd(head)
  // a text header's own words (shape=256,512,512, float32, big-endian) count over the file name's
  const named = nameHints(input.fileName)
  const told = textEnd ? headerHints(String.fromCharCode(...head.subarray(0, textEnd))) : null
  const hints: NameHints = {
    shape: told?.shape ?? named.shape,
    type: told?.type ?? named.type,
    order: told?.order ?? named.order
  }
  const source = (what: keyof NameHints): string => (told?.[what] ? 'the text header' : 'the file name')
  // A named byte order is evidence, not a filter: the bytes themselves are checked under both orders.
  let dtypes = DEFAULT_DTYPES
  if (hints.type) {
    dtypes = [
      ...new Set(['<', '>'].map((o) => (parseScalarDType(hints.type!).itemsize === 1 ? hints.type! : o + hints.type)))
    ]
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
    // Whether the file's first elements read as data: then a binary header of a guessed size is unlikely.
    let headerless = false
    for (const offset of [...offsets].sort((a, b) => a - b)) {
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
      const outliers = headerShare(dt, read, offset, n, body)
      if (offset === 0) headerless = outliers <= 0.2
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
      const order = byteOrderEvidence(dt, body)
      if (order) {
        score += 1.5 * order
        reasons.push(
          order > 0
            ? 'the most significant bytes vary less than the least (byte order fits)'
            : 'the least significant bytes vary less than the most: the other byte order?'
        )
      }
      if (alternatingHalves(dt, body)) {
        score -= 3
        reasons.push('neighbouring elements alternate in character: halves of a wider type?')
      }
      if (floatBits(dt, body)) {
        score -= 3
        reasons.push('the integers are bit patterns of ordinary floats: a float type?')
      }
      if (float32Pairs(dt, body)) {
        score -= 4
        reasons.push('each half of every element reads as a plausible float32: pairs of float32?')
      }
      if (offset !== 0) score -= offset === textEnd ? 0 : 0.2 + offset / 1e5 + (headerless ? 1 : 0)
      if (offset === textEnd && textEnd) {
        score += 1.5
        reasons.push(`text header of ${textEnd} bytes`)
      }
      if (hints.type) {
        score += 2
        reasons.push(`type named in ${source('type')}`)
      }
      if (hints.order && isz > 1 && dt.str[0] === hints.order) {
        score += 1.5
        reasons.push(`byte order named in ${source('order')}`)
      }
      let shape: number[] = [n]
      const hinted = hints.shape ? hintedShape(hints.shape, n, told?.shape ? null : xs) : null
      // Two named dimensions filling the file 3 or 4 times over are an image whose pixels hold that many
      // channels, interleaved when the name says rgb/rgba or the bytes show it, else planes (3, H, W).
      const planes = hinted && hints.shape!.length === 2 ? hinted[0]! : 0
      let interleaved = false
      if (hinted && hinted.length === 3 && (planes === 3 || planes === 4)) {
        if (namedChannels(input.fileName) === planes || interleavedChannels(xs) === planes) {
          const dims = hints.shape as [number, number]
          hinted.splice(0, 3, ...hintedImage({ dt, read, offset, n }, dims, planes))
          interleaved = true
          reasons.push(`pixels of ${planes} interleaved channels`)
        }
      }
      // "768x512x3" names the channels too: which of the two others is the row is measured as above
      const named = hints.shape ?? []
      if (hinted && !told?.shape && named.length === 3 && hinted.length === 3 && (named[2] === 3 || named[2] === 4)) {
        hinted.splice(0, 3, ...hintedImage({ dt, read, offset, n }, [named[0]!, named[1]!], named[2]))
      }
      if (hinted) {
        shape = hinted
        score += 3
        reasons.push(
          `shape ${hints.shape!.join('×')} from ${source('shape')}${hinted.length > hints.shape!.length && !interleaved ? ` (${hinted[0]} of them)` : ''}`
        )
      }
      out.push({ dtype: dt.str, shape, offset, order: 'C', score, reasons })
    }
  }
  out.sort((a, b) => b.score - a.score)
  // Row widths for the best dozen only: the autocorrelation scan is the expensive part.
  const extra: Candidate[] = []
  for (const c of out.slice(0, 12)) {
    if (c.shape.length !== 1 || c.shape[0]! < 64 || c.reasons[0] === '.npy header') continue
    const dt = parseScalarDType(c.dtype)
    const n = c.shape[0]!
    const xs = sampleValues(dt, read, c.offset, 8192, n)
    const channels = dt.itemsize <= 2 ? interleavedChannels(xs) : 0
    const found = sparseRowWidth({ dt, read, offset: c.offset, n }, channels || 1)
    if (found) {
      const { width: w, strength: r } = found
      const why =
        found.by === 'shear'
          ? `values one row apart agree, strength ${r.toFixed(2)}`
          : `${Math.round(r * 100)}% of the row ends jump: the rows meet at a seam`
      if (channels) {
        c.shape = [n / w, w / channels, channels]
        c.score += 2 * r + 1
        c.reasons.push(`pixels of ${channels} interleaved channels, rows of ${w / channels} pixels (${why})`)
      } else {
        c.shape = [n / w, w]
        c.score += 2 * r
        c.reasons.push(`rows of ${w} (${why})`)
      }
    } else {
      // Nothing in the bytes tells the rows (noise): a square is the likeliest 2-D shape of a dump that size,
      // offered beside the 1-D reading.
      for (const s of c.offset === textEnd && extra.length < 4 ? squarishShapes(n) : []) {
        const square = s[0] === s[1]
        extra.push({
          ...c,
          shape: s,
          score: c.score + (square ? 0.3 : 0.1),
          reasons: [
            ...c.reasons,
            `${square ? 'square' : 'near-square'} ${s.join('×')}: the rows show no structure to measure`
          ]
        })
      }
    }
  }
  out.push(...extra)
  for (const c of out) c.score = Math.round(c.score * 100) / 100
  out.sort((a, b) => b.score - a.score)
  const seen = new Set<string>()
  return out
    .filter((c) => {
      const key = `${c.dtype}|${c.shape}|${c.offset}|${c.text?.sep}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    .slice(0, 12)
}
