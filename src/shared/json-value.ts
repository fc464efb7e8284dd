// The --json encoding of values, following numpy's .tolist(): finite floats as their exact float64 value
// (shortest round-trip text), NaN/±Inf as "nan"/"inf"/"-inf", integers beyond ±2^53 as decimal strings,
// complex as [re, im], bool as true/false, records as {"field": value}, void bytes as a hex string.
import type { DType, Value } from './structured'

export type JsonValue = number | string | boolean | null | JsonValue[] | { [k: string]: JsonValue }

/** A float as .tolist() gives it in JSON: NaN/±Inf as "nan"/"inf"/"-inf". */
export function jsonNumber(x: number): JsonValue {
  if (Number.isNaN(x)) return 'nan'
  if (x === Infinity) return 'inf'
  if (x === -Infinity) return '-inf'
  return x
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER)

export function toJsonValue(dt: DType, v: Value): JsonValue {
  if (dt.kind === 'void') return Buffer_hex(v as Uint8Array)
  if (dt.kind === 'struct') {
    const rec = v as { [k: string]: Value }
    const out: { [k: string]: JsonValue } = {}
    for (const f of dt.fields) out[f.name] = nested(f.dtype, rec[f.name]!, f.shape.length)
    return out
  }
  if (typeof v === 'number') return jsonNumber(v)
  if (typeof v === 'bigint') return v > SAFE || v < -SAFE ? v.toString() : Number(v)
  if (typeof v === 'boolean') return v
  const [re, im] = v as readonly [number, number]
  return [jsonNumber(re), jsonNumber(im)]
}

function nested(dt: DType, v: Value, depth: number): JsonValue {
  if (depth === 0) return toJsonValue(dt, v)
  return (v as Value[]).map((x) => nested(dt, x, depth - 1))
}

function Buffer_hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** JSON text of a value; -0 stays negative ("-0.0", as Python's json writes it). */
export function jsonText(value: JsonValue): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0.0' : JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(jsonText).join(', ')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${jsonText(v)}`)
      .join(', ')}}`
  }
  return JSON.stringify(value)
}
