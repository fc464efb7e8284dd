// The table's two whole-array passes over its view: find by condition (the next or previous element that is
// NaN, ±Inf, above, below or equal to a value, or larger in magnitude: the hex find's sibling, in element
// order) and statistics along an axis (per row or per column of the 2-D view: a profile).
import { ApiError, type Request, type Response } from '../../shared/contract'
import { decodeAt, encodeAt, type ScalarDType } from '../../shared/dtypes'
import type { ArrayView } from '../../shared/slice'
import type { ScanSource } from './scan'
import { f64Bytes, ScanJob, sourceView } from './scan'

type ConditionQuery = Pick<Request<'find:condition'>, 'condition' | 'value' | 'start' | 'backwards' | 'wrap'>

/**
 * The value compared with, as numpy 2 compares an array with a Python float (NEP 50): converted to the array's
 * float type first (0.1 against float32 is float32(0.1); 1e40 is inf), kept as it is against integers.
 */
export function conditionValue(dt: ArrayView['dtype'], value: number): number {
  if (dt.kind !== 'scalar' || dt.type.kind !== 'float') return value
  const scalar = dt as ScalarDType
  const bytes = new DataView(new ArrayBuffer(scalar.itemsize))
  encodeAt(scalar, bytes, 0, value)
  return Number(decodeAt(scalar, bytes, 0))
}

/**
 * The first element at or after flat index start (backwards: the last before it), in the view's C order; with
 * wrap, then the rest from the other end. Progress counts elements passed.
 */
export function runCondition(
  src: ScanSource,
  view: ArrayView,
  q: ConditionQuery,
  onProgress?: (done: number, total: number) => void
): ScanJob<Response<'find:condition'>> {
  const kernel = sourceView(src, view)
  const size = view.shape.reduce((a, b) => a * b, 1)
  const needsValue = q.condition !== 'nan' && q.condition !== 'inf'
  if (needsValue && q.value === undefined) throw new ApiError('bad-request', `condition ${q.condition} needs a value`)
  const value = needsValue ? { value: conditionValue(view.dtype, q.value!) } : {}
  const start = Math.min(q.start, size)
  const passes: [number, number][] = q.backwards ? [[0, start]] : [[start, size]]
  if (q.wrap) passes.push(q.backwards ? [start, size] : [0, start])
  return new ScanJob(async (track) => {
    let before = 0
    for (const [k, [from, to]] of passes.entries()) {
      const spec = {
        op: 'condition' as const,
        ...kernel,
        condition: q.condition,
        ...value,
        from,
        to,
        backwards: q.backwards
      }
      const hit = await track(src.mapping.scan(spec, (done) => onProgress?.(before + done, size)))
      if (hit.index !== null) return { index: hit.index, wrapped: k > 0 }
      before += to - from
    }
    onProgress?.(size, size)
    return { index: null, wrapped: false }
  })
}

/** Count, mean, min, max, std of the finite elements of every row (keep 0) or column (keep 1) of a 2-D view. */
export function runProfile(
  src: ScanSource,
  view: ArrayView,
  keep: 0 | 1,
  onProgress?: (done: number, total: number) => void
): ScanJob<Response<'scan:profile'>> {
  if (view.shape.length !== 2) throw new ApiError('bad-request', 'statistics along an axis need a 2-D view')
  const kernel = sourceView(src, view)
  const size = view.shape[0]! * view.shape[1]!
  return new ScanJob(async (track) => {
    const p = await track(src.mapping.scan({ op: 'profile', ...kernel, keep }, (done) => onProgress?.(done, size)))
    return {
      keep,
      length: view.shape[keep]!,
      count: f64Bytes(p.count),
      mean: f64Bytes(p.mean),
      min: f64Bytes(p.min),
      max: f64Bytes(p.max),
      std: f64Bytes(p.std)
    }
  })
}
