// The dtype registry: one entry per element type, with decode/encode/format/parse kept side by side so that
// what the table shows and what an edit writes stay symmetric (as ImHex's data-inspector entries do).
import { LayoutMismatchError } from './errors'
import {
  E4M3FN,
  E5M2,
  bfloat16ToNumber,
  float8ToNumber,
  halfToNumber,
  numberToBfloat16,
  numberToFloat8,
  numberToHalf,
  float32Text,
  float64Text,
  numpyFloatText,
  shortestDigits
} from './floats'
import { decodeLongDouble, encodeLongDouble } from './longdouble'
import { stringEntry } from './strings'
import { ParseError, type Scalar, type TypeEntry } from './type-entry'

export { ParseError, type Kind, type Scalar, type TypeEntry } from './type-entry'

function parseFloatText(text: string): number {
  const t = text.trim().toLowerCase()
  if (t === 'nan' || t === '+nan' || t === '-nan') return NaN
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity
  if (t === '-inf' || t === '-infinity') return -Infinity
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) throw new ParseError(`'${text}' is not a number`)
  return Number(t)
}

function asNumber(v: Scalar): number {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'string') throw new ParseError(`'${v}' is text, not a number`)
  return v[0]
}

function intEntry(bits: 8 | 16 | 32 | 64, signed: boolean): TypeEntry {
  const size = bits / 8
  const name = `${signed ? 'int' : 'uint'}${bits}`
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n
  const parse = (text: string): Scalar => {
    const t = text.trim()
    let v: bigint
    if (/^[+-]?\d+$/.test(t)) v = BigInt(t)
    else if (/^[+-]?0x[0-9a-f]+$/i.test(t)) v = t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t.replace('+', ''))
    else throw new ParseError(`'${text}' is not an integer`)
    if (v < min || v > max) throw new ParseError(`${t} is out of range for ${name} [${min}, ${max}]`)
    return bits === 64 ? v : Number(v)
  }
  const decode = (view: DataView, o: number, little: boolean): Scalar => {
    switch (bits) {
      case 8:
        return signed ? view.getInt8(o) : view.getUint8(o)
      case 16:
        return signed ? view.getInt16(o, little) : view.getUint16(o, little)
      case 32:
        return signed ? view.getInt32(o, little) : view.getUint32(o, little)
      case 64:
        return signed ? view.getBigInt64(o, little) : view.getBigUint64(o, little)
    }
  }
  const encode = (view: DataView, o: number, value: Scalar, little: boolean): void => {
    const big = typeof value === 'bigint' ? value : BigInt(Math.trunc(asNumber(value)))
    if (big < min || big > max) throw new ParseError(`${big} is out of range for ${name} [${min}, ${max}]`)
    switch (bits) {
      case 8:
        return signed ? view.setInt8(o, Number(big)) : view.setUint8(o, Number(big))
      case 16:
        return signed ? view.setInt16(o, Number(big), little) : view.setUint16(o, Number(big), little)
      case 32:
        return signed ? view.setInt32(o, Number(big), little) : view.setUint32(o, Number(big), little)
      case 64:
        return signed ? view.setBigInt64(o, big, little) : view.setBigUint64(o, big, little)
    }
  }
  return {
    name,
    code: `${signed ? 'i' : 'u'}${size}`,
    kind: signed ? 'int' : 'uint',
    size,
    decode,
    encode,
    format: (v) => String(v),
    parse
  }
}

function floatEntry(
  name: string,
  code: string,
  size: 1 | 2 | 4 | 8,
  toBits: ((x: number) => number) | null,
  fromBits: ((b: number) => number) | null,
  digits: number,
  sciAbove: number
): TypeEntry {
  const roundTrip =
    fromBits && toBits
      ? (x: number): number => fromBits(toBits(x))
      : size === 4
        ? Math.fround
        : (x: number): number => x
  const decode = (view: DataView, o: number, little: boolean): Scalar => {
    if (size === 8) return view.getFloat64(o, little)
    if (size === 4 && !fromBits) return view.getFloat32(o, little)
    const bits = size === 1 ? view.getUint8(o) : view.getUint16(o, little)
    return fromBits!(bits)
  }
  const encode = (view: DataView, o: number, value: Scalar, little: boolean): void => {
    const x = asNumber(value)
    if (size === 8) return view.setFloat64(o, x, little)
    if (size === 4 && !toBits) return view.setFloat32(o, x, little)
    const bits = toBits!(x)
    if (size === 1) view.setUint8(o, bits)
    else view.setUint16(o, bits, little)
  }
  const format = (v: Scalar): string => numpyFloatText(asNumber(v), roundTrip, digits, sciAbove)
  return {
    name,
    code,
    kind: 'float',
    size,
    decode,
    encode,
    format,
    parse: (text) => roundTrip(parseFloatText(text)),
    float: {
      shortest: (x) => shortestDigits(x, roundTrip, digits),
      precision: FINFO_PRECISION[name] ?? 15,
      round: roundTrip
    }
  }
}

