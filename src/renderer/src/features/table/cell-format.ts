// Cell text per number format, and heat colours. Formats apply by type: fixed/scientific to floats, hex to
// integers; 'auto' is numpy's own printing (exact int64, shortest round-trip floats).
import { formatValue, type DType, type StructField, type Value } from '../../../../shared/structured'
import type { CellFormat } from '../../state/view-model'

function nested(dt: DType, v: Value, depth: number, leaf: (dt: DType, v: Value) => string): string {
  if (depth === 0) return leaf(dt, v)
  return `[${(v as Value[]).map((x) => nested(dt, x, depth - 1, leaf)).join(', ')}]`
}

function scalarText(dt: DType, v: Value, fmt: CellFormat): string {
  if (dt.kind === 'scalar' && fmt.mode !== 'auto') {
    const kind = dt.type.kind
    if ((kind === 'int' || kind === 'uint') && fmt.mode === 'hex') {
      const b = BigInt(v as number | bigint)
      return b < 0n ? `-0x${(-b).toString(16)}` : `0x${b.toString(16)}`
    }
    if (kind === 'float' && typeof v === 'number' && Number.isFinite(v)) {
      if (fmt.mode === 'fixed') return v.toFixed(fmt.digits)
      if (fmt.mode === 'sci') return v.toExponential(fmt.digits)
    }
  }
  return formatValue(dt, v)
}

/** Text of one cell: the element (or one field of a record) in the chosen format. */
export function cellText(dt: DType, value: Value, field: StructField | null, fmt: CellFormat): string {
  if (field) {
    const v = (value as { [k: string]: Value })[field.name]!
    return nested(field.dtype, v, field.shape.length, (d, x) => scalarText(d, x, fmt))
  }
  return scalarText(dt, value, fmt)
}

/** A number for heat colouring, or null (NaN, complex, records, sub-arrays). */
export function cellNumber(value: Value, field: StructField | null): number | null {
  const v = field ? (value as { [k: string]: Value })[field.name] : value
  if (field && field.shape.length) return null
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'boolean') return v ? 1 : 0
  return null
}

/** A blue-to-red background for t in [0, 1], translucent so text stays readable in both themes. */
export function heatColor(t: number): string {
  const hue = 240 - 240 * Math.max(0, Math.min(1, t))
  return `hsla(${hue.toFixed(0)}, 80%, 55%, 0.35)`
}

export function isSpecial(text: string): boolean {
  return text === 'nan' || text === 'inf' || text === '-inf' || /\bnan\b|\binf\b/.test(text)
}
