// Bit-level codecs for the small float formats numpy (or ml_dtypes) stores: float16, bfloat16, float8.
// Each decodes from / encodes to the raw unsigned integer, so byte order is handled by the caller.

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

/** IEEE 754 binary16 bits -> number. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1
  const exp = (h >> 10) & 0x1f
  const frac = h & 0x3ff
  if (exp === 0) return sign * frac * 2 ** -24
  if (exp === 0x1f) return frac ? NaN : sign * Infinity
  return sign * (1 + frac / 1024) * 2 ** (exp - 15)
}

/** number -> IEEE 754 binary16 bits, round to nearest even (as numpy's astype('f2')). */
export function numberToHalf(x: number): number {
  if (Number.isNaN(x)) return 0x7e00
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0
  const a = Math.abs(x)
  if (a === Infinity) return sign | 0x7c00
  if (a >= 65520) return sign | 0x7c00 // rounds to inf
  if (a < 2 ** -24 * 0.5) return sign // underflow to zero (ties to even: 0.5 ulp -> 0)
  let exp = Math.floor(Math.log2(a))
  if (2 ** exp > a) exp -= 1
  if (2 ** (exp + 1) <= a) exp += 1
  if (exp < -14) {
    // subnormal: units of 2^-24
    const m = roundHalfEven(a / 2 ** -24)
    return sign | m // m may reach 1024, which is the smallest normal: still correct bits
  }
  let m = roundHalfEven((a / 2 ** exp - 1) * 1024)
  let e = exp + 15
  if (m === 1024) {
    m = 0
    e += 1
  }
  if (e >= 0x1f) return sign | 0x7c00
  return sign | (e << 10) | m
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v)
  const d = v - f
  if (d > 0.5) return f + 1
  if (d < 0.5) return f
  return f % 2 === 0 ? f : f + 1
}

/** bfloat16 bits (the top half of a float32) -> number. */
export function bfloat16ToNumber(b: number): number {
  u32[0] = (b & 0xffff) << 16
  return f32[0]!
}

/** number -> bfloat16 bits, round to nearest even (as ml_dtypes). */
export function numberToBfloat16(x: number): number {
  f32[0] = x
  const bits = u32[0]!
  if (Number.isNaN(f32[0])) return ((bits >>> 16) | 0x40) & 0xffff
  const lsb = (bits >>> 16) & 1
  return ((bits + 0x7fff + lsb) >>> 16) & 0xffff
}

/** A float8 format: exponent/mantissa widths and how it spends its top codes. */
export interface Float8Format {
  expBits: number
  manBits: number
  bias: number
  /** e4m3fn: no infinities, only S.1111.111 is NaN. e5m2: IEEE-like inf/NaN. */
  ieee: boolean
}
export const E4M3FN: Float8Format = { expBits: 4, manBits: 3, bias: 7, ieee: false }
export const E5M2: Float8Format = { expBits: 5, manBits: 2, bias: 15, ieee: true }

export function float8ToNumber(bits: number, f: Float8Format): number {
  const sign = bits & 0x80 ? -1 : 1
  const expMax = (1 << f.expBits) - 1
  const exp = (bits >> f.manBits) & expMax
  const man = bits & ((1 << f.manBits) - 1)
  if (f.ieee && exp === expMax) return man ? NaN : sign * Infinity
  if (!f.ieee && exp === expMax && man === (1 << f.manBits) - 1) return NaN
  if (exp === 0) return sign * man * 2 ** (1 - f.bias - f.manBits)
  return sign * (1 + man / (1 << f.manBits)) * 2 ** (exp - f.bias)
}

/** number -> float8 bits, round to nearest even; overflow saturates to NaN (e4m3fn) or inf (e5m2). */
export function numberToFloat8(x: number, f: Float8Format): number {
  const expMax = (1 << f.expBits) - 1
  const nanBits = f.ieee ? (expMax << f.manBits) | (1 << (f.manBits - 1)) : 0x7f
  if (Number.isNaN(x)) return nanBits
  const sign = x < 0 || Object.is(x, -0) ? 0x80 : 0
  const a = Math.abs(x)
  const manScale = 1 << f.manBits
  const maxExp = f.ieee ? expMax - 1 - f.bias : expMax - f.bias
  const maxMan = f.ieee ? manScale - 1 : manScale - 2
  const maxFinite = (1 + maxMan / manScale) * 2 ** maxExp
  const overflow = f.ieee ? sign | (expMax << f.manBits) : sign | 0x7f
  if (a === Infinity) return overflow
  const minNormalExp = 1 - f.bias
  const subUnit = 2 ** (minNormalExp - f.manBits)
  let code: number
  if (a < 2 ** minNormalExp) {
    code = roundHalfEven(a / subUnit) // may carry into the smallest normal: still the right bits
  } else {
    let exp = Math.floor(Math.log2(a))
    if (2 ** exp > a) exp -= 1
    if (2 ** (exp + 1) <= a) exp += 1
    let m = roundHalfEven((a / 2 ** exp - 1) * manScale)
    if (m === manScale) {
      m = 0
      exp += 1
    }
    code = ((exp + f.bias) << f.manBits) | m
  }
  const value = float8ToNumber(code & 0x7f, f)
  if (!(value <= maxFinite) || code > 0x7f) {
    // Beyond the largest finite value: halfway to the next (virtual) step still rounds down.
    const step = 2 ** (maxExp - f.manBits)
    if (a < maxFinite + step / 2) return sign | ((maxExp + f.bias) << f.manBits) | maxMan
    return overflow
  }
  return sign | code
}

