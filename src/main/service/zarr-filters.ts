// Zarr v2 filters undone on a chunk's values, as numcodecs decodes them: delta (a running sum in the array's
// dtype), fixedscaleoffset (enc / scale + offset, then cast), astype (a cast). Values are read and written one by
// one through a DataView in their dtypes' byte orders; casts follow numpy's astype (integers wrap, floats to
// integers truncate, float32 rounds).
import type { ZarrFilter } from '../../shared/containers/zarr-codecs'

type Num = number | bigint

interface Kind {
  size: number
  get: (v: DataView, at: number) => Num
  set: (v: DataView, at: number, x: Num) => void
  float: boolean
  big: boolean
}

function toNumber(x: Num): number {
  return typeof x === 'bigint' ? Number(x) : x
}

/** A numeric dtype's reader and writer (the dtype already checked by zarr-codecs.ts). */
function kind(dtype: string): Kind {
  const le = dtype[0] !== '>'
  const code = dtype.slice(1)
  const size = code === 'b1' ? 1 : Number(code.slice(1))
  const t = code[0]
  const trunc = (x: Num): number => {
    const n = Math.trunc(toNumber(x))
    return Number.isFinite(n) ? n : 0
  }
  const big = (x: Num): bigint => (typeof x === 'bigint' ? x : BigInt(trunc(x)))
  if (t === 'f') {
    return size === 4
      ? {
          size,
          float: true,
          big: false,
          get: (v, a) => v.getFloat32(a, le),
          set: (v, a, x) => v.setFloat32(a, toNumber(x), le)
        }
      : {
          size,
          float: true,
          big: false,
          get: (v, a) => v.getFloat64(a, le),
          set: (v, a, x) => v.setFloat64(a, toNumber(x), le)
        }
  }
  if (size === 8) {
    return t === 'i'
      ? {
          size,
          float: false,
          big: true,
          get: (v, a) => v.getBigInt64(a, le),
          set: (v, a, x) => v.setBigInt64(a, BigInt.asIntN(64, big(x)), le)
        }
      : {
          size,
          float: false,
          big: true,
          get: (v, a) => v.getBigUint64(a, le),
          set: (v, a, x) => v.setBigUint64(a, BigInt.asUintN(64, big(x)), le)
        }
  }
  // integers up to 32 bits: the setters wrap as numpy's astype does (b1: any non-zero is True)
  const w = (x: Num): number => (typeof x === 'bigint' ? Number(BigInt.asIntN(32, x)) : trunc(x))
  if (code === 'b1')
    return {
      size,
      float: false,
      big: false,
      get: (v, a) => v.getUint8(a),
      set: (v, a, x) => v.setUint8(a, toNumber(x) ? 1 : 0)
    }
  if (size === 1) {
    return t === 'i'
      ? { size, float: false, big: false, get: (v, a) => v.getInt8(a), set: (v, a, x) => v.setInt8(a, w(x)) }
      : { size, float: false, big: false, get: (v, a) => v.getUint8(a), set: (v, a, x) => v.setUint8(a, w(x)) }
  }
  if (size === 2) {
    return t === 'i'
      ? { size, float: false, big: false, get: (v, a) => v.getInt16(a, le), set: (v, a, x) => v.setInt16(a, w(x), le) }
      : {
          size,
          float: false,
          big: false,
          get: (v, a) => v.getUint16(a, le),
          set: (v, a, x) => v.setUint16(a, w(x), le)
        }
  }
  return t === 'i'
    ? { size, float: false, big: false, get: (v, a) => v.getInt32(a, le), set: (v, a, x) => v.setInt32(a, w(x), le) }
    : { size, float: false, big: false, get: (v, a) => v.getUint32(a, le), set: (v, a, x) => v.setUint32(a, w(x), le) }
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength)
}

/** Undoes one filter over n elements: `input` holds numbers in f.from, the result numbers in f.to. */
export function undoFilter(f: ZarrFilter, input: Uint8Array, n: number): Uint8Array {
  const from = kind(f.from)
  const to = kind(f.to)
  const out = new Uint8Array(n * to.size)
  const src = view(input)
  const dst = view(out)
  if (f.id === 'delta') {
    // np.cumsum into the dtype: a running sum that wraps for integers, rounds to float32 for float32
    if (to.big || from.big) {
      let acc = 0n
      for (let i = 0; i < n; i++) {
        const x = from.get(src, i * from.size)
        acc = acc + (typeof x === 'bigint' ? x : BigInt(Math.trunc(x)))
        to.set(dst, i * to.size, acc)
        acc = to.get(dst, i * to.size) as bigint
      }
    } else {
      let acc = 0
      for (let i = 0; i < n; i++) {
        acc += from.get(src, i * from.size) as number
        to.set(dst, i * to.size, acc)
        acc = to.get(dst, i * to.size) as number
      }
    }
    return out
  }
  if (f.id === 'fixedscaleoffset') {
    // (enc / scale) + offset in float64 (numpy's result for integer encodings), float32 when encoded as float32
    const f32 = f.from.endsWith('f4')
    for (let i = 0; i < n; i++) {
      const x = toNumber(from.get(src, i * from.size))
      const v = f32 ? Math.fround(Math.fround(x / f.scale) + f.offset) : x / f.scale + f.offset
      to.set(dst, i * to.size, to.float ? v : Math.trunc(v))
    }
    return out
  }
  for (let i = 0; i < n; i++) to.set(dst, i * to.size, from.get(src, i * from.size))
  return out
}

/** An element's size in a filter's dtype. */
export function filterItemsize(dtype: string): number {
  return kind(dtype).size
}
