// .npy headers: read v1/v2/v3 (descr, fortran_order, shape, and where the data starts) as strictly as np.load;
// write them byte for byte as np.save does.
// Format: b'\x93NUMPY', major, minor, header length (u16 in v1, u32 in v2/v3), then a Python dict literal
// (latin1; utf8 in v3) padded with spaces and a newline so that the data starts at a multiple of 64.
import { LayoutMismatchError } from './errors'
import type { LayoutSpec } from './layout'
import { isPyTuple, parsePyLiteral, pyRepr, pyStrRepr, PyLiteralError, type PyValue } from './py-literal'
import { parseDType } from './structured'

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY

export interface NpyHeader {
  version: [number, number]
  descr: PyValue
  fortranOrder: boolean
  shape: number[]
  /** Byte offset where the array data starts. */
  dataOffset: number
}

export class NpyError extends LayoutMismatchError {}

export function isNpy(prefix: Uint8Array): boolean {
  return prefix.length >= 6 && NPY_MAGIC.every((b, k) => prefix[k] === b)
}

/** Bytes needed to know the header length: magic, version, and the length field. */
export const NPY_PREAMBLE = 12

/** What np.load reads; anything else it refuses, and so do we. */
const VERSIONS = ['1.0', '2.0', '3.0']

/** Length of the whole header (data offset) from the first 12 bytes. */
export function npyHeaderLength(prefix: Uint8Array): number {
  if (!isNpy(prefix)) throw new NpyError('not a .npy file: it does not start with \\x93NUMPY')
  // numpy checks the version (the magic string's last 2 bytes) before it reads the header length
  if (prefix.length < 8) throw new NpyError('.npy header is truncated')
  const [major, minor] = [prefix[6]!, prefix[7]!]
  if (!VERSIONS.includes(`${major}.${minor}`)) {
    throw new NpyError(
      `.npy format version ${major}.${minor} is not supported: numpy reads only versions 1.0, 2.0 and 3.0`
    )
  }
  if (prefix.length < 10) throw new NpyError('.npy header is truncated')
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength)
  if (major === 1) return 10 + view.getUint16(8, true)
  if (prefix.length < 12) throw new NpyError('.npy header is truncated')
  return 12 + view.getUint32(8, true)
}

/** Whether a descr names Python objects anywhere ('O', also inside records). */
function holdsObjects(descr: PyValue): boolean {
  if (typeof descr === 'string') return /^[|<>=]?O\d*$/.test(descr.trim())
  if (Array.isArray(descr)) return descr.some(holdsObjects)
  return false
}

/**
 * Reads a .npy header as strictly as np.load: the version, exactly the keys descr, fortran_order and shape,
 * shape a tuple of integers, fortran_order a bool, descr a dtype. What np.load refuses is refused with its reason.
 */
/** The layout a parsed .npy header gives (a structured descr travels as its JSON; parseDType reads it back). */
export function npyLayout(h: NpyHeader): LayoutSpec {
  return {
    dtype: typeof h.descr === 'string' ? h.descr : JSON.stringify(h.descr),
    shape: h.shape,
    offset: h.dataOffset,
    order: h.fortranOrder ? 'F' : 'C'
  }
}

export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  const total = npyHeaderLength(bytes)
  if (bytes.length < total) throw new NpyError(`.npy header says it is ${total} bytes, the file has ${bytes.length}`)
  const major = bytes[6]!
  const start = major === 1 ? 10 : 12
  const body = bytes.subarray(start, total)
  let text: string
  try {
    text = major === 3 ? new TextDecoder('utf-8', { fatal: true }).decode(body) : latin1(body)
  } catch {
    throw new NpyError('malformed .npy header: a version 3.0 header must be UTF-8')
  }
  let dict: PyValue
  try {
    dict = parsePyLiteral(text.trim())
  } catch (e) {
    throw new NpyError(`malformed .npy header, numpy cannot parse it either: ${(e as PyLiteralError).message}`)
  }
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) {
    throw new NpyError(`malformed .npy header: it is not a dictionary but ${pyRepr(dict)}`)
  }
  const keys = Object.keys(dict).sort()
  if (keys.join(',') !== 'descr,fortran_order,shape') {
    throw new NpyError(
      `malformed .npy header: it does not contain the correct keys: ${pyRepr(keys)} ` +
        `(numpy needs exactly 'descr', 'fortran_order' and 'shape')`
    )
  }
  const { descr, fortran_order: fortran, shape } = dict as Record<string, PyValue>
  if (!isPyTuple(shape!) || !(shape as PyValue[]).every((n) => typeof n === 'number' && Number.isSafeInteger(n))) {
    throw new NpyError(`malformed .npy header: shape is not valid: ${pyRepr(shape!)} (numpy needs a tuple of integers)`)
  }
  if ((shape as number[]).some((n) => n < 0)) {
    throw new NpyError(`malformed .npy header: shape ${pyRepr(shape!)} has a negative dimension`)
  }
  if (typeof fortran !== 'boolean') {
    throw new NpyError(`malformed .npy header: fortran_order is not a valid bool: ${pyRepr(fortran!)}`)
  }
  if (holdsObjects(descr!)) {
    throw new NpyError(
      'this .npy file holds Python objects (dtype O): reading them needs pickles, which ArrayScope never loads ' +
        '(np.load refuses them too unless allow_pickle=True)'
    )
  }
  try {
    parseDType(typeof descr === 'string' ? descr : JSON.stringify(descr))
  } catch (e) {
    throw new NpyError(
      `malformed .npy header: descr is not a valid dtype descriptor: ${pyRepr(descr!)} (${(e as Error).message})`
    )
  }
  return {
    version: [major, bytes[7]!],
    descr: descr!,
    fortranOrder: fortran,
    shape: shape as number[],
    dataOffset: total
  }
}