/**
 * x.toExponential(p - 1), except that an exact tie rounds to the even digit (JS rounds ties up; numpy's
 * Dragon4 picks the even neighbour: float16 488.25 prints as 488.2).
 */
export function roundHalfEvenExponential(x: number, p: number): string {
  const e = x.toExponential(p - 1)
  // cheap pre-check: only values whose next digits read 50 or 49 can be exact ties
  const near = x
    .toExponential(p + 1)
    .split('e')[0]!
    .replace('.', '')
    .replace('-', '')
    .slice(p, p + 2)
  if (near !== '50' && near !== '49') return e
  const full = x.toExponential(Math.min(100, p + 60))
  const [fm, fe] = full.split('e') as [string, string]
  const digits = fm.replace('.', '')
  if (!/^50*$/.test(digits.slice(p))) return e
  const trunc = digits.slice(0, p)
  if (Number(trunc[p - 1]) % 2 !== 0) return e
  return `${trunc.length > 1 ? `${trunc[0]}.${trunc.slice(1)}` : trunc}e${fe}`
}

/** x.toFixed(p) with exact ties rounded to the even digit, as C's printf does (JS rounds them up). */
export function roundHalfEvenFixed(x: number, p: number): string {
  const s = x.toFixed(p)
  if (p > 70 || Math.abs(x) >= 1e21) return s
  const next = x.toFixed(p + 2)
  const near = next.slice(next.length - 2)
  if (near !== '50' && near !== '49') return s
  const full = x.toFixed(Math.min(100, p + 30))
  const dot = full.indexOf('.')
  const rest = full.slice(dot + 1 + p)
  if (!/^50*$/.test(rest)) return s
  const trunc = p === 0 ? full.slice(0, dot) : full.slice(0, dot + 1 + p)
  const last = Number(trunc[trunc.length - 1])
  return last % 2 === 0 ? trunc : s
}

/**
 * The shortest digits that read back as x (via roundTrip), closest to x, ties to the even digit: numpy's
 * (Dragon4) choice. Near a power of two the interval that rounds to x is lopsided, so the shortest decimal may
 * be a neighbour of the correctly rounded one.
 */
export function shortestDigits(x: number, roundTrip: (v: number) => number, maxDigits: number): [string, number] {
  if (maxDigits >= 17) {
    // float64: V8's shortest round-trip digits are Python's repr digits (checked on 200k values)
    const [m, e] = x.toExponential().split('e') as [string, string]
    return [m.replace('.', '').replace(/0+$/, '') || '0', Number(e)]
  }
  for (let p = 1; p <= maxDigits; p++) {
    // the correctly rounded p digits are the closest; only when they do not read back as x can a neighbour
    const [m, es] = roundHalfEvenExponential(x, p).split('e') as [string, string]
    const near = BigInt(m.replace('.', ''))
    const exp = Number(es)
    const value = (d: bigint): number => Number(`${d}e${exp - (p - 1)}`)
    let best: bigint | null = roundTrip(value(near)) === x ? near : null
    if (best === null) {
      const ok = [near - 1n, near + 1n].filter((d) => d > 0n && roundTrip(value(d)) === x)
      if (ok.length) best = ok.sort((a, b) => Math.abs(value(a) - x) - Math.abs(value(b) - x))[0]!
    }
    if (best !== null || p === maxDigits) {
      const d = (best ?? near).toString()
      return [d.replace(/0+$/, '') || '0', exp + (d.length - p)]
    }
  }
  return ['0', 0]
}

/**
 * numpy's str() of a float scalar: shortest round-trip digits, positional for 1e-4 <= |x| < sciAbove
 * (1e3 for float16, 1e6 for float32, 1e16 for float64), scientific otherwise ('1e+07', '9.9999e-05').
 * trimZero drops a trailing '.0', as numpy does for the parts of a complex number ('(3+100j)').
 */
export function numpyFloatText(
  x: number,
  roundTrip: (v: number) => number,
  maxDigits: number,
  sciAbove: number,
  trimZero = false
): string {
  if (Number.isNaN(x)) return 'nan'
  if (x === Infinity) return 'inf'
  if (x === -Infinity) return '-inf'
  const sign = x < 0 || Object.is(x, -0) ? '-' : ''
  if (x === 0) return trimZero ? `${sign}0` : `${sign}0.0`
  const a = Math.abs(x)
  const [digits, exp] = shortestDigits(a, roundTrip, maxDigits)
  if (a >= 1e-4 && a < sciAbove) {
    let text: string
    if (exp >= 0) {
      const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0')
      const frac = digits.slice(exp + 1)
      text = frac ? `${int}.${frac}` : trimZero ? int : `${int}.0`
    } else {
      text = `0.${'0'.repeat(-exp - 1)}${digits}`
    }
    return sign + text
  }
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
  const e = Math.abs(exp)
  return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`
}

/** Shortest round-trip text for a float32 value, as numpy prints it. */
export function float32Text(x: number, trimZero = false): string {
  return numpyFloatText(x, Math.fround, 9, 1e6, trimZero)
}

/** Shortest round-trip text for a float64 value, as numpy prints it. */
export function float64Text(x: number, trimZero = false): string {
  return numpyFloatText(x, (v) => v, 17, 1e16, trimZero)
}
