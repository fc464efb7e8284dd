// JSON of metadata with floats as Python prints them (1e-05, 0.1, 2.5e+20), as h5py, netCDF4 and gguf-py users
// read them; JSON.stringify would write 0.00001 and 0.000009999999747378752 for a float32's float64 digits.
// Still valid JSON. space > 0 indents nested values by that many spaces per level (JSON.stringify's layout).
import { pyFloatRepr } from './json-value'

export function metadataJson(value: unknown, space = 0, depth = 0): string {
  const pad = (d: number): string => (space ? '\n' + ' '.repeat(space * d) : '')
  const sep = space ? ': ' : ':'
  if (typeof value === 'number')
    return Number.isFinite(value) && !Number.isInteger(value) ? pyFloatRepr(value) : JSON.stringify(value)
  if (Array.isArray(value)) {
    if (!value.length) return '[]'
    const items = value.map((v) => pad(depth + 1) + metadataJson(v, space, depth + 1))
    return `[${items.join(',')}${pad(depth)}]`
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    if (!entries.length) return '{}'
    const items = entries.map(([k, v]) => pad(depth + 1) + JSON.stringify(k) + sep + metadataJson(v, space, depth + 1))
    return `{${items.join(',')}${pad(depth)}}`
  }
  return JSON.stringify(value) ?? 'null'
}
