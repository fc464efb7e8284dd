// numpy basic indexing on strided views: "2:10:2, 3, ..., -1", negative steps and indices, None (new axis).
import type { View } from './contract'
import { BadRequestError } from './errors'
import type { DType } from './structured'

/** A strided view of elements: element (i0, i1, …) starts at offset + Σ ik·strides[k] (bytes; may be < 0). */
export interface ArrayView {
  dtype: DType
  offset: number
  shape: number[]
  strides: number[]
}

export type SliceItem =
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start: number | null; stop: number | null; step: number | null }
  | { kind: 'ellipsis' }
  | { kind: 'newaxis' }

export class SliceError extends BadRequestError {}

function parseInt_(text: string, what: string, expr: string): number | null {
  const t = text.trim()
  if (t === '') return null
  if (!/^[+-]?\d+$/.test(t))
    throw new SliceError(`bad ${what} '${t}' in slice '${expr}': use integers, e.g. "2:10:2, 3, ..., -1"`)
  const v = Number(t)
  if (!Number.isSafeInteger(v)) throw new SliceError(`${what} ${t} in slice '${expr}' is too large`)
  return v
}

/**
 * Parses numpy's basic-indexing syntax (the text between the brackets of a[…]). A list inside it ("[0, 1]",
 * "0, [2, 3]") is numpy's advanced (integer-array) indexing, which picks elements that no strided view can
 * hold: it is refused, never read as something else.
 */
export function parseSlice(expr: string): SliceItem[] {
  const body = expr.trim()
  const list = /\[[^\]]*\]?|\]/.exec(body)
  if (list) {
    throw new SliceError(
      `'${list[0]}' in slice '${expr}' is a list: numpy reads a[${body}] as advanced (integer-array) indexing, ` +
        `which ArrayScope does not support. Use basic indexing (e.g. "0:2", or one index such as "1"); ` +
        `the slice is the text between the brackets of a[…]`
    )
  }
  if (body === '') return []
  const parts = body.split(',').map((p) => p.trim())
  // A trailing comma is allowed ("3,"), as in Python.
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop()
  return parts.map((p): SliceItem => {
    if (p === '...' || p === 'Ellipsis') return { kind: 'ellipsis' }
    if (p === 'None' || p === 'np.newaxis' || p === 'newaxis') return { kind: 'newaxis' }
    if (p.includes(':')) {
      const bits = p.split(':')
      if (bits.length > 3) throw new SliceError(`bad slice '${p}' in '${expr}': at most start:stop:step`)
      const step = bits.length === 3 ? parseInt_(bits[2]!, 'step', expr) : null
      if (step === 0) throw new SliceError(`slice step cannot be zero (in '${expr}')`)
      return { kind: 'slice', start: parseInt_(bits[0]!, 'start', expr), stop: parseInt_(bits[1]!, 'stop', expr), step }
    }
    if (p === '') throw new SliceError(`empty index in slice '${expr}'`)
    return { kind: 'index', index: parseInt_(p, 'index', expr)! }
  })
}

/** Python's slice.indices(n): normalized start, step and the resulting length. */
export function sliceIndices(
  n: number,
  start: number | null,
  stop: number | null,
  step: number | null
): { start: number; step: number; length: number } {
  const st = step ?? 1
  const lower = st < 0 ? -1 : 0
  const upper = st < 0 ? n - 1 : n
  const norm = (v: number | null, dflt: number): number => {
    if (v === null) return dflt
    if (v < 0) return Math.max(v + n, lower)
    return Math.min(v, upper)
  }
  const s = norm(start, st < 0 ? upper : lower)
  const e = norm(stop, st < 0 ? lower : upper)
  const length = st > 0 ? Math.max(0, Math.ceil((e - s) / st)) : Math.max(0, Math.ceil((s - e) / -st))
  return { start: s, step: st, length }
}

/** Applies basic indexing to a view, exactly as numpy does (same shapes, strides and errors). */
export function applySlice(view: ArrayView, items: readonly SliceItem[]): ArrayView {
  const ellipses = items.filter((i) => i.kind === 'ellipsis').length
  if (ellipses > 1) throw new SliceError("an index can only have a single ellipsis ('...')")
  const consuming = items.filter((i) => i.kind === 'index' || i.kind === 'slice').length
  const nd = view.shape.length
  if (consuming > nd) {
    throw new SliceError(`too many indices for array: array is ${nd}-dimensional, but ${consuming} were indexed`)
  }
  const expanded: SliceItem[] = []
  for (const item of items) {
    if (item.kind === 'ellipsis') {
      for (let k = 0; k < nd - consuming; k++) expanded.push({ kind: 'slice', start: null, stop: null, step: null })
    } else expanded.push(item)
  }
  while (expanded.filter((i) => i.kind !== 'newaxis').length < nd) {
    expanded.push({ kind: 'slice', start: null, stop: null, step: null })
  }
  let offset = view.offset
  const shape: number[] = []
  const strides: number[] = []
  let axis = 0
  for (const item of expanded) {
    if (item.kind === 'newaxis') {
      shape.push(1)
      strides.push(0)
      continue
    }
    const n = view.shape[axis]!
    const stride = view.strides[axis]!
    if (item.kind === 'index') {
      const i = item.index < 0 ? item.index + n : item.index
      if (i < 0 || i >= n) throw new SliceError(`index ${item.index} is out of bounds for axis ${axis} with size ${n}`)
      offset += i * stride
    } else if (item.kind === 'slice') {
      const { start, step, length } = sliceIndices(n, item.start, item.stop, item.step)
      if (length > 0) offset += start * stride
      shape.push(length)
      strides.push(stride * step)
    }
    axis++
  }
  return { dtype: view.dtype, offset, shape, strides }
}

