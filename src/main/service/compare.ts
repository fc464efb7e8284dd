// Comparing two open arrays in the app: the diff of two sessions' views (figures, mismatches to step through,
// maps for heatmaps), which cells of a table window mismatch, and derived arrays (|A - B|, A - B, the ULP
// distance) that open as tabs of their own, computed per window from both arrays and never stored.
import {
  ApiError,
  type JsonFloat,
  type Request,
  type Response,
  type SessionInfo,
  type View
} from '../../shared/contract'
import { jsonNumber } from '../../shared/json-value'
import { resolveLayout, type Layout } from '../../shared/layout'
import type { ArrayView } from '../../shared/slice'
import { decodeValue, formatValue, type DType, type Value } from '../../shared/structured'
import type { ByteSource } from './dequant-source'
import { runDiff, type DiffOptions, type DiffReport, type DiffSide } from './diff'
import type { ScanJob, ScanSource } from './scan'

/** What a side of a comparison reads: the session's scan source and view, and its element source. */
export interface CompareSide {
  scan: ScanSource
  source: ByteSource
  view: ArrayView
}

function side(c: CompareSide, view = c.view): DiffSide {
  return { ...c.scan, view, source: c.source }
}

/**
 * A figure as the wire carries it: a plain number, NaN/±Inf as "nan"/"inf"/"-inf". (jsonNumber's JsonFloat is a
 * class for the CLI's JSON writer: sent to the window it arrived as an object and showed as [object Object].)
 */
function wireFloat(x: number | null): JsonFloat | null {
  if (x === null) return null
  const v = jsonNumber(x)
  return typeof v === 'string' ? v : x
}

/** The figures the compare panel shows, with values as text and floats that survive JSON ("nan", "inf"). */
export function diffSummary(r: DiffReport, a: ArrayView, b: ArrayView): Response<'diff:run'> {
  const f64 = (x: readonly number[] | undefined): Uint8Array | undefined =>
    x ? new Uint8Array(Float64Array.from(x).buffer) : undefined
  return {
    shape: r.shape,
    total: r.total,
    mismatched: r.mismatched,
    nanMismatched: r.nanMismatched,
    infMismatched: r.infMismatched,
    maxAbsDiff: wireFloat(r.maxAbsDiff),
    maxRelDiff: wireFloat(r.maxRelDiff),
    maxAbsIndex: r.maxAbsIndex,
    maxRelIndex: r.maxRelIndex,
    mismatches: r.mismatches.map((m) => ({
      index: m.index,
      a: formatValue(a.dtype, m.a),
      b: formatValue(b.dtype, m.b)
    })),
    histogram: r.histogram,
    ...(r.map
      ? {
          map: {
            rows: r.map.rows,
            cols: r.map.cols,
            counts: f64(r.map.counts)!,
            ...(r.map.abs ? { abs: f64(r.map.abs), mean: f64(r.map.mean), ulp: f64(r.map.ulp) } : {})
          }
        }
      : {})
  }
}

/** The app's advice on a shape mismatch: its slice applies to both sides (the CLI's --slice is not there). */
const APP_SAME_SHAPE = 'compare arrays of the same shape: the slice applies to both'

export function compareRun(
  a: CompareSide,
  b: CompareSide,
  r: Request<'diff:run'>,
  options: DiffOptions
): ScanJob<DiffReport> {
  return runDiff(side(a), side(b), {
    rtol: r.rtol,
    atol: r.atol,
    equalNan: r.equalNan,
    max: r.max ?? 100,
    after: r.after,
    before: r.before,
    last: r.last,
    ...(r.map ? { map: r.map, mapValues: r.mapValues ?? false } : {}),
    sameShapeHint: APP_SAME_SHAPE,
    ...options
  })
}

/** The 2-D window of a view a table shows: element (i, j) at base + i*rowStride + j*colStride. */
export function windowView(
  view: ArrayView,
  v: View,
  row0: number,
  col0: number,
  rows: number,
  cols: number
): ArrayView {
  const nd = view.shape.length
  if (v.index.length !== nd)
    throw new ApiError('bad-request', `view index has ${v.index.length} entries, the array has ${nd} axes`)
  let offset = view.offset
  for (let k = 0; k < nd; k++) {
    if (k === v.rowAxis || k === v.colAxis) continue
    if (v.index[k]! >= view.shape[k]!)
      throw new ApiError('bad-request', `index ${v.index[k]} is out of bounds for axis ${k}`)
    offset += v.index[k]! * view.strides[k]!
  }
  const rowsTotal = v.rowAxis === null ? 1 : view.shape[v.rowAxis]!
  const colsTotal = v.colAxis === null ? 1 : view.shape[v.colAxis]!
  const rs = v.rowAxis === null ? 0 : view.strides[v.rowAxis]!
  const cs = v.colAxis === null ? 0 : view.strides[v.colAxis]!
  const r = Math.max(0, Math.min(rows, rowsTotal - row0))
  const c = Math.max(0, Math.min(cols, colsTotal - col0))
  return { dtype: view.dtype, offset: offset + row0 * rs + col0 * cs, shape: [r, c], strides: [rs, cs] }
}

