// The HDF5 datatype message (all classes, versions 1–4) as a numpy dtype where the bytes are numpy's — integers,
// IEEE floats (half, single, double, and bfloat16), compounds as structured dtypes with their padding (and h5py's
// complex {r, i} and bool enum {FALSE, TRUE} as numpy's), fixed strings and opaque data as void, array members as
// sub-arrays — and the decoding of small attribute values.
import type { JsonValue } from '../../json-value'
import { ContainerError } from '../model'
import { type Cursor, fieldView, utf8 } from './reader'

export interface H5Member {
  name: string
  offset: number
  type: H5Type
}

export interface H5Type {
  cls: number
  size: number
  /** numpy's descr (a scalar string or a structured list), when the bytes map to a numpy dtype. */
  descr?: string | unknown[]
  /** Why the bytes do not map, when they do not. */
  unmappable?: string
  /** The type in words (what `ls` shows as the stored type). */
  name: string
  littleEndian: boolean
  signed: boolean
  /** Floats: which kind (f2, f4, f8, bf16). */
  float?: string
  members?: H5Member[]
  /** Array: its dims; enum, array and vlen: the base type. */
  dims?: number[]
  base?: H5Type
  /** Enum members. */
  enumNames?: string[]
  enumValues?: number[]
  /** Variable-length: a string (else a sequence). */
  vlenString?: boolean
}

const MAX_MEMBERS = 4096
const MAX_DEPTH = 16

/** Parses one datatype message at the cursor (its own bytes only). */
export function parseDatatype(c: Cursor, depth = 0): H5Type {
  if (depth > MAX_DEPTH) throw new ContainerError(`${c.what}: datatypes nested more than ${MAX_DEPTH} deep`)
  const cv = c.u8()
  const cls = cv & 0x0f
  const version = cv >> 4
  const b0 = c.u8()
  const b1 = c.u8()
  const b2 = c.u8()
  void b2
  const size = c.u32()
  if (version < 1 || version > 5) throw new ContainerError(`${c.what}: datatype version ${version} is unknown`)
  const bits = b0 | (b1 << 8)
  const le = (b0 & 1) === 0
  const order = size === 1 ? '|' : le ? '<' : '>'
  const t: H5Type = { cls, size, name: '', littleEndian: le, signed: false }
  switch (cls) {
    case 0: {
      // fixed-point: bit offset, precision
      c.u16()
      c.u16()
      t.signed = (b0 & 0x08) !== 0
      t.name = `${t.signed ? 'int' : 'uint'}${size * 8}${size > 1 ? (le ? 'LE' : 'BE') : ''}`
      if ([1, 2, 4, 8].includes(size)) t.descr = `${order}${t.signed ? 'i' : 'u'}${size}`
      else t.unmappable = `${size}-byte integers have no numpy dtype`
      return t
    }
    case 1: {
      c.u16() // bit offset
      const precision = c.u16()
      c.u8() // exponent location
      const expSize = c.u8()
      c.u8() // mantissa location
      const mantSize = c.u8()
      c.u32() // bias
      void precision
      if (b0 & 0x40) {
        t.name = `float${size * 8} (VAX order)`
        t.unmappable = 'VAX-ordered floats have no numpy dtype'
        return t
      }
      const kind =
        size === 2 && expSize === 5 && mantSize === 10
          ? 'f2'
          : size === 2 && expSize === 8 && mantSize === 7
            ? 'bfloat16'
            : size === 4 && expSize === 8 && mantSize === 23
              ? 'f4'
              : size === 8 && expSize === 11 && mantSize === 52
                ? 'f8'
                : undefined
      t.name = `float${size * 8}${le ? 'LE' : 'BE'}`
      if (kind) {
        t.float = kind
        t.descr = `${le ? '<' : '>'}${kind}`
      } else
        t.unmappable = `a ${size}-byte float with ${expSize} exponent and ${mantSize} mantissa bits has no numpy dtype`
      return t
    }
    case 2:
      c.u16()
      t.name = 'time'
      t.unmappable = 'HDF5 time values have no numpy dtype'
      return t
    case 3: {
      const pad = bits & 0x0f
      t.name = `string[${size}]${pad === 0 ? ' nul-terminated' : pad === 1 ? ' nul-padded' : ' space-padded'}`
      // numpy's bytes_, as h5py reads fixed-length strings
      t.descr = `|S${size}`
      return t
    }
    case 4:
      c.u16()
      c.u16()
      t.name = `bitfield${size * 8}`
      if ([1, 2, 4, 8].includes(size)) t.descr = `${order}u${size}`
      else t.unmappable = `a ${size}-byte bitfield has no numpy dtype`
      return t
    case 5: {
      const tagLen = bits & 0xff
      const tag = tagLen ? utf8(c.sub(tagLen)).replace(/\0+$/, '') : ''
      t.name = `opaque[${size}]${tag ? ` '${tag}'` : ''}`
      t.descr = `|V${size}`
      return t
    }
    case 6:
      return compound(c, t, bits & 0xffff, version, depth)
    case 7:
      t.name = (bits & 0x0f) === 0 ? 'object reference' : 'region reference'
      t.unmappable = 'references point into the file; they are not numbers'
      return t
    case 8: {
      const base = parseDatatype(c, depth + 1)
      const n = bits & 0xffff
      if (n > MAX_MEMBERS) throw new ContainerError(`${c.what}: an enum claims ${n} members`)
      const names: string[] = []
      for (let k = 0; k < n; k++) {
        const start = c.pos
        names.push(c.cstring())
        if (version < 3) c.align(8, start)
      }
      const values: number[] = []
      for (let k = 0; k < n; k++) {
        const v = c.sub(base.size)
        values.push(intOf(v, base.littleEndian, base.signed))
      }
      t.base = base
      t.enumNames = names
      t.enumValues = values
      t.name = `enum(${base.name})`
      // h5py's bool: an int8 enum {FALSE: 0, TRUE: 1}
      if (
        base.size === 1 &&
        n === 2 &&
        names[0] === 'FALSE' &&
        names[1] === 'TRUE' &&
        values[0] === 0 &&
        values[1] === 1
      ) {
        t.descr = '|b1'
      } else if (base.descr) t.descr = base.descr
      else t.unmappable = base.unmappable
      return t
    }
    case 9: {
      const type = bits & 0x0f
      t.vlenString = type === 1
      t.base = parseDatatype(c, depth + 1)
      t.name = t.vlenString ? 'variable-length string' : `variable-length sequence of ${t.base.name}`
      t.unmappable = 'variable-length data lives in the global heap, not in the dataset'
      return t
    }
    case 10: {
      const nd = c.u8()
      if (nd > 32) throw new ContainerError(`${c.what}: an array type claims ${nd} dimensions`)
      if (version < 3) c.skip(3)
      const dims: number[] = []
      for (let k = 0; k < nd; k++) dims.push(c.u32())
      if (version < 3) c.skip(4 * nd)
      const base = parseDatatype(c, depth + 1)
      t.dims = dims
      t.base = base
      t.name = `${base.name}[${dims.join(',')}]`
      if (base.unmappable) t.unmappable = base.unmappable
      return t
    }
    default:
      t.name = `class ${cls}`
      t.unmappable = `HDF5 datatype class ${cls} is not read here`
      return t
  }
}