/** Number of elements of a view. */
export function viewSize(view: ArrayView): number {
  return view.shape.reduce((a, b) => a * b, 1)
}

/** numpy's flags.c_contiguous (axes of length 1 do not count; an empty view is contiguous). */
export function isCContiguous(view: ArrayView): boolean {
  return contiguousIn(view, [...view.shape.keys()].reverse())
}

/** numpy's flags.f_contiguous. */
export function isFContiguous(view: ArrayView): boolean {
  return contiguousIn(view, [...view.shape.keys()])
}

function contiguousIn(view: ArrayView, axes: number[]): boolean {
  if (view.shape.some((n) => n === 0)) return true
  let step = view.dtype.itemsize
  for (const k of axes) {
    if (view.shape[k] !== 1 && view.strides[k] !== step) return false
    step *= view.shape[k]!
  }
  return true
}

/** The view with its axes in reverse order (numpy's .T): its C order is the original's F order. */
export function transposed(view: ArrayView): ArrayView {
  return { ...view, shape: [...view.shape].reverse(), strides: [...view.strides].reverse() }
}

/**
 * Where a sliced view's elements are in the array it was sliced from: the array index of view element
 * (i0, i1, …). Each view axis comes from one array axis (start + i·step) or is a new axis (None); the axes an
 * integer indexed keep that index. Throws what applySlice throws.
 */
export interface SliceOrigin {
  /** The array index of a view element. */
  arrayIndex(index: readonly number[]): number[]
  /** The array index along the array axis that view axis k comes from, for view index i (a new axis: i). */
  along(k: number, i: number): number
  /** Whether view and array indices are the same (no slice, or one that keeps everything in place). */
  identity: boolean
}

export function sliceOrigin(shape: readonly number[], items: readonly SliceItem[]): SliceOrigin {
  const dummy: ArrayView = {
    dtype: { itemsize: 1 } as DType,
    offset: 0,
    shape: [...shape],
    strides: shape.map(() => 0)
  }
  applySlice(dummy, items) // the same checks, the same errors
  const consuming = items.filter((i) => i.kind === 'index' || i.kind === 'slice').length
  const expanded: SliceItem[] = []
  for (const item of items) {
    if (item.kind === 'ellipsis') {
      for (let k = 0; k < shape.length - consuming; k++)
        expanded.push({ kind: 'slice', start: null, stop: null, step: null })
    } else expanded.push(item)
  }
  while (expanded.filter((i) => i.kind !== 'newaxis').length < shape.length)
    expanded.push({ kind: 'slice', start: null, stop: null, step: null })
  const base = shape.map(() => 0)
  const axes: { axis: number; start: number; step: number }[] = [] // per view axis; axis -1: a new axis
  let axis = 0
  for (const item of expanded) {
    if (item.kind === 'newaxis') {
      axes.push({ axis: -1, start: 0, step: 0 })
      continue
    }
    const n = shape[axis]!
    if (item.kind === 'index') base[axis] = item.index < 0 ? item.index + n : item.index
    else if (item.kind === 'slice') {
      const { start, step } = sliceIndices(n, item.start, item.stop, item.step)
      axes.push({ axis, start, step })
    }
    axis++
  }
  return {
    arrayIndex: (index) => {
      const out = [...base]
      axes.forEach((a, k) => {
        if (a.axis >= 0) out[a.axis] = a.start + (index[k] ?? 0) * a.step
      })
      return out
    },
    along: (k, i) => {
      const a = axes[k]
      return a && a.axis >= 0 ? a.start + i * a.step : i
    },
    identity: axes.length === shape.length && axes.every((a, k) => a.axis === k && a.start === 0 && a.step === 1)
  }
}

/** A layout with numpy basic indexing applied (a SliceError is a bad request). */
export function sliced(layout: ArrayView, expr: string): ArrayView {
  return applySlice(layout, parseSlice(expr))
}

/** Where a 2-D view of an N-D array view starts and how it steps, with bounds checked. */
export function viewGeometry(
  layout: ArrayView,
  view: View
): { base: number; rowStride: number; colStride: number; rowsTotal: number; colsTotal: number } {
  const nd = layout.shape.length
  const { rowAxis, colAxis, index } = view
  if (index.length !== nd) throw new BadRequestError(`view index has ${index.length} entries, the array has ${nd} axes`)
  for (const axis of [rowAxis, colAxis]) {
    if (axis !== null && axis >= nd) throw new BadRequestError(`axis ${axis} does not exist: the array has ${nd} axes`)
  }
  if (rowAxis !== null && rowAxis === colAxis) throw new BadRequestError('rows and columns must be different axes')
  let base = layout.offset
  for (let k = 0; k < nd; k++) {
    if (k === rowAxis || k === colAxis) continue
    const i = index[k]!
    if (i >= layout.shape[k]!) {
      throw new BadRequestError(`index ${i} is out of bounds for axis ${k} with size ${layout.shape[k]}`)
    }
    base += i * layout.strides[k]!
  }
  return {
    base,
    rowStride: rowAxis === null ? 0 : layout.strides[rowAxis]!,
    colStride: colAxis === null ? 0 : layout.strides[colAxis]!,
    rowsTotal: rowAxis === null ? 1 : layout.shape[rowAxis]!,
    colsTotal: colAxis === null ? 1 : layout.shape[colAxis]!
  }
}