/** 1 where the cell of the window is not close (np.isclose), 0 where it is. */
export async function windowMask(
  a: CompareSide,
  b: CompareSide,
  r: Request<'diff:window'>
): Promise<Response<'diff:window'>> {
  const wa = windowView(a.view, r.view, r.row0, r.col0, r.rows, r.cols)
  const wb = windowView(b.view, r.view, r.row0, r.col0, r.rows, r.cols)
  const [rows, cols] = wa.shape as [number, number]
  const mask = new Uint8Array(rows * cols)
  if (mask.length) {
    const d = await runDiff(side(a, wa), side(b, wb), {
      rtol: r.rtol,
      atol: r.atol,
      equalNan: r.equalNan,
      max: mask.length,
      sameShapeHint: APP_SAME_SHAPE
    }).promise
    for (const m of d.mismatches) mask[m.index[0]! * cols + m.index[1]!] = 1
  }
  return { row0: r.row0, col0: r.col0, rows, cols, mask }
}

export type DerivedKind = 'absdiff' | 'diff' | 'ulp'

export const DERIVED_LABEL: Record<DerivedKind, string> = { absdiff: '|A − B|', diff: 'A − B', ulp: 'ULP distance' }

/** A derived array's layout: float64, C order, from offset 0 (the values exist only as they are read). */
export function derivedLayout(shape: number[]): Layout {
  return resolveLayout({ dtype: '<f8', shape, offset: 0, order: 'C' }, 8 * shape.reduce((x, y) => x * y, 1))
}

const num = (v: Value): number => {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'boolean') return v ? 1 : 0
  throw new ApiError('bad-request', 'a derived array needs real numbers (not complex values or records)')
}

/** numpy's name of a float type's precision for ULP counting: A's own type; integers count in float64. */
function ulpBits(dt: DType): 16 | 32 | 64 {
  if (dt.kind !== 'scalar' || dt.type.kind !== 'float') return 64
  return dt.itemsize === 2 && dt.type.name === 'float16' ? 16 : dt.itemsize <= 4 ? 32 : 64
}

const f32 = new Float32Array(1)
const i32 = new Int32Array(f32.buffer)
const f64 = new Float64Array(1)
const i64 = new BigInt64Array(f64.buffer)

/** A float's ordinal among the values of its type (the native diff counts ULPs the same way). */
function ordinal(x: number, bits: 16 | 32 | 64): bigint {
  if (bits === 64) {
    f64[0] = x
    const b = i64[0]!
    return b < 0n ? -(b & 0x7fffffffffffffffn) : b
  }
  if (bits === 32) {
    f32[0] = x
    const b = i32[0]!
    return BigInt(b < 0 ? -(b & 0x7fffffff) : b)
  }
  const ax = Math.abs(x)
  let mag: number
  if (ax === Infinity) mag = 0x7c00
  else if (ax < 2 ** -14) mag = Math.trunc(ax * 2 ** 24)
  else {
    const e = Math.floor(Math.log2(ax))
    const m = ax / 2 ** e
    const [ee, mm] = m >= 2 ? [e + 1, m / 2] : m < 1 ? [e - 1, m * 2] : [e, m]
    mag = (ee + 15) * 1024 + Math.trunc((mm - 1) * 1024)
  }
  return BigInt(x < 0 || Object.is(x, -0) ? -mag : mag)
}

/** x rounded to the float type of the given precision. */
function roundTo(x: number, bits: 16 | 32 | 64): number {
  if (bits === 64) return x
  if (bits === 32) return Math.fround(x)
  if (x === 0 || !Number.isFinite(x)) return x
  const e = Math.floor(Math.log2(Math.abs(x)))
  const quantum = 2 ** (Math.max(e, -14) - 10)
  const q = x / quantum
  const r = Math.round(q) - (Math.abs(q % 1) === 0.5 && Math.round(q) % 2 !== 0 ? Math.sign(q) : 0)
  const v = r * quantum
  return Math.abs(v) >= 65520 ? Math.sign(x) * Infinity : v
}

