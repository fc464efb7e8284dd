// The --json encoding of values, following numpy's .tolist() as Python's json writes it: a float element is a
// float token (Python's repr: 14947330.0, -4.843662301069522e+19, 1e-05), so every reader gets a float and
// the exact float64 value back; NaN/±Inf as "nan"/"inf"/"-inf"; integers exactly, beyond ±2^53 as decimal
// strings; complex as [re, im]; bool as true/false; records as {"field": value}; void bytes as a hex string;
// S elements as text, one character per byte (tolist gives bytes, which JSON has no type for); U as text.
import type { DType, Value } from './structured'

/** A float element: written as Python writes a float, never as an integer token. */
export class JsonFloat {
  constructor(readonly value: number) {}
}

export type JsonValue = number | string | boolean | null | JsonFloat | JsonValue[] | { [k: string]: JsonValue }

/** A float as .tolist() gives it in JSON: a float token, NaN/±Inf as "nan"/"inf"/"-inf". */
export function jsonNumber(x: number): JsonValue {
  if (Number.isNaN(x)) return 'nan'
  if (x === Infinity) return 'inf'
  if (x === -Infinity) return '-inf'
  return new JsonFloat(x)
}

/** Python's repr of a float64: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan'
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const [mantissa, expText] = x.toExponential().split('e') as [string, string]
  const exp = Number(expText)
  const negative = mantissa.startsWith('-')
  const digits = mantissa.replace('-', '').replace('.', '')
  const sign = negative ? '-' : ''
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0')
  const frac = digits.slice(exp + 1)
  return `${sign}${int}.${frac || '0'}`
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER)

export function toJsonValue(dt: DType, v: Value): JsonValue {
  if (dt.kind === 'void') return hex(v as Uint8Array)
  if (dt.kind === 'struct') {
    const rec = v as { [k: string]: Value }
    const out: { [k: string]: JsonValue } = {}
    for (const f of dt.fields) {
      Object.defineProperty(out, f.name, { value: nested(f.dtype, rec[f.name]!, f.shape.length), enumerable: true })
    }
    return out
  }
  if (typeof v === 'string') return v
  if (typeof v === 'bigint') return v > SAFE || v < -SAFE ? v.toString() : Number(v)
  if (typeof v === 'boolean') return v
  const kind = dt.type.kind
  if (typeof v === 'number') return kind === 'float' ? jsonNumber(v) : v
  const [re, im] = v as readonly [number, number]
  return [jsonNumber(re), jsonNumber(im)]
}

function nested(dt: DType, v: Value, depth: number): JsonValue {
  if (depth === 0) return toJsonValue(dt, v)
  return (v as Value[]).map((x) => nested(dt, x, depth - 1))
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** JSON text of a value, as Python's json.dumps(…, ensure_ascii=False) writes it. */
export function jsonText(value: JsonValue): string {
  if (value instanceof JsonFloat) return pyFloatRepr(value.value)
  if (Array.isArray(value)) return `[${value.map(jsonText).join(', ')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${jsonText(v)}`)
      .join(', ')}}`
  }
  return JSON.stringify(value)
}
