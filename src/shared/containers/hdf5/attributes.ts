// Attributes of groups and datasets: compact ones in the object header, dense ones in a fractal heap indexed by a
// version-2 B-tree; their values decoded (variable-length strings through the global heap).
import type { JsonValue } from '../../json-value'
import { ContainerError } from '../model'
import { float32Shown } from '../metadata'
import { decodeValues, parseDatatype, type H5Type } from './datatype'
import { btree2Records, FractalHeap } from './heaps'
import { parseAttribute, parseDataspace, parseDenseInfo, type Message } from './objects'
import { Cursor } from './reader'
import type { Walk } from './walk'

export function attributes(
  w: Walk,
  messages: Message[],
  what: string,
  types?: Record<string, H5Type>
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {}
  const add = (body: Message['body']): void => {
    try {
      const a = parseAttribute(body)
      out[a.name] = a.shared ? '(a shared datatype: not shown)' : attributeValue(w, a, types)
    } catch (e) {
      if (!(e instanceof ContainerError)) throw e
      out[`(unreadable attribute)`] = e.message
    }
  }
  for (const m of messages) {
    if (m.type === 0x0c) add(m.body)
    if (m.type === 0x15) {
      const { heap, nameIndex } = parseDenseInfo(m.body, true)
      if (!Number.isFinite(heap) || !Number.isFinite(nameIndex)) continue
      const fh = new FractalHeap(w.f, heap, `${what}'s attributes`)
      for (const rec of btree2Records(w.f, nameIndex, `${what}'s attribute index`, 100_000)) {
        const obj = fh.object(rec.subarray(0, 8))
        add(new Cursor(obj, w.f, -1, `${what}'s attribute`))
      }
    }
  }
  return out
}

/** Float32 attributes as float32 prints them (1e-05); others as they are. */
export function float32Attributes(
  meta: Record<string, JsonValue>,
  types: Record<string, H5Type>
): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, types[k]?.float === 'f4' ? float32Shown(v) : v]))
}

/** A group's attributes for people. */
export function shownAttributes(w: Walk, messages: Message[], what: string): Record<string, JsonValue> {
  const types: Record<string, H5Type> = {}
  return float32Attributes(attributes(w, messages, what, types), types)
}

function attributeValue(w: Walk, a: ReturnType<typeof parseAttribute>, types?: Record<string, H5Type>): JsonValue {
  const t = parseDatatype(a.datatype)
  if (types) types[a.name] = t
  const space = parseDataspace(a.dataspace)
  if (!space.dims) return null
  const count = space.dims.reduce((x, y) => x * y, 1)
  const need = Math.min(count, 4096) * t.size
  if (need > a.data.left) return `(attribute data truncated: ${a.data.left} of ${need} bytes)`
  const values = decodeValues(
    t,
    a.data.bytes.subarray(a.data.pos),
    count,
    (c, i) => w.heap.object(c, i),
    w.f.sizeOfOffsets
  )
  return space.dims.length === 0 ? (values[0] ?? null) : values
}