function latin1(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return s
}

/**
 * numpy's repr of a dtype's descr, as np.save writes it: a type string, or a list of field tuples
 * (name, descr[, shape]) where name is a str or a (title, name) tuple and shape a tuple; a type may itself be a
 * (type, shape) tuple. Our descr JSON has arrays where Python has tuples: the position says which.
 */
export function descrRepr(descr: PyValue): string {
  if (typeof descr === 'string') return pyStrRepr(descr)
  if (!Array.isArray(descr))
    throw new NpyError(`a descr is a type string or a list of fields, not ${JSON.stringify(descr)}`)
  if (isSubarrayDescr(descr)) return `(${descrRepr(descr[0]!)}, ${tupleRepr(descr[1] as number[])})`
  const field = (f: PyValue): string => {
    if (!Array.isArray(f) || f.length < 2 || f.length > 3) {
      throw new NpyError(`a descr field is (name, type) or (name, type, shape), not ${JSON.stringify(f)}`)
    }
    const [name, sub, shape] = f
    const nameText = Array.isArray(name)
      ? `(${name.map((n) => pyStrRepr(String(n))).join(', ')})`
      : pyStrRepr(String(name))
    const parts = [nameText, descrRepr(sub!)]
    if (shape !== undefined) parts.push(tupleRepr(shape as number[]))
    return `(${parts.join(', ')})`
  }
  return `[${descr.map(field).join(', ')}]`
}

/** A (type, shape) pair: a type string or field list, then a list of integers. */
export function isSubarrayDescr(d: PyValue): boolean {
  return (
    Array.isArray(d) &&
    d.length === 2 &&
    (typeof d[0] === 'string' || Array.isArray(d[0])) &&
    Array.isArray(d[1]) &&
    d[1].every((n) => typeof n === 'number')
  )
}

function tupleRepr(items: readonly number[]): string {
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`
}

/** numpy's ARRAY_ALIGN and GROWTH_AXIS_MAX_DIGITS (numpy/lib/format.py). */
const ALIGN = 64
const GROWTH_DIGITS = 21

/**
 * A .npy header byte for byte as np.save writes it: the dict's repr with sorted keys, spare spaces so the
 * growth axis (the first, or the last in Fortran order) can reach 21 digits in place, padded to a multiple of
 * 64 with spaces and a newline; version 1.0 when the length fits 16 bits, else 2.0, and 3.0 only when the
 * text is not latin-1. Given length, it is padded to exactly that many bytes instead (to rewrite a header in
 * place without moving the data).
 */
export function writeNpyHeader(
  descr: PyValue,
  fortranOrder: boolean,
  shape: readonly number[],
  length?: number
): Uint8Array {
  let dict = `{'descr': ${descrRepr(descr)}, 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${tupleRepr(shape)}, }`
  if (shape.length > 0)
    dict += ' '.repeat(Math.max(0, GROWTH_DIGITS - String(shape[fortranOrder ? shape.length - 1 : 0]).length))
  const isLatin1 = [...dict].every((ch) => ch.codePointAt(0)! < 256)
  const build = (major: number, pre: number): Uint8Array => {
    const text = major === 3 ? new TextEncoder().encode(dict) : Uint8Array.from(dict, (ch) => ch.charCodeAt(0))
    const unpadded = pre + text.length + 1
    const padded = length ?? Math.ceil(unpadded / ALIGN) * ALIGN
    if (padded < unpadded) {
      throw new NpyError(
        `the new header needs ${Math.ceil(unpadded / ALIGN) * ALIGN} bytes but the data starts at byte ${padded}`
      )
    }
    const out = new Uint8Array(padded)
    out.set(NPY_MAGIC, 0)
    out[6] = major
    out[7] = 0
    const view = new DataView(out.buffer)
    if (pre === 10) view.setUint16(8, padded - 10, true)
    else view.setUint32(8, padded - 12, true)
    out.set(text, pre)
    out.fill(0x20, pre + text.length, padded - 1)
    out[padded - 1] = 0x0a
    return out
  }
  if (!isLatin1) return build(3, 12)
  const total = length ?? Math.ceil((10 + dict.length + 1) / ALIGN) * ALIGN
  if (total - 10 <= 0xffff) return build(1, 10)
  return build(2, 12) // the length field of version 1 is 16 bits: promote
}
