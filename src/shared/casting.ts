// --to-dtype's casting, with numpy's names: 'no', 'equiv', 'safe', 'same_kind' refuse a dtype pair exactly when
// np.can_cast(from, to, casting) is False (numpy's message); once allowed, or with 'unsafe', each value converts
// as numpy's astype does on x86-64 — integers wrap, floats truncate toward zero and, out of range, give what
// numpy's conversion instructions give (INT_MIN and friends), complex drops its imaginary part. The default,
// 'checked', is ArrayScope's own: it converts like astype but refuses any value that would not survive (out
// of range, NaN or inf into an integer, a finite float that overflows, an imaginary part) and says which.
import type { Kind, Scalar, ScalarDType } from './dtypes'

export const CASTINGS = ['no', 'equiv', 'safe', 'same_kind', 'unsafe', 'checked'] as const
export type Casting = (typeof CASTINGS)[number]

/** Significand bits (with the implicit one) and largest binary exponent of each float type. */
const FLOATS: Record<string, { bits: number; emax: number }> = {
  float16: { bits: 11, emax: 15 },
  float32: { bits: 24, emax: 127 },
  float64: { bits: 53, emax: 1023 },
  longdouble: { bits: 64, emax: 16383 },
  longdouble96: { bits: 64, emax: 16383 },
  bfloat16: { bits: 8, emax: 127 },
  float8_e4m3fn: { bits: 4, emax: 8 },
  float8_e5m2: { bits: 3, emax: 15 }
}

/** The float a complex type is made of. */
const PARTS: Record<string, string> = { complex64: 'float32', complex128: 'float64' }

function numeric(kind: Kind): boolean {
  return kind !== 'bytes' && kind !== 'str'
}

/** Bits of magnitude an integer type needs (numpy counts int8 as 8, like uint8). */
function intBits(t: ScalarDType): number {
  return t.itemsize * 8
}

/** numpy's "safe": every value of from is a value of to. */
function safe(from: ScalarDType, to: ScalarDType): boolean {
  const f = from.type
  const t = to.type
  if (f === t) return true
  if (f.kind === 'bool') return true
  if (t.kind === 'bool') return false
  const target = t.kind === 'complex' ? FLOATS[PARTS[t.name]!]! : FLOATS[t.name]
  if (f.kind === 'uint' || f.kind === 'int') {
    if (t.kind === 'uint') return f.kind === 'uint' && t.size >= f.size
    if (t.kind === 'int') return f.kind === 'int' ? t.size >= f.size : t.size > f.size
    // numpy calls every integer safe in float64 (and complex128), even 64-bit ones
    return intBits(from) <= target!.bits || (from.itemsize === 8 && target!.bits >= 53)
  }
  if (f.kind === 'float') {
    if (t.kind !== 'float' && t.kind !== 'complex') return false
    const a = FLOATS[f.name]!
    return target!.bits >= a.bits && target!.emax >= a.emax
  }
  if (f.kind === 'complex') return t.kind === 'complex' && t.size >= f.size
  return false
}

const RANK: Record<Kind, number> = { bool: 0, uint: 1, int: 1, float: 2, complex: 3, bytes: 9, str: 9 }

/** numpy's "same_kind": safe, or within a kind (bool < integer < float < complex; unsigned may go signed). */
function sameKind(from: ScalarDType, to: ScalarDType): boolean {
  if (safe(from, to)) return true
  const f = from.type.kind
  const t = to.type.kind
  if (f === 'int' && t === 'uint') return false
  return RANK[t] >= RANK[f] && f !== 'bool'
}

/** Whether numpy's np.can_cast(from, to, casting) holds ('checked' and 'unsafe': any numeric pair). */
export function canCast(from: ScalarDType, to: ScalarDType, casting: Casting): boolean {
  if (!numeric(from.type.kind) || !numeric(to.type.kind)) return from.str === to.str
  switch (casting) {
    case 'no':
      return from.str === to.str
    case 'equiv':
      return from.type === to.type
    case 'safe':
      return safe(from, to)
    case 'same_kind':
      return sameKind(from, to)
    case 'unsafe':
    case 'checked':
      return true
  }
}

/** numpy's dtype() repr of a dtype string, for its error message: dtype('float64'), dtype('>i2'). */
function npRepr(dt: ScalarDType): string {
  const native = dt.littleEndian || dt.itemsize === 1
  return `dtype('${native && /^[biufc]\d+$/.test(dt.type.code) ? dt.type.name : dt.str}')`
}

/** numpy's refusal when a cast is not allowed, with how to get it anyway; null when it is allowed. */
export function castRefusal(from: ScalarDType, to: ScalarDType, casting: Casting): string | null {
  if (!numeric(from.type.kind) || !numeric(to.type.kind)) {
    return from.str === to.str ? null : `--to-dtype converts numbers; ${from.str} to ${to.str} is not a numeric cast`
  }
  if (canCast(from, to, casting)) return null
  return (
    `Cannot cast array data from ${npRepr(from)} to ${npRepr(to)} according to the rule '${casting}' ` +
    `(numpy's astype refuses it too): choose a wider casting such as 'same_kind' or 'unsafe'`
  )
}

/** A value that 'checked' refuses, and why. */
export class CastMiss {
  constructor(readonly reason: string) {}
}

const TWO31 = 2 ** 31
const TWO63 = 2 ** 63