/** The ULP distance of a and b in the type of the given precision (b rounded to it first). */
export function ulpDistance(a: number, b: number, bits: 16 | 32 | 64): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN
  const d = ordinal(roundTo(a, bits), bits) - ordinal(roundTo(b, bits), bits)
  return Number(d < 0n ? -d : d)
}

/**
 * The values of a derived array, read the way a session's source is (windows and single elements): the
 * window's elements of A and of B read through their own sources, then |a - b|, a - b or the ULP distance, as
 * little-endian float64. The virtual layout is C-contiguous, so a window's offsets give N-D indices directly.
 */
export class DerivedSource implements ByteSource {
  private readonly elemStrides: number[]
  constructor(
    private readonly sides: () => { a: CompareSide; b: CompareSide },
    private readonly kind: DerivedKind,
    private readonly shape: number[]
  ) {
    this.elemStrides = shape.map((_, k) => shape.slice(k + 1).reduce((x, y) => x * y, 1))
  }

  private compute(a: number, b: number, bits: 16 | 32 | 64): number {
    if (this.kind === 'diff') return a - b
    if (this.kind === 'absdiff') return Math.abs(a - b)
    return ulpDistance(a, b, bits)
  }

  /** The axis whose C-order element stride is `step` (a window's row or column axis), or null. */
  private axisOf(step: number): number | null {
    if (step === 0) return null
    const k = this.shape.findIndex((n, i) => n > 1 && this.elemStrides[i] === step)
    return k < 0 ? null : k
  }

  gather(
    w: {
      base: number | bigint
      rows: number
      cols: number
      rowStride: number | bigint
      colStride: number | bigint
      itemsize: number
    },
    target: Uint8Array
  ): void {
    const { a, b } = this.sides()
    const base = Number(w.base) / 8
    const rowStep = Number(w.rowStride) / 8
    const colStep = Number(w.colStride) / 8
    const index = this.unravel(base)
    const ra = this.axisOf(rowStep)
    const ca = this.axisOf(colStep)
    const out = new DataView(target.buffer, target.byteOffset, target.byteLength)
    const bits = ulpBits(a.view.dtype)
    const read = (s: CompareSide): ((i: number, j: number) => number) => {
      let off = s.view.offset
      index.forEach((x, k) => (off += x * s.view.strides[k]!))
      const rs = ra === null ? 0 : s.view.strides[ra]!
      const cs = ca === null ? 0 : s.view.strides[ca]!
      const item = s.view.dtype.itemsize
      const bytes = new Uint8Array(w.rows * w.cols * item)
      s.source.gather({ base: off, rows: w.rows, cols: w.cols, rowStride: rs, colStride: cs, itemsize: item }, bytes)
      const dv = new DataView(bytes.buffer)
      return (i, j) => num(decodeValue(s.view.dtype, dv, (i * w.cols + j) * item))
    }
    const va = read(a)
    const vb = read(b)
    for (let i = 0; i < w.rows; i++) {
      for (let j = 0; j < w.cols; j++)
        out.setFloat64((i * w.cols + j) * 8, this.compute(va(i, j), vb(i, j), bits), true)
    }
  }

  read(offset: number, target: Uint8Array): number {
    for (let k = 0; k < target.length; k += 8) {
      const one = target.subarray(k, k + 8)
      this.gather({ base: offset + k, rows: 1, cols: 1, rowStride: 0, colStride: 0, itemsize: 8 }, one)
    }
    return target.length
  }

  private unravel(i: number): number[] {
    return this.elemStrides.map((s, k) => Math.floor(i / s) % this.shape[k]!)
  }
}

/** The info of a derived session: read-only, float64, named after what it shows. */
export function derivedInfo(
  id: string,
  a: SessionInfo,
  kind: DerivedKind,
  layout: Layout,
  b: SessionInfo
): SessionInfo {
  return {
    session: id,
    path: a.path,
    fileSize: a.fileSize,
    mode: 'r',
    format: a.format,
    layout: {
      dtype: layout.dtype.str,
      shape: layout.shape,
      strides: layout.strides,
      offset: 0,
      order: 'C',
      itemsize: 8,
      size: layout.size,
      nbytes: layout.nbytes
    },
    derived: { kind, label: DERIVED_LABEL[kind], a: a.session, b: b.session, pathB: b.path }
  }
}
