// Python's %-formatting for one value, as numpy's tofile(sep=…, format=…) applies it to every element:
// %[flags][width][.precision](d|i|u|f|F|e|E|g|G|x|X|o|s|r|%). Text around the conversion is kept.
import { BadRequestError } from './errors'

import { roundHalfEvenExponential, roundHalfEvenFixed } from './floats'

export class FormatError extends BadRequestError {}

interface Spec {
  flags: string
  width: number
  precision: number | null
  conv: string
}

const SPEC = /%([-+ 0#]*)(\d*)(?:\.(\d+))?([diufFeEgGxXosr%])/g

function pad(body: string, spec: Spec, numeric: boolean): string {
  if (body.length >= spec.width) return body
  if (spec.flags.includes('-')) return body.padEnd(spec.width)
  // Python zero-pads nan and inf as well: '%08.2f' % inf == '00000inf'
  if (numeric && spec.flags.includes('0')) {
    const sign = /^[+\- ]/.test(body) ? body[0]! : ''
    const rest = sign ? body.slice(1) : body
    const prefix = /^0[xXo]/.test(rest) && spec.flags.includes('#') ? rest.slice(0, 2) : ''
    return sign + prefix + rest.slice(prefix.length).padStart(spec.width - sign.length - prefix.length, '0')
  }
  return body.padStart(spec.width)
}

function signed(x: number | bigint, body: string, flags: string): string {
  const neg = typeof x === 'bigint' ? x < 0n : x < 0 || Object.is(x, -0)
  if (neg) return '-' + body
  if (flags.includes('+')) return '+' + body
  if (flags.includes(' ')) return ' ' + body
  return body
}

function expText(mant: string, exp: number, upper: boolean): string {
  const e = `${upper ? 'E' : 'e'}${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
  return mant + e
}

function fmtE(a: number, prec: number, upper: boolean, alt: boolean): string {
  const [m, e] = roundHalfEvenExponential(a, prec + 1).split('e') as [string, string]
  return expText(alt && prec === 0 ? m + '.' : m, Number(e), upper)
}

function fmtG(a: number, prec: number, upper: boolean, alt: boolean): string {
  const p = prec === 0 ? 1 : prec
  if (a === 0) return alt ? '0.' + '0'.repeat(p - 1) : '0'
  const exp = Number(roundHalfEvenExponential(a, p).split('e')[1])
  let out: string
  if (exp >= -4 && exp < p) {
    out = roundHalfEvenFixed(a, Math.max(0, p - 1 - exp))
    if (!alt && out.includes('.')) out = out.replace(/0+$/, '').replace(/\.$/, '')
  } else {
    const [m, e] = roundHalfEvenExponential(a, p).split('e') as [string, string]
    const mant = alt ? m : m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m
    out = expText(mant, Number(e), upper)
  }
  return out
}

function formatOne(spec: Spec, value: number | bigint | boolean, str: () => string): string {
  const { conv, flags } = spec
  if (conv === '%') return '%'
  if (conv === 's' || conv === 'r') return pad(str(), spec, false)
  let x: number | bigint = typeof value === 'boolean' ? Number(value) : value
  if ('diuxXo'.includes(conv)) {
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) throw new FormatError(`cannot format ${x} with %${conv}: it is not finite`)
      x = BigInt(Math.trunc(x))
    }
    const mag = x < 0n ? -x : x
    let body =
      conv === 'x'
        ? mag.toString(16)
        : conv === 'X'
          ? mag.toString(16).toUpperCase()
          : conv === 'o'
            ? mag.toString(8)
            : mag.toString()
    if (spec.precision !== null) body = body.padStart(spec.precision, '0')
    if (flags.includes('#') && conv !== 'd' && conv !== 'i' && conv !== 'u')
      body = (conv === 'o' ? '0o' : conv === 'X' ? '0X' : '0x') + body
    return pad(signed(x, body, flags), spec, true)
  }
  const f = Number(x)
  const upper = conv === conv.toUpperCase()
  const a = Math.abs(f)
  let body: string
  if (Number.isNaN(f)) body = upper ? 'NAN' : 'nan'
  else if (a === Infinity) body = upper ? 'INF' : 'inf'
  else {
    const prec = spec.precision ?? 6
    const alt = flags.includes('#')
    if (conv === 'f' || conv === 'F') body = roundHalfEvenFixed(a, prec) + (alt && prec === 0 ? '.' : '')
    else if (conv === 'e' || conv === 'E') body = fmtE(a, prec, upper, alt)
    else body = fmtG(a, prec, upper, alt)
  }
  return pad(Number.isNaN(f) ? signed(1, body, flags) : signed(f, body, flags), spec, true)
}

/** A format split at its one conversion: the text before it ('%%' as '%'), the conversion, the text after. */
export interface ParsedFormat {
  prefix: string
  spec: Spec
  suffix: string
}

/** The conversion character of a format ('d' of '%5d'); throws FormatError as compileFormat does. */
export function formatConversion(format: string): string {
  return parseFormat(format).spec.conv
}

function parseFormat(format: string): ParsedFormat {
  const texts: string[] = [] // literal text between conversions, '%%' already turned into '%'
  let spec: Spec | null = null
  let at = -1 // texts[0..at) come before the conversion
  let last = 0
  let conversions = 0
  let chunk = ''
  for (const m of format.matchAll(SPEC)) {
    const literal = format.slice(last, m.index)
    if (literal.includes('%'))
      throw new FormatError(`format '${format}' has a '%' that is not a conversion (use %% for a literal %)`)
    chunk += literal
    last = m.index! + m[0].length
    if (m[4] === '%') {
      chunk += '%'
      continue
    }
    conversions++
    texts.push(chunk)
    chunk = ''
    at = texts.length
    spec = {
      flags: m[1]!,
      width: m[2] ? Number(m[2]) : 0,
      precision: m[3] !== undefined ? Number(m[3]) : null,
      conv: m[4]!
    }
  }
  const tail = format.slice(last)
  if (tail.includes('%'))
    throw new FormatError(`format '${format}' has a '%' that is not a conversion (use %% for a literal %)`)
  texts.push(chunk + tail)
  if (conversions !== 1 || !spec)
    throw new FormatError(`format '${format}' must have exactly one conversion such as %.6g, %d or %s`)
  return { prefix: texts.slice(0, at).join(''), spec, suffix: texts.slice(at).join('') }
}

/**
 * A compiled format: call it with one value and its Python str() (used by %s and %r).
 * Exactly one conversion (besides %%) is required.
 */
export function compileFormat(format: string): (value: number | bigint | boolean, str: () => string) => string {
  const { prefix, spec, suffix } = parseFormat(format)
  return (value, str) => prefix + formatOne(spec, value, str) + suffix
}

/**
 * The format as the native formatter takes it, or null when it needs this module (%x %o %s %r, the '#' flag,
 * a width or precision over 300, or an integer conversion of floats). Throws FormatError as compileFormat does.
 */
export function nativeFormat(
  format: string,
  floatValues: boolean
): (ParsedFormat['spec'] & { prefix: string; suffix: string; conv: NativeConv }) | null {
  const { prefix, spec, suffix } = parseFormat(format)
  if (!'diueEfFgG'.includes(spec.conv) || spec.flags.includes('#')) return null
  if (spec.width > 300 || (spec.precision ?? 0) > 300) return null
  if (floatValues && 'diu'.includes(spec.conv)) return null
  return { ...spec, conv: spec.conv as NativeConv, prefix, suffix }
}

export type NativeConv = 'd' | 'i' | 'u' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G'
