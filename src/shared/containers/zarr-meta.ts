// Zarr metadata documents (v2 .zarray, v3 zarr.json of an array) turned into what the chunk reader needs: the
// numpy dtype of the stored bytes, the chunk grid, the chunk keys' spelling, the codecs this reader decodes and
// the fill value's bytes — or the reason the array is only listed (a codec not decoded yet, a dtype not numeric).
import type { JsonValue } from '../json-value'
import { ChainRefusal, v2Steps, v3Steps, type ZarrStep } from './zarr-codecs'

/** What reading an array's chunks needs (structured-clonable: part of an entry). */
export interface ZarrArray {
  /** The array's folder in the store, '/'-separated ('' for an array at the store's root). */
  folder: string
  shape: number[]
  chunks: number[]
  /** A chunk key's prefix ('c/' for v3's default encoding, '' otherwise) and the separator of its indices. */
  keyPrefix: string
  separator: '.' | '/'
  /** The codecs in encoding order (v2's F order is a transpose, its filters and compressor follow). */
  steps: ZarrStep[]
  /** One element's bytes of the fill value when they are not all zeros. */
  fill?: number[]
  /** The codecs as the metadata names them, for people ('bytes(little) → gzip(5)'). */
  codecs: string[]
}

export interface ZarrParsed {
  dtype: string
  shape: number[]
  storedType: string
  array?: ZarrArray
  unmappable?: { reason: string; remedy: string }
}

const V3_TYPES: Record<string, string> = {
  bool: 'b1',
  int8: 'i1',
  uint8: 'u1',
  int16: 'i2',
  uint16: 'u2',
  int32: 'i4',
  uint32: 'u4',
  int64: 'i8',
  uint64: 'u8',
  float16: 'f2',
  float32: 'f4',
  float64: 'f8',
  complex64: 'c8',
  complex128: 'c16'
}

/** v2 dtypes read: numbers of either byte order, bool, complex ('<f8', '>i4', '|b1', '<c16'). */
const V2_DTYPE = /^([<>|])(b1|i1|u1|i2|u2|i4|u4|i8|u8|f2|f4|f8|c8|c16)$/

const REMEDY = 'convert the array with zarr-python to a copy with codecs ArrayScope reads (formats.md lists them)'

function later(what: string): { reason: string; remedy: string } {
  return { reason: `${what} is not read by ArrayScope`, remedy: REMEDY }
}

function intList(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || v.some((x) => !Number.isSafeInteger(x) || (x as number) < 0)) {
    throw new Error(`its ${what} ${JSON.stringify(v)} is not a list of non-negative integers`)
  }
  return v as number[]
}

/** The fill value's bytes for one element (numpy dtype with byte order), or undefined when all zero. */
export function fillBytes(fill: JsonValue | undefined, dtype: string): number[] | undefined {
  if (fill === null || fill === undefined) return undefined
  const little = dtype[0] !== '>'
  const code = dtype.slice(1)
  const size = code === 'b1' ? 1 : Number(code.slice(1))
  const buf = new DataView(new ArrayBuffer(size))
  const num = (v: JsonValue): number => {
    if (typeof v === 'number') return v
    if (typeof v === 'boolean') return v ? 1 : 0
    if (v === 'NaN') return NaN
    if (v === 'Infinity') return Infinity
    if (v === '-Infinity') return -Infinity
    throw new Error(`its fill_value ${JSON.stringify(v)} is not a number`)
  }
  const put = (v: JsonValue, at: number, kind: string, bytes: number): void => {
    // v3 writes a float's exact bits as a hex string ('0x7fc00000')
    if (typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v)) {
      const bits = BigInt(v)
      for (let i = 0; i < bytes; i++) {
        const b = Number((bits >> BigInt(8 * i)) & 0xffn)
        buf.setUint8(at + (little ? i : bytes - 1 - i), b)
      }
      return
    }
    const x = num(v)
    if (kind === 'f') {
      if (bytes === 2) buf.setUint16(at, f16bits(x), little)
      else if (bytes === 4) buf.setFloat32(at, x, little)
      else buf.setFloat64(at, x, little)
    } else if (kind === 'b') buf.setUint8(at, x ? 1 : 0)
    else if (bytes === 8) {
      const big = BigInt(Math.trunc(x))
      if (kind === 'i') buf.setBigInt64(at, big, little)
      else buf.setBigUint64(at, big, little)
    } else if (bytes === 1) buf.setUint8(at, x & 0xff)
    else if (bytes === 2) buf.setUint16(at, x & 0xffff, little)
    else buf.setUint32(at, x >>> 0, little)
  }
  if (code[0] === 'c') {
    const half = size / 2
    const [re, im] = Array.isArray(fill) ? fill : [fill, 0]
    put(re ?? 0, 0, 'f', half)
    put(im ?? 0, half, 'f', half)
  } else put(fill, 0, code[0]!, size)
  const out = [...new Uint8Array(buf.buffer)]
  return out.every((b) => b === 0) ? undefined : out
}

/** float16 bits of a number (round to nearest even), for a float16 fill value. */
function f16bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00
  const f = new DataView(new ArrayBuffer(4))
  f.setFloat32(0, x)
  const b = f.getUint32(0)
  const sign = (b >>> 16) & 0x8000
  const exp = ((b >>> 23) & 0xff) - 127 + 15
  const man = b & 0x7fffff
  if (exp >= 31) return sign | 0x7c00
  if (exp <= 0) return sign | Math.round((man | 0x800000) / 2 ** (14 - exp))
  const h = sign | (exp << 10) | (man >> 13)
  const rest = man & 0x1fff
  return rest > 0x1000 || (rest === 0x1000 && h & 1) ? h + 1 : h
}