/** np.finfo(t).precision (ml_dtypes' for bfloat16 and float8). */
const FINFO_PRECISION: Record<string, number> = {
  float16: 3,
  float32: 6,
  float64: 15,
  bfloat16: 2,
  float8_e4m3fn: 1,
  float8_e5m2: 1
}

function complexEntry(size: 8 | 16): TypeEntry {
  const half = size / 2
  const part = (x: number): string => (half === 4 ? float32Text(x, true) : float64Text(x, true))
  const get = (view: DataView, o: number, little: boolean): number =>
    half === 4 ? view.getFloat32(o, little) : view.getFloat64(o, little)
  const set = (view: DataView, o: number, x: number, little: boolean): void =>
    half === 4 ? view.setFloat32(o, x, little) : view.setFloat64(o, x, little)
  return {
    name: `complex${size * 8}`,
    code: `c${size}`,
    kind: 'complex',
    size,
    decode: (view, o, little) => [get(view, o, little), get(view, o + half, little)] as const,
    encode: (view, o, value, little) => {
      const [re, im] = Array.isArray(value) ? (value as readonly [number, number]) : [asNumber(value), 0]
      set(view, o, re, little)
      set(view, o + half, im, little)
    },
    format: (v) => {
      const [re, im] = v as readonly [number, number]
      const imText = part(im)
      const sign = imText.startsWith('-') ? '' : '+'
      return `(${part(re)}${sign}${imText}j)`
    },
    parse: (text) => parseComplex(text, half === 4 ? Math.fround : (x) => x),
    float: {
      shortest: (x) => shortestDigits(x, half === 4 ? Math.fround : (v) => v, half === 4 ? 9 : 17),
      precision: half === 4 ? 6 : 15,
      round: half === 4 ? Math.fround : (x) => x
    }
  }
}

/** Parses "1+2j", "(1-2.5j)", "3", "-4j", "nan+infj". */
export function parseComplex(text: string, round: (x: number) => number): readonly [number, number] {
  const t = text
    .trim()
    .replace(/^\((.*)\)$/, '$1')
    .replace(/\s+/g, '')
    .toLowerCase()
  const num = '(?:[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:e[+-]?\\d+)?|[+-]?(?:nan|inf|infinity))'
  const both = new RegExp(`^(${num})([+-](?:\\d+\\.?\\d*|\\.\\d+)(?:e[+-]?\\d+)?|[+-](?:nan|inf|infinity))j$`)
  const m = both.exec(t)
  if (m) return [round(parseFloatText(m[1]!)), round(parseFloatText(m[2]!))]
  const imOnly = new RegExp(`^(${num})j$`).exec(t)
  if (imOnly) return [0, round(parseFloatText(imOnly[1]!))]
  if (new RegExp(`^${num}$`).test(t)) return [round(parseFloatText(t)), 0]
  throw new ParseError(`'${text}' is not a complex number (write it like 1+2j)`)
}

const boolEntry: TypeEntry = {
  name: 'bool',
  code: 'b1',
  kind: 'bool',
  size: 1,
  decode: (view, o) => view.getUint8(o) !== 0,
  encode: (view, o, value) => view.setUint8(o, asNumber(value) !== 0 ? 1 : 0),
  format: (v) => (v ? 'True' : 'False'),
  parse: (text) => {
    const t = text.trim().toLowerCase()
    if (t === 'true' || t === '1') return true
    if (t === 'false' || t === '0') return false
    throw new ParseError(`'${text}' is not a bool (true/false/1/0)`)
  }
}

export const TYPES: readonly TypeEntry[] = [
  boolEntry,
  intEntry(8, true),
  intEntry(16, true),
  intEntry(32, true),
  intEntry(64, true),
  intEntry(8, false),
  intEntry(16, false),
  intEntry(32, false),
  intEntry(64, false),
  floatEntry('float16', 'f2', 2, numberToHalf, halfToNumber, 5, 1e3),
  floatEntry('float32', 'f4', 4, null, null, 9, 1e6),
  floatEntry('float64', 'f8', 8, null, null, 17, 1e16),
  floatEntry('bfloat16', 'bfloat16', 2, numberToBfloat16, bfloat16ToNumber, 4, 1e16),
  floatEntry(
    'float8_e4m3fn',
    'float8_e4m3fn',
    1,
    (x) => numberToFloat8(x, E4M3FN),
    (b) => float8ToNumber(b, E4M3FN),
    3,
    1e16
  ),
  floatEntry(
    'float8_e5m2',
    'float8_e5m2',
    1,
    (x) => numberToFloat8(x, E5M2),
    (b) => float8ToNumber(b, E5M2),
    3,
    1e16
  ),
  complexEntry(8),
  complexEntry(16)
]

