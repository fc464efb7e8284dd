// numpy's Dragon4 printing of one float (np.format_float_positional / np.format_float_scientific) in the modes
// its array printing uses: unique=True — the shortest digits that read back as the value in its own type —
// cut at `precision` digits (after the point, or after the first digit) when those are longer, the cut rounded
// from the exact binary value, ties to even; trim '.' ("1.") or 'k' (keep min_digits zeros); padding.
//
// Every float type here is exactly a float64 value (float16/32, bfloat16, float8; long double is read as the
// nearest float64), so the exact decimal expansion comes from the float64's bits, with BigInt arithmetic.

/** [digits, exponent of the first digit] of |x|, digits without leading or trailing zeros ('0' for zero). */
export type Digits = [string, number]

/** The exact value of a finite float64 as m · 2^e with an integer m ≥ 0. */
function exact(x: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, Math.abs(x))
  const bits = view.getBigUint64(0)
  const e11 = Number(bits >> 52n)
  const frac = bits & ((1n << 52n) - 1n)
  return e11 === 0 ? [frac, -1074] : [frac | (1n << 52n), e11 - 1075]
}

/** |x| · 10^k as an exact fraction [numerator, denominator]. */
function scaled(x: number, k: number): [bigint, bigint] {
  const [m, e] = exact(x)
  let num = m
  let den = 1n
  if (e >= 0) num <<= BigInt(e)
  else den <<= BigInt(-e)
  if (k >= 0) num *= 10n ** BigInt(k)
  else den *= 10n ** BigInt(-k)
  return [num, den]
}

/** round(|x| · 10^k) to an integer, ties to even, exactly. */
function roundScaled(x: number, k: number): bigint {
  const [num, den] = scaled(x, k)
  const q = num / den
  const r2 = 2n * (num - q * den)
  if (r2 > den || (r2 === den && q % 2n === 1n)) return q + 1n
  return q
}

function digitsOfInteger(q: bigint, scale: number): Digits {
  if (q === 0n) return ['0', 0]
  const s = q.toString()
  const trimmed = s.replace(/0+$/, '')
  return [trimmed, s.length - 1 - scale]
}

/** The decimal exponent of the first significant digit of |x| > 0 (exact, not log10's guess). */
function firstDigitExponent(x: number): number {
  let e = Math.floor(Math.log10(Math.abs(x)))
  // log10 can be one off near powers of ten: check against the exact value
  if (roundDown(x, -e) === 0n) e--
  else if (roundDown(x, -(e + 1)) >= 1n) e++
  return e
}

/** floor(|x| · 10^k), exactly. */
function roundDown(x: number, k: number): bigint {
  const [num, den] = scaled(x, k)
  return num / den
}

/**
 * The digits numpy prints for |x|: shortest unique digits (from `shortest`, the value's own type), unless they
 * run past the cut — `fractional` digits after the point, or `significant` digits in all — in which case the
 * exact value is rounded at the cut (ties to even) and trailing zeros dropped.
 */
export function printedDigits(
  x: number,
  shortest: (x: number) => Digits,
  cut: { fractional: number } | { significant: number },
  /**
   * Dragon4's min_digits: at least this many digits after the first (scientific) or the point (positional);
   * digits past the shortest ones come from the exact value, rounded at the last, not from zero padding.
   */
  minDigits = 0
): Digits {
  if (x === 0) return ['0', 0]
  const [d, e] = shortest(Math.abs(x))
  if ('fractional' in cut) {
    const frac = d.length - 1 - e
    if (frac > cut.fractional) return exactDigits(x, cut)
    return frac < minDigits ? exactDigits(x, { fractional: minDigits }) : [d, e]
  }
  if (d.length > cut.significant) return exactDigits(x, cut)
  return d.length - 1 < minDigits ? exactDigits(x, { significant: minDigits + 1 }) : [d, e]
}

/** The exact value of |x| rounded at a number of digits after the point, or in all (ties to even). */
export function exactDigits(x: number, cut: { fractional: number } | { significant: number }): Digits {
  if (x === 0) return ['0', 0]
  if ('fractional' in cut) return digitsOfInteger(roundScaled(x, cut.fractional), cut.fractional)
  const scale = cut.significant - 1 - firstDigitExponent(x)
  return digitsOfInteger(roundScaled(x, scale), scale)
}

export interface PadOptions {
  /** Print '+' for positive values (numpy's sign='+'). */
  plus?: boolean
  /** Pad the fraction with zeros to at least this many digits (trim 'k' with min_digits). */
  minDigits?: number
  /** Left-pad the integer part (sign included) with spaces to this width. */
  padLeft?: number
  /** Right-pad the fraction with spaces to this width (positional only). */
  padRight?: number
  /** Exponent digits at least (scientific only; 2 by default). */
  expDigits?: number
}

function signOf(x: number, plus: boolean | undefined): string {
  return x < 0 || Object.is(x, -0) ? '-' : plus ? '+' : ''
}

/** np.format_float_positional(x, unique=True, trim='.' or 'k' with min_digits, fractional=True, …). */
export function positional(x: number, [digits, exp]: Digits, o: PadOptions = {}): string {
  let int: string
  let frac: string
  if (digits === '0') {
    int = '0'
    frac = ''
  } else if (exp >= 0) {
    int = digits.slice(0, exp + 1).padEnd(exp + 1, '0')
    frac = digits.slice(exp + 1)
  } else {
    int = '0'
    frac = '0'.repeat(-exp - 1) + digits
  }
  frac = frac.padEnd(o.minDigits ?? 0, '0')
  const left = (signOf(x, o.plus) + int).padStart(o.padLeft ?? 0)
  return `${left}.${frac.padEnd(o.padRight ?? 0)}`
}

/** np.format_float_scientific(x, unique=True, trim='.' or 'k' with min_digits, …). */
export function scientific(x: number, [digits, exp]: Digits, o: PadOptions = {}): string {
  const e = digits === '0' ? 0 : exp
  const frac = digits.slice(1).padEnd(o.minDigits ?? 0, '0')
  const left = (signOf(x, o.plus) + digits[0]).padStart(o.padLeft ?? 0)
  const expText = String(Math.abs(e)).padStart(Math.max(2, o.expDigits ?? 2), '0')
  return `${left}.${frac}e${e < 0 ? '-' : '+'}${expText}`
}
