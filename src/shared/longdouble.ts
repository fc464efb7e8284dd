// numpy's long double on x86 (<f16, and <f12 on 32-bit x86): the x87 80-bit extended format — a 64-bit
// significand with an explicit integer bit, a 15-bit exponent (bias 16383) and a sign — in the first 10 bytes
// of a 16- (or 12-) byte little-endian slot; '>f16' is the same 16 bytes reversed. Values are read as the
// nearest float64 (numpy's float(x)), correctly rounded, and float64 values are written exactly.

/** The 10 value bytes of an element, little-endian, whatever its byte order and slot size. */
function valueBytes(view: DataView, offset: number, size: number, little: boolean): Uint8Array {
  const out = new Uint8Array(10)
  for (let k = 0; k < 10; k++) out[k] = view.getUint8(little ? offset + k : offset + size - 1 - k)
  return out
}

/** x · 2^e without overflow or underflow in between (e may exceed a double's exponent range). */
function scale(x: number, e: number): number {
  while (e > 1000) {
    x *= 2 ** 1000
    e -= 1000
    if (!Number.isFinite(x)) return x
  }
  while (e < -1000) {
    x *= 2 ** -1000
    e += 1000
    if (x === 0) return x
  }
  return x * 2 ** e
}

export function decodeLongDouble(view: DataView, offset: number, size: number, little: boolean): number {
  const b = valueBytes(view, offset, size, little)
  const v = new DataView(b.buffer)
  const m = v.getBigUint64(0, true)
  const se = v.getUint16(8, true)
  const sign = se & 0x8000 ? -1 : 1
  const exp = se & 0x7fff
  const integerBit = (m >> 63n) & 1n
  if (exp === 0x7fff) return (m & ((1n << 63n) - 1n)) === 0n && integerBit ? sign * Infinity : NaN
  if (exp === 0) return sign * 0 // below 2^-16382: far under float64's smallest subnormal (2^-1074)
  if (!integerBit) return NaN // an "unnormal": x87 refuses it as an invalid operand
  const e = exp - 16383 // the value is m · 2^(e - 63), with 2^63 <= m < 2^64
  if (e >= -1022) return sign * scale(Number(m), e - 63) // one rounding (64 -> 53 bits), then exact scaling
  // a float64 subnormal: round m · 2^(e - 63) to a multiple of 2^-1074 at once, ties to even
  const shift = BigInt(-1074 - (e - 63))
  if (shift >= 66n) return sign * 0
  let q = m >> shift
  const rest = m - (q << shift)
  const half = 1n << (shift - 1n)
  if (rest > half || (rest === half && q & 1n)) q += 1n
  return sign * Number(q) * 2 ** -1074
}

export function encodeLongDouble(view: DataView, offset: number, size: number, little: boolean, x: number): void {
  const b = new Uint8Array(10)
  const v = new DataView(b.buffer)
  let m = 0n
  let exp = 0
  const negative = x < 0 || Object.is(x, -0)
  if (Number.isNaN(x)) {
    exp = 0x7fff
    m = 0xc000000000000000n // the x87 "real indefinite" quiet NaN
  } else if (!Number.isFinite(x)) {
    exp = 0x7fff
    m = 0x8000000000000000n
  } else if (x !== 0) {
    const d = new DataView(new ArrayBuffer(8))
    d.setFloat64(0, Math.abs(x))
    const bits = d.getBigUint64(0)
    const e11 = Number(bits >> 52n)
    const frac = bits & ((1n << 52n) - 1n)
    if (e11 > 0) {
      exp = e11 - 1023 + 16383
      m = ((1n << 52n) | frac) << 11n
    } else {
      // a float64 subnormal is a normal number in 80 bits
      const top = frac.toString(2).length - 1
      exp = top - 1074 + 16383
      m = frac << BigInt(63 - top)
    }
  }
  v.setBigUint64(0, m, true)
  v.setUint16(8, (negative ? 0x8000 : 0) | exp, true)
  for (let k = 0; k < size; k++) view.setUint8(offset + k, 0)
  for (let k = 0; k < 10; k++) view.setUint8(little ? offset + k : offset + size - 1 - k, b[k]!)
}
