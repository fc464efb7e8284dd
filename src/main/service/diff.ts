// Compare two arrays of any size: one native pass over two mappings (np.isclose's rule, assert_allclose's
// figures), or, for files without a layout, their bytes as `cmp -l` compares them.
import { ApiError } from '../../shared/contract'
import { formatShape } from '../../shared/layout'
import type { ArrayView } from '../../shared/slice'
import { decodeValue, type Value } from '../../shared/structured'
import type { Mapping, NativeDiff } from './native'
import type { ByteSource } from './dequant-source'
import { ScanJob, scanView, sourceView, type ScanSource } from './scan'

export interface DiffOptions {
  /** numpy.testing.assert_allclose's defaults: rtol 1e-7, atol 0, equal_nan true. */
  rtol?: number
  atol?: number
  equalNan?: boolean
  /** How many of the first mismatches (in C order) to report; default 10. */
  max?: number
  /** A block map of the mismatches over (all axes but the last) × (the last axis), at most this size. */
  map?: { rows: number; cols: number }
  /** The map also gives, per block, the max |a - b|, the mean a - b and the max ULP distance. */
  mapValues?: boolean
  /** Only mismatches with after < C index < before are listed; last: the last ones before `before`. */
  after?: number
  before?: number
  last?: boolean
  onProgress?: (done: number, total: number) => void
  /** What a shape mismatch's message advises (the CLI's by default: slice one side with --slice). */
  sameShapeHint?: string
}

export interface DiffMismatch {
  index: number[]
  a: Value
  b: Value
}

export interface DiffReport {
  shape: number[]
  total: number
  mismatched: number
  /** Violations where A or B is NaN, and (apart from those) where one is ±Inf. */
  nanMismatched: number
  infMismatched: number
  /** max |a - b| and max |a - b| / |b| (b ≠ 0) among the violations, in float64; null when none. */
  maxAbsDiff: number | null
  maxRelDiff: number | null
  maxAbsIndex: number[] | null
  maxRelIndex: number[] | null
  mismatches: DiffMismatch[]
  /** |a - b| of every pair by binary exponent: counts[k] has 2^(firstExponent + k) <= |a - b| < 2^(… + 1). */
  histogram: { firstExponent: number; counts: number[]; equal: number; nonFinite: number }
  map?: { rows: number; cols: number; counts: number[]; abs?: number[]; mean?: number[]; ulp?: number[] }
}

/** The N-D index (C order) of flat element i of a shape. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(0)
  for (let k = shape.length - 1; k >= 0; k--) {
    out[k] = i % shape[k]!
    i = Math.floor(i / shape[k]!)
  }
  return out
}

/** The value of the element at an N-D index of a view, read from its mapping. */
export function elementAt(mapping: ByteSource, view: ArrayView, index: readonly number[]): Value {
  let offset = view.offset
  index.forEach((i, k) => (offset += i * view.strides[k]!))
  const bytes = new Uint8Array(view.dtype.itemsize)
  mapping.read(offset, bytes)
  return decodeValue(view.dtype, new DataView(bytes.buffer), 0)
}

/** A side of a diff: a view of what a mapping holds (for a quantized tensor, where its blocks are). */
export type DiffSide = ScanSource & {
  view: ArrayView
  /** Where element values are read (a quantized tensor's dequantization); the mapping by default. */
  source?: ByteSource
}

