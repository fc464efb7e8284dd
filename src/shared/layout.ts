// The layout model: how the bytes of a file are read as an N-D array, with numpy.memmap's meanings.
import { LayoutMismatchError } from './errors'
import { DTypeError } from './dtypes'
import { parseDTypeShape, type DType } from './structured'

/** numpy's memory orders; the contract's schema is built from this list. */
export const ORDERS = ['C', 'F'] as const
export type Order = (typeof ORDERS)[number]
/** numpy.memmap's modes; the contract's schema is built from this list. */
export const MODES = ['r', 'r+', 'c', 'w+'] as const
export type Mode = (typeof MODES)[number]

/** What the user says (or a header says) about a file. shape null = 1-D, inferred from the file size. */
export interface LayoutSpec {
  /** A dtype as numpy spells it ('<f4', 'float32', a structured descr as JSON). */
  dtype: string
  shape: number[] | null
  /** Bytes before the first element. */
  offset: number
  order: Order
  /** A text file (numpy.fromfile(sep=…), np.loadtxt): its values are parsed, not mapped; absent for bytes. */
  text?: TextLayout
}

/**
 * How a text file holds its values. sep has numpy.fromfile's meaning (whitespace in it matches any run of
 * whitespace); with rows (np.loadtxt), a newline ends a row and every row has the same number of values.
 */
export interface TextLayout {
  sep: string
  /** Lines are rows (2-D, np.loadtxt(ndmin=2)); default: when sep has a character other than whitespace. */
  rows?: boolean
  /** Lines skipped first (a header row; np.loadtxt's skiprows). */
  skip?: number
  /** With rows: a line's text from this marker on is ignored (np.loadtxt's comments; default '#', '' none). */
  comments?: string
}

/** Whether a text layout reads lines as rows, and its comment marker. */
export function textRows(t: TextLayout): { rows: boolean; comments: string } {
  const rows = t.rows ?? /\S/.test(t.sep)
  return { rows, comments: rows ? (t.comments ?? '#') : '' }
}

/** A layout checked against a file: every number known, strides in bytes. */
export interface Layout {
  dtype: DType
  shape: number[]
  /** Byte strides per axis (numpy's .strides for this memmap). */
  strides: number[]
  offset: number
  order: Order
  /** Number of elements. */
  size: number
  /** Bytes the array occupies after offset. */
  nbytes: number
}

export class LayoutError extends LayoutMismatchError {}

export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
}

/** Parses "3,4,5", "(3, 4, 5)", "1000x800", "-1,3" into a shape; "" means none (1-D, inferred). */
export function parseShape(text: string): number[] | null {
  const t = text
    .trim()
    .replace(/^[([]|[)\]]$/g, '')
    .trim()
  if (t === '') return null
  const parts = t.split(/\s*[,x×]\s*/).filter((p) => p !== '')
  return parts.map((p) => {
    if (!/^-?\d+$/.test(p)) throw new LayoutError(`shape entry '${p}' is not an integer: write a shape like 1000,800`)
    const v = Number(p)
    if (!Number.isSafeInteger(v)) throw new LayoutError(`shape entry ${p} is too large`)
    return v
  })
}

/** Byte strides of a contiguous array, numpy's rules for C and F order. */
export function contiguousStrides(shape: readonly number[], itemsize: number, order: Order): number[] {
  const strides = new Array<number>(shape.length)
  let step = itemsize
  if (order === 'C') {
    for (let k = shape.length - 1; k >= 0; k--) {
      strides[k] = step
      step *= Math.max(shape[k]!, 1)
    }
  } else {
    for (let k = 0; k < shape.length; k++) {
      strides[k] = step
      step *= Math.max(shape[k]!, 1)
    }
  }
  return strides
}

function product(shape: readonly number[]): number {
  let p = 1
  for (const n of shape) {
    p *= n
    if (p > Number.MAX_SAFE_INTEGER) {
      throw new LayoutError(`shape ${formatShape(shape)} has more than 2^53 elements`)
    }
  }
  return p
}