/** numpy's long double as x86 stores it: x87 80-bit extended in 16 bytes (12 on 32-bit x86). */
function longDoubleEntry(size: 12 | 16): TypeEntry {
  return {
    name: size === 16 ? 'longdouble' : 'longdouble96',
    code: `f${size}`,
    kind: 'float',
    size,
    decode: (view, o, little) => decodeLongDouble(view, o, size, little),
    encode: (view, o, value, little) => encodeLongDouble(view, o, size, little, asNumber(value)),
    // shown at float64 precision: the value is read as the nearest float64 (numpy's float(x))
    format: (v) => float64Text(asNumber(v)),
    parse: (text) => parseFloatText(text),
    // the value is the nearest float64: its shortest digits are float64's
    float: { shortest: (x) => shortestDigits(x, (v) => v, 17), precision: 18, round: (x) => x }
  }
}

/** Types numpy has that the data inspector does not list (they have no fixed place in a byte stream). */
const EXTRA_TYPES: readonly TypeEntry[] = [longDoubleEntry(16), longDoubleEntry(12)]

const BY_CODE = new Map([...TYPES, ...EXTRA_TYPES].map((t) => [t.code, t]))
const BY_NAME = new Map([...TYPES, ...EXTRA_TYPES].map((t) => [t.name, t]))

/** numpy's aliases beyond name and code. */
const ALIASES: Record<string, string> = {
  '?': 'b1',
  b: 'i1',
  B: 'u1',
  h: 'i2',
  H: 'u2',
  i: 'i4',
  I: 'u4',
  l: 'i8',
  L: 'u8',
  q: 'i8',
  Q: 'u8',
  e: 'f2',
  f: 'f4',
  d: 'f8',
  F: 'c8',
  D: 'c16',
  half: 'f2',
  single: 'f4',
  double: 'f8',
  float: 'f8',
  int: 'i8',
  bool_: 'b1',
  byte: 'i1',
  ubyte: 'u1',
  short: 'i2',
  ushort: 'u2',
  intc: 'i4',
  uintc: 'u4',
  longlong: 'i8',
  ulonglong: 'u8',
  csingle: 'c8',
  cdouble: 'c16',
  complex: 'c16',
  bf16: 'bfloat16',
  g: 'f16',
  float128: 'f16',
  float96: 'f12'
}

/** A concrete scalar dtype: a type entry and a byte order. */
export interface ScalarDType {
  kind: 'scalar'
  type: TypeEntry
  littleEndian: boolean
  /** numpy's dtype.str: '<f4', '>i2', '|u1', '|b1'; for extension types '<bfloat16'. */
  str: string
  itemsize: number
}

export class DTypeError extends LayoutMismatchError {}

const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** Parses a numpy dtype spelling: '<f4', '>i2', '=u2', '|u1', 'f8', 'float32', 'complex64', '?', 'bfloat16'. */
export function parseScalarDType(spec: string): ScalarDType {
  const s = spec.trim()
  if (!s) throw new DTypeError('dtype is empty: give one like <f4, >i2, uint8, float32')
  let order = ''
  let body = s
  if ('<>=|!'.includes(s[0]!)) {
    order = s[0]!
    body = s.slice(1)
  }
  const text = /^([SaU])(\d+)$/.exec(body)
  if (/^(S|a|U|bytes_|str_|string_|unicode_)0*$/.test(body)) {
    throw new DTypeError(`dtype '${spec}' needs a length, e.g. S8 (8 bytes) or U8 (8 characters)`)
  }
  const type = text ? stringEntry(text[1] === 'U' ? 'U' : 'S', Number(text[2])) : lookupType(body)
  if (!type) {
    throw new DTypeError(
      `unknown dtype '${spec}': use numpy's spellings such as <f4, >i2, u1, c8, f2, float32, int64, bfloat16, float8_e4m3fn`
    )
  }
  let little: boolean
  if (order === '<') little = true
  else if (order === '>' || order === '!') little = false
  else little = HOST_LITTLE
  return makeScalar(type, type.size === 1 ? true : little)
}

function lookupType(body: string): TypeEntry | undefined {
  const alias = ALIASES[body]
  const key = alias ?? body
  const byCode = BY_CODE.get(key) ?? BY_NAME.get(key)
  if (byCode) return byCode
  // numpy also accepts the lower-case type char with size ('i4'), and 'b1' for bool, done above.
  return undefined
}

export function makeScalar(type: TypeEntry, littleEndian: boolean): ScalarDType {
  // bytes have no byte order (|S5), whatever their length
  const oneByte = type.size === 1 || type.kind === 'bytes'
  const prefix = oneByte ? '|' : littleEndian ? '<' : '>'
  const body = /^([biufc]\d+|[SU]\d+)$/.test(type.code) ? type.code : type.name
  return {
    kind: 'scalar',
    type,
    littleEndian: oneByte ? true : littleEndian,
    str: `${prefix}${body}`,
    itemsize: type.size
  }
}

export function decodeAt(dt: ScalarDType, view: DataView, offset: number): Scalar {
  return dt.type.decode(view, offset, dt.littleEndian)
}

export function encodeAt(dt: ScalarDType, view: DataView, offset: number, value: Scalar): void {
  dt.type.encode(view, offset, value, dt.littleEndian)
}
