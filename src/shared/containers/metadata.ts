// Metadata for people: float32 values as numpy prints that type (1e-05, not the float64 digits of the float32
// nearest 1e-5), and long arrays (a GGUF vocabulary) a page at a time.
import { float32Text } from '../floats'
import type { JsonValue } from '../json-value'
import { ContainerError, type Container } from './model'

/** A float32 value (or array of them) as the float64 whose shortest digits are the float32's own. */
export function float32Shown(v: JsonValue): JsonValue {
  if (typeof v === 'number') return Number.isFinite(v) && !Number.isInteger(v) ? Number(float32Text(v)) : v
  if (Array.isArray(v)) return v.map(float32Shown)
  return v
}

/** Items [start, start + count) of the metadata array under key, and how many it has. */
export function metadataItems(
  c: Container,
  r: { key: string; start: number; count: number }
): { key: string; start: number; items: JsonValue[]; total: number } {
  const v = Object.hasOwn(c.metadata, r.key) ? c.metadata[r.key] : undefined
  if (!Array.isArray(v)) {
    throw new ContainerError(
      v === undefined ? `the metadata has no key '${r.key}'` : `the metadata's '${r.key}' is not an array`
    )
  }
  return { key: r.key, start: r.start, items: v.slice(r.start, r.start + r.count), total: v.length }
}

/** A float32 attribute in a sentence ('scale_factor = 0.01'): its own shortest digits; whole numbers bare. */
export function float32Words(x: number): string {
  return Number.isInteger(x) ? String(x) : float32Text(x)
}