function compound(c: Cursor, t: H5Type, n: number, version: number, depth: number): H5Type {
  if (n > MAX_MEMBERS) throw new ContainerError(`${c.what}: a compound claims ${n} members`)
  const members: H5Member[] = []
  const offsetBytes = t.size < 256 ? 1 : t.size < 65536 ? 2 : t.size < 1 << 24 ? 3 : 4
  for (let k = 0; k < n; k++) {
    const start = c.pos
    const name = c.cstring()
    if (version < 3) c.align(8, start)
    let offset: number
    let dims: number[] = []
    if (version === 1) {
      offset = c.u32()
      const nd = c.u8()
      c.skip(3 + 4 + 4)
      for (let j = 0; j < 4; j++) {
        const d = c.u32()
        if (j < nd) dims.push(d)
      }
    } else if (version === 2) offset = c.u32()
    else offset = c.uint(offsetBytes)
    let type = parseDatatype(c, depth + 1)
    if (dims.length) {
      type = {
        cls: 10,
        size: type.size * dims.reduce((a, b) => a * b, 1),
        name: `${type.name}[${dims.join(',')}]`,
        littleEndian: type.littleEndian,
        signed: false,
        dims,
        base: type,
        ...(type.unmappable ? { unmappable: type.unmappable } : {})
      }
      dims = []
    }
    members.push({ name, offset, type })
  }
  t.members = members
  t.name = `compound{${members.map((m) => `${m.name}: ${m.type.name}`).join(', ')}}`
  // h5py's complex: {r, i} of one float type, packed
  const [r, i] = members
  if (
    n === 2 &&
    r!.name === 'r' &&
    i!.name === 'i' &&
    r!.type.float &&
    r!.type.float === i!.type.float &&
    r!.type.littleEndian === i!.type.littleEndian &&
    (r!.type.float === 'f4' || r!.type.float === 'f8') &&
    r!.offset === 0 &&
    i!.offset === r!.type.size &&
    t.size === 2 * r!.type.size
  ) {
    t.descr = `${r!.type.littleEndian ? '<' : '>'}c${t.size}`
    return t
  }
  const sorted = [...members].sort((a, b) => a.offset - b.offset)
  const descr: unknown[] = []
  let at = 0
  for (const m of sorted) {
    if (m.type.unmappable) {
      t.unmappable = `member '${m.name}': ${m.type.unmappable}`
      return t
    }
    if (m.offset < at || m.offset + m.type.size > t.size) {
      t.unmappable = `member '${m.name}' overlaps another or lies outside the ${t.size}-byte record`
      return t
    }
    if (m.offset > at) descr.push(['', `|V${m.offset - at}`])
    descr.push(memberDescr(m))
    at = m.offset + m.type.size
  }
  if (at < t.size) descr.push(['', `|V${t.size - at}`])
  t.descr = descr
  return t
}

