// .npy headers: read v1/v2/v3 (descr, fortran_order, shape, and where the data starts); write them.
// Format: b'\x93NUMPY', major, minor, header length (u16 in v1, u32 in v2/v3), then a Python dict literal
// (latin1; utf8 in v3) padded with spaces and a newline so that the data starts at a multiple of 64.
import { parsePyLiteral, PyLiteralError, type PyValue } from './py-literal'

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY

export interface NpyHeader {
  version: [number, number]
  descr: PyValue
  fortranOrder: boolean
  shape: number[]
  /** Byte offset where the array data starts. */
  dataOffset: number
}

export class NpyError extends Error {}

export function isNpy(prefix: Uint8Array): boolean {
  return prefix.length >= 6 && NPY_MAGIC.every((b, k) => prefix[k] === b)
}

/** Bytes needed to know the header length: magic, version, and the length field. */
export const NPY_PREAMBLE = 12

/** Length of the whole header (data offset) from the first 12 bytes. */
export function npyHeaderLength(prefix: Uint8Array): number {
  if (!isNpy(prefix)) throw new NpyError('not a .npy file: it does not start with \\x93NUMPY')
  const major = prefix[6]!
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength)
  if (major === 1) return 10 + view.getUint16(8, true)
  if (major === 2 || major === 3) {
    if (prefix.length < 12) throw new NpyError('.npy header is truncated')
    return 12 + view.getUint32(8, true)
  }
  throw new NpyError(`.npy format version ${major}.${prefix[7]} is not supported (1.0, 2.0 and 3.0 are)`)
}

export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  const total = npyHeaderLength(bytes)
  if (bytes.length < total) throw new NpyError(`.npy header says it is ${total} bytes, the file has ${bytes.length}`)
  const major = bytes[6]!
  const start = major === 1 ? 10 : 12
  const body = bytes.subarray(start, total)
  const text = major === 3 ? new TextDecoder('utf-8').decode(body) : latin1(body)
  let dict: PyValue
  try {
    dict = parsePyLiteral(text.trim())
  } catch (e) {
    throw new NpyError(`malformed .npy header: ${(e as PyLiteralError).message}`)
  }
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) {
    throw new NpyError('malformed .npy header: it is not a dict')
  }
  const { descr, fortran_order: fortran, shape } = dict
  if (descr === undefined) throw new NpyError("malformed .npy header: no 'descr'")
  if (typeof fortran !== 'boolean') throw new NpyError("malformed .npy header: 'fortran_order' must be True or False")
  if (!Array.isArray(shape) || !shape.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)) {
    throw new NpyError("malformed .npy header: 'shape' must be a tuple of non-negative integers")
  }
  return { version: [major, bytes[7]!], descr, fortranOrder: fortran, shape: shape as number[], dataOffset: total }
}

function latin1(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return s
}

/** Python's repr of a str (the quoting numpy's header has: single quotes unless the text holds one). */
function strRepr(v: string): string {
  const quote = v.includes("'") && !v.includes('"') ? '"' : "'"
  const body = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t')
  return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote
}

function tupleRepr(items: readonly string[]): string {
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`
}

/**
 * numpy's repr of a dtype's descr, as np.save writes it: a type string, or a list of field tuples
 * (name, descr[, shape]) where name is a str or a (title, name) tuple and shape a tuple.
 */
export function descrRepr(descr: PyValue): string {
  if (typeof descr === 'string') return strRepr(descr)
  if (!Array.isArray(descr))
    throw new NpyError(`a descr is a type string or a list of fields, not ${JSON.stringify(descr)}`)
  const field = (f: PyValue): string => {
    if (!Array.isArray(f) || f.length < 2 || f.length > 3) {
      throw new NpyError(`a descr field is (name, type) or (name, type, shape), not ${JSON.stringify(f)}`)
    }
    const [name, sub, shape] = f
    const nameText = Array.isArray(name) ? tupleRepr(name.map((n) => strRepr(String(n)))) : strRepr(String(name))
    const parts = [nameText, descrRepr(sub!)]
    if (shape !== undefined) parts.push(tupleRepr((shape as number[]).map(String)))
    return `(${parts.join(', ')})`
  }
  return `[${descr.map(field).join(', ')}]`
}

/**
 * A .npy header as numpy writes it: the smallest version that fits, padded to a multiple of 64 bytes — or,
 * given length, padded to exactly that many bytes (to rewrite a header in place without moving the data).
 */
export function writeNpyHeader(
  descr: PyValue,
  fortranOrder: boolean,
  shape: readonly number[],
  length?: number
): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
  const dict = `{'descr': ${descrRepr(descr)}, 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`
  const utf8 = new TextEncoder().encode(dict)
  const needsUtf8 = utf8.length !== dict.length
  const build = (major: number, pre: number): Uint8Array => {
    const unpadded = pre + utf8.length + 1
    const padded = length ?? Math.ceil(unpadded / 64) * 64
    if (padded < unpadded) {
      throw new NpyError(
        `the new header needs ${Math.ceil(unpadded / 64) * 64} bytes but the data starts at byte ${padded}`
      )
    }
    const out = new Uint8Array(padded)
    out.set(NPY_MAGIC, 0)
    out[6] = major
    out[7] = 0
    const view = new DataView(out.buffer)
    if (pre === 10) view.setUint16(8, padded - 10, true)
    else view.setUint32(8, padded - 12, true)
    out.set(utf8, pre)
    out.fill(0x20, pre + utf8.length, padded - 1)
    out[padded - 1] = 0x0a
    return out
  }
  if (needsUtf8) return build(3, 12)
  const total = length ?? Math.ceil((10 + utf8.length + 1) / 64) * 64
  if (total - 10 <= 0xffff) return build(1, 10)
  return build(2, 12) // the length field of version 1 is 16 bits: promote
}