export function runDiff(a: DiffSide, b: DiffSide, options: DiffOptions = {}): ScanJob<DiffReport> {
  const shapeA = a.view.shape
  const shapeB = b.view.shape
  if (shapeA.length !== shapeB.length || shapeA.some((n, k) => n !== shapeB[k])) {
    throw new ApiError(
      'bad-request',
      `shape mismatch: A has shape ${formatShape(shapeA)}, B has shape ${formatShape(shapeB)} (${options.sameShapeHint ?? 'compare the same shapes, or slice one with --slice'})`
    )
  }
  const what = (side: DiffSide, name: string): ReturnType<typeof sourceView> => {
    try {
      scanView(side.view)
    } catch {
      throw new ApiError(
        'bad-request',
        `a diff compares real numbers; ${name} is ${side.view.dtype.str} (slice a field first)`
      )
    }
    // a quantized side reads its blocks, a scaled side its stored numbers (scaled per piece)
    return sourceView(side, side.view)
  }
  const specA = what(a, 'A')
  const specB = what(b, 'B')
  const rtol = options.rtol ?? 1e-7
  const atol = options.atol ?? 0
  const max = options.max ?? 10
  const count = shapeA.reduce((x, y) => x * y, 1)
  return new ScanJob(async (track) => {
    const r: NativeDiff = await track(
      a.mapping.scan(
        {
          op: 'diff',
          ...specA,
          b: { mapping: b.mapping, ...specB },
          rtol,
          atol,
          equalNan: options.equalNan ?? true,
          first: max,
          ...(options.after !== undefined ? { after: options.after } : {}),
          ...(options.before !== undefined ? { before: options.before } : {}),
          last: options.last ?? false,
          ...(options.map
            ? { mapRows: options.map.rows, mapCols: options.map.cols, mapValues: options.mapValues ?? false }
            : {})
        },
        (done) => options.onProgress?.(done, count)
      )
    )
    const index = (i: number | null): number[] | null => (i === null ? null : unravel(i, shapeA))
    return {
      shape: shapeA,
      total: r.total,
      mismatched: r.mismatched,
      nanMismatched: r.nanMismatched,
      infMismatched: r.infMismatched,
      maxAbsDiff: r.maxAbs,
      maxRelDiff: r.maxRel,
      maxAbsIndex: index(r.maxAbsAt),
      maxRelIndex: index(r.maxRelAt),
      mismatches: Array.from(r.first, (i) => {
        const at = unravel(i, shapeA)
        return {
          index: at,
          a: elementAt(a.source ?? a.mapping, a.view, at),
          b: elementAt(b.source ?? b.mapping, b.view, at)
        }
      }),
      histogram: { ...r.histogram, counts: Array.from(r.histogram.counts) },
      ...(r.map
        ? {
            map: {
              rows: r.mapRows!,
              cols: r.mapCols!,
              counts: Array.from(r.map),
              ...(r.mapAbs
                ? { abs: Array.from(r.mapAbs), mean: Array.from(r.mapMean!), ulp: Array.from(r.mapUlp!) }
                : {})
            }
          }
        : {})
    }
  })
}

export interface ByteDiffReport {
  sizeA: number
  sizeB: number
  /** Bytes compared: the shorter file's length. */
  compared: number
  differing: number
  first: { offset: number; a: number; b: number }[]
}

/** Two files compared byte by byte over the shorter one's length (what `cmp -l` lists). */
export function runByteDiff(
  a: Mapping,
  b: Mapping,
  max = 10,
  onProgress?: (done: number, total: number) => void
): ScanJob<ByteDiffReport> {
  const n = Math.min(a.size, b.size)
  return new ScanJob<ByteDiffReport>(async (track) => {
    if (n === 0) return { sizeA: a.size, sizeB: b.size, compared: 0, differing: 0, first: [] }
    const spec = { elem: 'u1' as const, swap: false, base: 0, shape: [n], strides: [1] }
    const r: NativeDiff = await track(
      a.scan(
        { op: 'diff', ...spec, b: { mapping: b, ...spec }, rtol: 0, atol: 0, equalNan: true, first: max },
        (done) => onProgress?.(done, n)
      )
    )
    const byte = (m: Mapping, offset: number): number => {
      const x = new Uint8Array(1)
      m.read(offset, x)
      return x[0]!
    }
    const first = Array.from(r.first, (offset) => ({ offset, a: byte(a, offset), b: byte(b, offset) }))
    return { sizeA: a.size, sizeB: b.size, compared: n, differing: r.mismatched, first }
  })
}