function memberDescr(m: H5Member): unknown[] {
  if (m.type.cls === 10 && m.type.base && m.type.dims) return [m.name, m.type.base.descr, m.type.dims]
  return [m.name, m.type.descr]
}

function intOf(b: Uint8Array, le: boolean, signed: boolean): number {
  let v = 0
  for (let k = 0; k < b.length; k++) v = v * 256 + b[le ? b.length - 1 - k : k]!
  if (signed && b.length > 0 && b[le ? b.length - 1 : 0]! & 0x80) v -= 2 ** (8 * b.length)
  return v
}

/** Reads a variable-length string or sequence (length, global heap collection address, object index). */
export type GlobalHeapRead = (collection: number, index: number) => Uint8Array | null

/**
 * The values of count elements of type t in b as JSON (attributes): numbers, strings, records, enum names. Types
 * that are not numbers or text come back as a description.
 */
export function decodeValues(
  t: H5Type,
  b: Uint8Array,
  count: number,
  heap: GlobalHeapRead,
  sizeOfOffsets: number
): JsonValue[] {
  const out: JsonValue[] = []
  const n = Math.min(count, 4096)
  for (let k = 0; k < n; k++) out.push(decodeOne(t, b.subarray(k * t.size, (k + 1) * t.size), heap, sizeOfOffsets))
  if (count > n) out.push(`… ${count} values in all`)
  return out
}

function decodeOne(t: H5Type, b: Uint8Array, heap: GlobalHeapRead, soo: number): JsonValue {
  if (b.length < t.size) return null
  // every multi-byte read goes through fieldView, which checks it lies inside the element
  const what = `a value of type ${t.name}`
  switch (t.cls) {
    case 0:
    case 4:
      if (t.size === 8) {
        const dv = fieldView(b, 0, 8, what)
        const v = t.signed ? dv.getBigInt64(0, t.littleEndian) : dv.getBigUint64(0, t.littleEndian)
        return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()
      }
      return intOf(b, t.littleEndian, t.signed)
    case 1:
      if (t.float === 'f4') return jsonNumber(fieldView(b, 0, 4, what).getFloat32(0, t.littleEndian))
      if (t.float === 'f8') return jsonNumber(fieldView(b, 0, 8, what).getFloat64(0, t.littleEndian))
      return `<${t.name}>`
    case 3:
      return utf8(b)
        .replace(/[\0 ]+$/, '')
        .replace(/\0.*$/s, '')
    case 6: {
      const o: Record<string, JsonValue> = {}
      for (const m of t.members ?? [])
        o[m.name] = decodeOne(m.type, b.subarray(m.offset, m.offset + m.type.size), heap, soo)
      return o
    }
    case 8: {
      const v = intOf(b, t.base!.littleEndian, t.base!.signed)
      const k = t.enumValues!.indexOf(v)
      return k >= 0 ? t.enumNames![k]! : v
    }
    case 10: {
      const base = t.base!
      const count = (t.dims ?? []).reduce((a, c) => a * c, 1)
      return decodeValues(base, b, count, heap, soo)
    }
    case 9: {
      // length, global heap collection address (size of offsets), object index
      const len = fieldView(b, 0, 4, what).getUint32(0, true)
      const address = fieldView(b, 4, soo, what)
      let collection = 0
      for (let k = soo - 1; k >= 0; k--) collection = collection * 256 + address.getUint8(k)
      const index = fieldView(b, 4 + soo, 4, what).getUint32(0, true)
      const data = heap(collection, index)
      if (!data) return null
      if (t.vlenString) return utf8(data.subarray(0, len * 1))
      return decodeValues(t.base!, data, Math.min(len, Math.floor(data.length / Math.max(1, t.base!.size))), heap, soo)
    }
    default:
      return `<${t.name}>`
  }
}

function jsonNumber(x: number): JsonValue {
  return Number.isFinite(x) ? x : Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf'
}