/** A v2 .zarray document. */
export function parseZarray(doc: Record<string, JsonValue>, folder: string): ZarrParsed {
  const shape = intList(doc.shape, 'shape')
  const chunks = intList(doc.chunks, 'chunks')
  if (chunks.length !== shape.length || chunks.some((c) => c < 1)) {
    throw new Error(`its chunks (${chunks.join(', ')}) do not fit its shape (${shape.join(', ')})`)
  }
  const raw = doc.dtype
  const storedType = typeof raw === 'string' ? raw : JSON.stringify(raw)
  const m = typeof raw === 'string' ? V2_DTYPE.exec(raw) : null
  if (!m) {
    return {
      dtype: '|u1',
      shape,
      storedType,
      unmappable: later(`its dtype ${storedType} (only numbers, bool and complex are read so far)`)
    }
  }
  const dtype = `${m[1] === '|' ? '|' : m[1]}${m[2]}`
  const compressor = doc.compressor as Record<string, JsonValue> | null
  const id = compressor ? String(compressor.id) : 'none'
  const filters = Array.isArray(doc.filters) ? (doc.filters as Record<string, JsonValue>[]) : []
  const codecs = [
    ...(doc.order === 'F' && shape.length > 1 ? ['order F'] : []),
    ...filters.map((f) => String(f.id)),
    id === 'none'
      ? 'no compressor'
      : `${id}(${compressor!.cname ? `${String(compressor!.cname)} ` : ''}${compressor!.level ?? compressor!.clevel ?? ''})`
  ]
  let steps: ZarrStep[]
  try {
    steps = v2Steps(doc, dtype, shape.length)
  } catch (e) {
    if (e instanceof ChainRefusal) return { dtype, shape, storedType, unmappable: later(e.message) }
    throw e
  }
  const sep = doc.dimension_separator ?? '.'
  if (sep !== '.' && sep !== '/') throw new Error(`its dimension_separator ${JSON.stringify(sep)} is not "." or "/"`)
  const fill = fillBytes(doc.fill_value, dtype)
  return {
    dtype,
    shape,
    storedType,
    array: {
      folder,
      shape,
      chunks,
      keyPrefix: '',
      separator: sep,
      steps,
      ...(fill ? { fill } : {}),
      codecs
    }
  }
}

/** A v3 zarr.json of an array. */
export function parseZarrJsonArray(doc: Record<string, JsonValue>, folder: string): ZarrParsed {
  const shape = intList(doc.shape, 'shape')
  const grid = doc.chunk_grid as Record<string, JsonValue> | undefined
  const storedType = typeof doc.data_type === 'string' ? doc.data_type : JSON.stringify(doc.data_type)
  const code = V3_TYPES[storedType]
  const fail = (what: string): ZarrParsed => ({
    dtype: code ? `<${code}` : '|u1',
    shape,
    storedType,
    unmappable: later(what)
  })
  if (grid?.name !== 'regular') return fail(`its chunk grid ${JSON.stringify(grid?.name)}`)
  const chunks = intList((grid.configuration as Record<string, JsonValue>)?.chunk_shape, 'chunk_shape')
  if (chunks.length !== shape.length || chunks.some((c) => c < 1)) {
    throw new Error(`its chunk_shape (${chunks.join(', ')}) does not fit its shape (${shape.join(', ')})`)
  }
  if (!code) return fail(`its data_type ${storedType} (only numbers, bool and complex are read so far)`)
  const enc = (doc.chunk_key_encoding as Record<string, JsonValue>) ?? { name: 'default' }
  const sep = (enc.configuration as Record<string, JsonValue> | undefined)?.separator ?? (enc.name === 'v2' ? '.' : '/')
  if (sep !== '.' && sep !== '/') throw new Error(`its chunk key separator ${JSON.stringify(sep)} is not "." or "/"`)
  if (enc.name !== 'default' && enc.name !== 'v2') return fail(`its chunk_key_encoding ${JSON.stringify(enc.name)}`)
  const list = Array.isArray(doc.codecs) ? (doc.codecs as Record<string, JsonValue>[]) : []
  const names = list.map((c) => {
    const conf = (c.configuration as Record<string, JsonValue>) ?? {}
    return c.name === 'bytes' ? `bytes(${String(conf.endian ?? 'little')})` : String(c.name)
  })
  let chain: { steps: ZarrStep[]; endian: '<' | '>' }
  try {
    chain = v3Steps(doc.codecs, chunks)
  } catch (e) {
    if (e instanceof ChainRefusal) return fail(e.message)
    throw e
  }
  const endian = chain.endian
  const dtype = (code === 'b1' || code.endsWith('1') ? '|' : endian) + code
  const fill = fillBytes(doc.fill_value, dtype)
  return {
    dtype,
    shape,
    storedType,
    array: {
      folder,
      shape,
      chunks,
      keyPrefix: enc.name === 'default' ? 'c' + sep : '',
      separator: sep,
      steps: chain.steps,
      ...(fill ? { fill } : {}),
      codecs: names
    }
  }
}

/** A chunk's key (relative to the array's folder) from its grid coordinates: only digits and the separator. */
export function chunkKey(a: ZarrArray, coords: readonly number[]): string {
  // a 0-d array's one chunk is "0" in v2 and "c" in v3
  if (coords.length === 0) return a.keyPrefix ? a.keyPrefix.slice(0, -1) : '0'
  return a.keyPrefix + coords.join(a.separator)
}
