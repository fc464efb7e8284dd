// What the hex view's find box means: a byte pattern in hex with ?? wildcards, UTF-8 text, or a typed value
// ("3.5 as <f4", optionally within a tolerance). Parsed here; searched natively over the mapping.
import { BadRequestError } from './errors'
import { encodeAt, type ScalarDType } from './dtypes'
import { parseDType } from './structured'

export class FindError extends BadRequestError {}

/** A byte pattern: a byte matches when (byte & mask) == (pattern & mask); mask 0x00 is a wildcard. */
export interface BytePattern {
  pattern: Uint8Array
  mask: Uint8Array
}

const HEX_HELP = "write bytes as pairs of hex digits, ?? for any byte: 'DE AD ?? EF' or '4d5a??00'"

/**
 * 'DE AD ?? EF', 'dead??ef', '0x4d 0x5a', '4?' (a nibble wildcard). Whitespace and commas separate nothing:
 * digits are read in pairs.
 */
export function parseHexPattern(text: string): BytePattern {
  const digits = text.replace(/0x/gi, '').replace(/[\s,]+/g, '')
  if (!digits) throw new FindError(`the hex pattern is empty: ${HEX_HELP}`)
  const bad = /[^0-9a-fA-F?]/.exec(digits)
  if (bad) throw new FindError(`'${bad[0]}' is not a hex digit or ?: ${HEX_HELP}`)
  if (digits.length % 2)
    throw new FindError(`the hex pattern has an odd number of digits (${digits.length}): ${HEX_HELP}`)
  const n = digits.length / 2
  const pattern = new Uint8Array(n)
  const mask = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    for (const [k, shift] of [
      [2 * i, 4],
      [2 * i + 1, 0]
    ] as const) {
      const c = digits[k]!
      if (c === '?') continue
      pattern[i]! |= parseInt(c, 16) << shift
      mask[i]! |= 0xf << shift
    }
  }
  if (mask.every((b) => b === 0)) throw new FindError(`the hex pattern is only wildcards: give at least one byte`)
  return { pattern, mask }
}

/** UTF-8 text (ASCII is its subset), matched byte for byte. */
export function textPattern(text: string): BytePattern {
  if (!text) throw new FindError('the text to find is empty')
  const pattern = new TextEncoder().encode(text)
  return { pattern, mask: new Uint8Array(pattern.length).fill(0xff) }
}

/** "3.5 as <f4" → the value text and the dtype (the array's own when no "as" is given). */
export function splitValueQuery(text: string, fallback: string | null): { value: string; dtype: ScalarDType } {
  const m = /^(.*?)\s+as\s+(\S+)\s*$/i.exec(text.trim())
  const value = (m ? m[1]! : text).trim()
  const spec = m ? m[2]! : fallback
  if (!value) throw new FindError("the value to find is empty: type one like '3.5 as <f4'")
  if (!spec) throw new FindError(`say which dtype '${value}' is: '${value} as <f4'`)
  let dtype
  try {
    dtype = parseDType(spec)
  } catch (e) {
    throw new FindError((e as Error).message)
  }
  if (dtype.kind !== 'scalar') {
    throw new FindError(`find a value of one scalar dtype ('${value} as <f4'), not of ${dtype.str}`)
  }
  return { value, dtype }
}

/** The exact bytes of a typed value ("3.5 as <f4" → 00 00 60 40). */
export function valuePattern(value: string, dtype: ScalarDType): BytePattern {
  const bytes = new Uint8Array(dtype.itemsize)
  try {
    encodeAt(dtype, new DataView(bytes.buffer), 0, dtype.type.parse(value))
  } catch (e) {
    throw new FindError(`'${value}' is not a ${dtype.str} value: ${(e as Error).message}`)
  }
  return { pattern: bytes, mask: new Uint8Array(bytes.length).fill(0xff) }
}

/** The numeric range [value - tolerance, value + tolerance] for a search within a tolerance. */
export function valueRange(value: string, dtype: ScalarDType, tolerance: number): [number, number] {
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new FindError(`the tolerance must be a finite number >= 0, not ${tolerance}`)
  }
  valuePattern(value, dtype) // the same validation (range checks, syntax) as an exact search
  const x = Number(dtype.type.parse(value))
  if (!Number.isFinite(x)) throw new FindError(`a tolerance needs a finite value, not '${value}'`)
  return [x - tolerance, x + tolerance]
}