/** x86's cvttsd2si into 32 or 64 bits: truncation toward zero; NaN and out of range give the smallest value. */
function cvtt(x: number, bits: 32 | 64): bigint {
  const lim = bits === 32 ? TWO31 : TWO63
  if (Number.isNaN(x) || x >= lim || x <= -lim - (bits === 32 ? 1 : 0)) return -(1n << BigInt(bits - 1))
  return BigInt(Math.trunc(x))
}

/** A bigint as an unsigned or signed integer of bits bits (two's complement wrap-around). */
function wrap(v: bigint, bits: number, signed: boolean): bigint {
  return signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v)
}

/**
 * numpy's float -> integer astype on x86-64 for values it has no answer for (NaN, ±inf, out of range: numpy
 * warns "invalid value encountered in cast"): int8/16 and uint8/16 go through a 32-bit conversion and keep its
 * low bits; int32 and int64 are the conversion itself; uint32 and uint64 convert values from 2^31 (2^63) up by
 * subtracting it first. That is numpy 2.4's float64 and float32 loop, measured; from float16 or complex
 * numpy's own result for such values changes with the array's length (its SIMD and scalar paths differ).
 */
export function unsafeFloatToInt(x: number, bits: number, signed: boolean): bigint {
  if (bits <= 16) return wrap(cvtt(x, 32), bits, signed)
  if (bits === 32 && signed) return cvtt(x, 32)
  if (bits === 64 && signed) return cvtt(x, 64)
  const half = bits === 32 ? TWO31 : TWO63
  const b = BigInt(bits)
  const v = x >= half ? cvtt(x - half, bits as 32 | 64) ^ -(1n << (b - 1n)) : cvtt(x, bits as 32 | 64)
  return BigInt.asUintN(bits, v)
}

/** An integer rounded to a float of `bits` significand bits, once (ties to even): exact for int64 -> float32. */
function roundInteger(v: bigint, bits: number): number {
  const negative = v < 0n
  let m = negative ? -v : v
  const length = m.toString(2).length
  if (length > bits) {
    const shift = BigInt(length - bits)
    const rest = m & ((1n << shift) - 1n)
    const half = 1n << (shift - 1n)
    m >>= shift
    if (rest > half || (rest === half && m & 1n)) m += 1n
    const out = Number(m) * 2 ** Number(shift)
    return negative ? -out : out
  }
  return negative ? -Number(m) : Number(m)
}

function describe(v: Scalar): string {
  if (Array.isArray(v)) return `(${v[0]}${v[1] < 0 ? '' : '+'}${v[1]}j)`
  return String(v)
}

/**
 * The conversion of one value from one dtype to another under a casting (assumed allowed: see castRefusal).
 * 'checked' returns a CastMiss for a value that would not survive; the others always convert.
 */
export function converter(from: ScalarDType, to: ScalarDType, casting: Casting): (v: Scalar) => Scalar | CastMiss {
  const checked = casting === 'checked'
  const t = to.type
  const fromInteger = from.type.kind === 'int' || from.type.kind === 'uint' || from.type.kind === 'bool'
  const scratchType = t
  const scratch = new DataView(new ArrayBuffer(Math.max(16, to.itemsize)))
  const range = (bits: number, signed: boolean): [bigint, bigint] =>
    signed ? [-(1n << BigInt(bits - 1)), (1n << BigInt(bits - 1)) - 1n] : [0n, (1n << BigInt(bits)) - 1n]
  return (v) => {
    let value = v
    if (Array.isArray(value)) {
      const [re, im] = value as readonly [number, number]
      if (t.kind === 'complex') return value
      if (t.kind === 'bool') return re !== 0 || im !== 0
      if (checked && im !== 0 && !Number.isNaN(im)) {
        return new CastMiss(`${describe(value)} has an imaginary part, which ${to.str} cannot hold`)
      }
      value = re
    }
    if (typeof value === 'boolean') value = value ? 1 : 0
    if (t.kind === 'bool') return typeof value === 'bigint' ? value !== 0n : (value as number) !== 0
    if (t.kind === 'complex') {
      const x = typeof value === 'bigint' ? Number(value) : (value as number)
      return [x, 0] as const
    }
    if (t.kind === 'float') {
      const bits = FLOATS[t.name]?.bits ?? 53
      const x = typeof value === 'bigint' ? roundInteger(value, bits) : (value as number)
      if (checked && Number.isFinite(x)) {
        // a finite value the target rounds to inf (or, for float8_e4m3fn, which has no inf, to NaN)
        scratchType.encode(scratch, 0, x, true)
        if (!Number.isFinite(scratchType.decode(scratch, 0, true) as number)) {
          return new CastMiss(`${describe(v)} is beyond the range of ${to.str}`)
        }
      }
      return x
    }
    // integers
    const bits = to.itemsize * 8
    const signed = t.kind === 'int'
    let big: bigint
    if (typeof value === 'bigint') {
      big = value
    } else if (fromInteger) {
      // an integer (or bool) source converts as integers do: wrap-around, never through a float conversion
      big = BigInt(value as number)
    } else {
      const x = value as number
      if (checked && !Number.isFinite(x)) return new CastMiss(`${describe(v)} has no value as an integer (${to.str})`)
      big = checked ? BigInt(Math.trunc(x)) : unsafeFloatToInt(x, bits, signed)
      if (!checked) return bits === 64 ? big : Number(big)
    }
    const [lo, hi] = range(bits, signed)
    if (big < lo || big > hi) {
      if (checked) return new CastMiss(`${describe(v)} does not fit in ${to.str} [${lo}, ${hi}]`)
      big = wrap(big, bits, signed)
    }
    return bits === 64 ? big : Number(big)
  }
}