/**
 * Checks a layout against a file of fileSize bytes, as np.memmap would in mode r, and infers a -1 (or a
 * missing shape) from the file size. Unlike numpy, it never grows the file: a shape needing more bytes than
 * the file has is an error (mode w+ creates the file at the right size instead, so it skips the size check).
 */
export function resolveLayout(spec: LayoutSpec, fileSize: number, mode: Mode = 'r'): Layout {
  let dtype: DType
  // a sub-array dtype ('(3,4)i4') makes each element that many values: numpy appends its shape to the array's
  let sub: number[]
  try {
    ;({ dtype, shape: sub } = parseDTypeShape(spec.dtype))
  } catch (e) {
    throw new LayoutError((e as DTypeError).message)
  }
  const { offset, order } = spec
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new LayoutError(`offset must be a non-negative integer number of bytes, got ${offset}`)
  }
  if (order !== 'C' && order !== 'F') throw new LayoutError(`order must be C or F, got '${String(order)}'`)
  const subSize = sub.reduce((a, b) => a * b, 1)
  // the bytes of one element as the user's shape counts them (the whole sub-array)
  const itemsize = dtype.itemsize * subSize
  if (itemsize === 0) throw new LayoutError(`dtype '${spec.dtype}' has no bytes: a sub-array with a 0 in its shape`)
  const creating = mode === 'w+'
  if (!creating && offset > fileSize) {
    throw new LayoutError(`offset ${offset} is beyond the end of the file (${fileSize} bytes)`)
  }
  const available = creating ? Infinity : fileSize - offset
  let shape: number[]
  if (spec.shape === null) {
    if (creating) throw new LayoutError('mode w+ needs a shape for the new file')
    if (available % itemsize !== 0) {
      throw new LayoutError(
        `the ${available} bytes after offset ${offset} are not a whole number of ${dtype.str} elements (${itemsize} bytes each): ` +
          `fix the offset or the dtype, or give a shape`
      )
    }
    shape = [available / itemsize]
  } else {
    shape = [...spec.shape]
    const unknown = shape.filter((n) => n === -1).length
    if (unknown > 1)
      throw new LayoutError(`shape ${formatShape(shape)} has more than one -1: only one axis can be inferred`)
    for (const n of shape) {
      if (!Number.isSafeInteger(n) || (n < 0 && n !== -1)) {
        throw new LayoutError(
          `shape ${formatShape(shape)} has an invalid entry ${n}: entries are integers ≥ 0 (or one -1)`
        )
      }
    }
    if (unknown === 1) {
      if (creating) throw new LayoutError('mode w+ needs a shape without -1 for the new file')
      const known = product(shape.filter((n) => n !== -1)) * itemsize
      if (known === 0 || available % known !== 0) {
        throw new LayoutError(
          `cannot infer the -1 in shape ${formatShape(shape)}: the ${available} bytes after offset ${offset} ` +
            `are not a multiple of ${known} (the other axes × ${itemsize}-byte ${dtype.str})`
        )
      }
      shape[shape.indexOf(-1)] = available / known
    }
  }
  const outer = product(shape)
  const nbytes = outer * itemsize
  if (!Number.isSafeInteger(nbytes))
    throw new LayoutError(`shape ${formatShape(shape)} of ${dtype.str} needs more than 2^53 bytes`)
  if (!creating && nbytes > available) {
    throw new LayoutError(
      `shape ${formatShape(shape)} of ${dtype.str} needs ${nbytes} bytes after offset ${offset}, the file has ${available}`
    )
  }
  const strides = [...contiguousStrides(shape, itemsize, order), ...contiguousStrides(sub, dtype.itemsize, 'C')]
  return { dtype, shape: [...shape, ...sub], strides, offset, order, size: outer * subSize, nbytes }
}

/** Byte offset in the file of the element at a full N-D index. */
export function elementOffset(layout: Layout, index: readonly number[]): number {
  let o = layout.offset
  for (let k = 0; k < index.length; k++) o += index[k]! * layout.strides[k]!
  return o
}
