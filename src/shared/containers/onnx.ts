// ONNX models (.onnx: a protobuf ModelProto). The graph's initializers are the arrays, by name, with their dtype
// and dims: raw_data is mapped where its bytes lie in the file; float_data / double_data (packed fixed-width
// little-endian numbers) likewise; the varint fields (int32_data, int64_data, uint64_data) are decoded into a
// temporary copy; external data (data_location = EXTERNAL: location, offset, length) is mapped in its own file,
// which must lie in the model's folder. The graph's inputs, outputs and opsets are the metadata. The protobuf is
// walked by offsets (protobuf-reader.ts), schema-driven for the fields these need only: nothing is read whole.
import type { JsonValue } from '../json-value'
import {
  ContainerError,
  bytesRemedy,
  elementCount,
  type Container,
  type ContainerEntry,
  defineFormat,
  type ParseContext,
  type RecipeArray
} from './model'
import { LEN, ProtoFile, VARINT, type Field } from './protobuf-reader'
import { checkShardName } from './safetensors-index'

/** TensorProto.DataType: ONNX's name, numpy's dtype (null: none here) and the element size in bytes. */
const TYPES: Record<number, { name: string; dtype: string | null; size: number }> = {
  1: { name: 'FLOAT', dtype: '<f4', size: 4 },
  2: { name: 'UINT8', dtype: '|u1', size: 1 },
  3: { name: 'INT8', dtype: '|i1', size: 1 },
  4: { name: 'UINT16', dtype: '<u2', size: 2 },
  5: { name: 'INT16', dtype: '<i2', size: 2 },
  6: { name: 'INT32', dtype: '<i4', size: 4 },
  7: { name: 'INT64', dtype: '<i8', size: 8 },
  8: { name: 'STRING', dtype: null, size: 0 },
  9: { name: 'BOOL', dtype: '|b1', size: 1 },
  10: { name: 'FLOAT16', dtype: '<f2', size: 2 },
  11: { name: 'DOUBLE', dtype: '<f8', size: 8 },
  12: { name: 'UINT32', dtype: '<u4', size: 4 },
  13: { name: 'UINT64', dtype: '<u8', size: 8 },
  14: { name: 'COMPLEX64', dtype: '<c8', size: 8 },
  15: { name: 'COMPLEX128', dtype: '<c16', size: 16 },
  16: { name: 'BFLOAT16', dtype: '<bfloat16', size: 2 },
  17: { name: 'FLOAT8E4M3FN', dtype: '|float8_e4m3fn', size: 1 },
  18: { name: 'FLOAT8E4M3FNUZ', dtype: null, size: 1 },
  19: { name: 'FLOAT8E5M2', dtype: '|float8_e5m2', size: 1 },
  20: { name: 'FLOAT8E5M2FNUZ', dtype: null, size: 1 },
  21: { name: 'UINT4', dtype: null, size: 0 },
  22: { name: 'INT4', dtype: null, size: 0 },
  23: { name: 'FLOAT4E2M1', dtype: null, size: 0 },
  24: { name: 'FLOAT8E8M0', dtype: null, size: 1 },
  25: { name: 'UINT2', dtype: null, size: 0 },
  26: { name: 'INT2', dtype: null, size: 0 },
  27: { name: 'FLOAT6E2M3', dtype: null, size: 0 },
  28: { name: 'FLOAT6E3M2', dtype: null, size: 0 }
}

/** ModelProto's fields and their wire types: what detection accepts as the start of a model. */
const MODEL_FIELDS: Record<number, number> = { 1: VARINT, 2: LEN, 3: LEN, 4: LEN, 5: VARINT, 6: LEN, 7: LEN, 8: LEN }

/** The typed field a TensorProto's values are in, by data type, when not raw_data. */
const TYPED: Record<number, number> = { 1: 4, 14: 4, 11: 10, 15: 10, 7: 7, 12: 11, 13: 11 }

interface Tensor {
  name: string
  dims: number[]
  type: number
  raw?: Field
  typed: Map<number, Field>
  external: Record<string, string>
  location: number
  segment: boolean
}

function num(v: number | bigint, what: string, f: ProtoFile, at: number): number {
  if (typeof v !== 'number') return f.fail(`${what} is ${v}, beyond 2^53`, at)
  return v
}

function readTensor(f: ProtoFile, start: number, end: number): Tensor {
  const t: Tensor = { name: '', dims: [], type: 0, typed: new Map(), external: {}, location: 0, segment: false }
  for (const x of f.fields(start, end)) {
    if (x.no === 1) for (const d of f.ints(x)) t.dims.push(num(d, 'a dim', f, x.start))
    else if (x.no === 2 && x.wire === VARINT) t.type = num(x.value, 'data_type', f, x.start)
    else if (x.no === 3) t.segment = true
    else if (x.no === 8 && x.wire === LEN) t.name = f.text(x.start, x.length)
    else if (x.no === 9 && x.wire === LEN) t.raw = x
    else if (x.no === 13 && x.wire === LEN) {
      let key = ''
      let value = ''
      for (const kv of f.fields(x.start, x.start + x.length)) {
        if (kv.no === 1 && kv.wire === LEN) key = f.text(kv.start, kv.length)
        if (kv.no === 2 && kv.wire === LEN) value = f.text(kv.start, kv.length)
      }
      t.external[key] = value
    } else if (x.no === 14 && x.wire === VARINT) t.location = num(x.value, 'data_location', f, x.start)
    else if ([4, 5, 6, 7, 10, 11].includes(x.no)) {
      // a repeated field may come as several packed runs or one field per value: contiguous only when one run
      const prev = t.typed.get(x.no)
      t.typed.set(x.no, prev ? { ...prev, wire: -1 } : x)
    }
  }
  return t
}

/** A ValueInfoProto (a graph input or output): its name, element type and shape ('N' for a symbolic dim). */
function valueInfo(f: ProtoFile, start: number, end: number): JsonValue {
  let name = ''
  let type: JsonValue = 'unknown'
  for (const x of f.fields(start, end)) {
    if (x.no === 1 && x.wire === LEN) name = f.text(x.start, x.length)
    if (x.no !== 2 || x.wire !== LEN) continue
    for (const tp of f.fields(x.start, x.start + x.length)) {
      const kinds: Record<number, string> = { 4: 'sequence', 5: 'map', 8: 'sparse tensor', 9: 'optional' }
      if (tp.no !== 1) {
        if (kinds[tp.no]) type = kinds[tp.no]!
        continue
      }
      let elem = 0
      let shape: JsonValue[] | null = null
      for (const tt of f.fields(tp.start, tp.start + tp.length)) {
        if (tt.no === 1 && tt.wire === VARINT) elem = Number(tt.value)
        if (tt.no === 2 && tt.wire === LEN) {
          shape = []
          for (const d of f.fields(tt.start, tt.start + tt.length)) {
            if (d.no !== 1 || d.wire !== LEN) continue
            let dim: JsonValue = '?'
            for (const v of f.fields(d.start, d.start + d.length)) {
              if (v.no === 1 && v.wire === VARINT) dim = Number(v.value)
              if (v.no === 2 && v.wire === LEN) dim = f.text(v.start, v.length)
            }
            shape.push(dim)
          }
        }
      }
      type = { dtype: TYPES[elem]?.name ?? `type ${elem}`, shape }
    }
  }
  return { name, type }
}

/** One initializer's entry. */
function tensorEntry(ctx: ParseContext, f: ProtoFile, t: Tensor): ContainerEntry {
  const type = TYPES[t.type]
  const name = t.name
  const entry: ContainerEntry = {
    name,
    dtype: type?.dtype ?? '|u1',
    shape: t.dims,
    order: 'C',
    offset: 0,
    nbytes: 0,
    storedType: type?.name ?? `data_type ${t.type}`
  }
  const count = elementCount(t.dims, () => `initializer '${name}'`)
  const unmappable = (reason: string, remedy = 'onnx.numpy_helper.to_array reads it'): ContainerEntry => ({
    ...entry,
    unmappable: { reason, remedy }
  })
  if (t.segment) return unmappable('it is one segment of a tensor split across initializers')
  const nbytes = count * (type?.size ?? 0)
  entry.nbytes = nbytes
  if (t.location === 1) {
    const location = t.external.location ?? ''
    const offset = Number(t.external.offset ?? 0)
    if (!Number.isSafeInteger(offset) || offset < 0)
      return unmappable(`its external offset '${t.external.offset}' is not a byte offset`)
    try {
      checkShardName(location)
    } catch {
      return unmappable(
        `its external data file '${location}' lies outside the model's folder: refused`,
        'keep external data beside the model (onnx.save_model with a relative location)'
      )
    }
    if (!ctx.openSibling) return unmappable('its data is in an external file, which cannot be opened here')
    let size: number
    try {
      const s = ctx.openSibling(location)
      size = s.size
      s.close()
    } catch (e) {
      return unmappable(`its external data file '${location}' cannot be opened: ${(e as Error).message}`)
    }
    const length = t.external.length !== undefined ? Number(t.external.length) : size - offset
    const mapped = { ...entry, file: location, offset, metadata: { location, offset, length } }
    if (!type?.dtype)
      return {
        ...mapped,
        unmappable: {
          reason: `data type ${entry.storedType} has no numpy equivalent ArrayScope decodes`,
          remedy: bytesRemedy(offset, length, location)
        }
      }
    if (length !== nbytes) return unmappable(`its external length ${length} is not the ${nbytes} bytes its dims need`)
    if (offset + nbytes > size)
      return unmappable(
        `its external data [${offset}, ${offset + nbytes}) runs past the end of ${location} (${size} bytes)`
      )
    return mapped
  }
  if (t.raw) {
    const mapped = { ...entry, offset: t.raw.start }
    if (!type?.dtype)
      return {
        ...mapped,
        unmappable: {
          reason: `data type ${entry.storedType} has no numpy equivalent ArrayScope decodes`,
          remedy: bytesRemedy(t.raw.start, t.raw.length)
        }
      }
    if (t.raw.length !== nbytes) {
      throw new ContainerError(
        `initializer '${name}': raw_data holds ${t.raw.length} bytes, dims (${t.dims.join(', ')}) of ${type.name} need ${nbytes}`
      )
    }
    return mapped
  }
  if (!type?.dtype) return unmappable(`data type ${entry.storedType} has no numpy equivalent ArrayScope decodes`)
  if (count === 0) return entry
  const fieldNo = TYPED[t.type] ?? 5
  const field = t.typed.get(fieldNo)
  if (!field) return unmappable('it holds no data (neither raw_data nor its typed field)')
  if (field.wire === -1) return unmappable('its values are split over several fields (not one packed run)')
  if (fieldNo === 4 || fieldNo === 10) {
    // float_data / double_data: packed little-endian floats, the values' own bytes
    if (field.wire !== LEN || field.length !== nbytes) {
      return unmappable(
        `its ${fieldNo === 4 ? 'float_data' : 'double_data'} holds ${field.length} bytes, its dims need ${nbytes}`
      )
    }
    return { ...entry, offset: field.start, metadata: { field: fieldNo === 4 ? 'float_data' : 'double_data' } }
  }
  if (field.wire !== LEN) return unmappable('its typed field is not packed')
  const fieldName = ({ 5: 'int32_data', 7: 'int64_data', 11: 'uint64_data' } as Record<number, string>)[fieldNo]!
  // varints: decoded into a temporary copy, each value's low bytes as the element (float16's bits, a bool's 0/1)
  return {
    ...entry,
    offset: 0,
    recode: { kind: 'varints', offset: field.start, nbytes: field.length, count },
    metadata: { field: fieldName }
  }
}

/** Text (bytes 0x20–0x7e, or UTF-8 beyond): what producer names are. */
function printable(b: Uint8Array): boolean {
  for (const c of b) if (c < 0x20 || c === 0x7f) return false
  return true
}

/**
 * A Constant node's tensor (its `value` attribute), named by the node's output: a tensor of the graph like an
 * initializer. Other nodes, and Constants of scalars or lists (value_float, value_ints …), give none.
 */
function constantOf(f: ProtoFile, node: Field): Tensor | null {
  let op = ''
  let output = ''
  let value: Field | undefined
  for (const x of f.fields(node.start, node.start + node.length)) {
    if (x.wire !== LEN) continue
    if (x.no === 2 && !output) output = f.text(x.start, Math.min(x.length, 4096))
    else if (x.no === 4) op = f.text(x.start, Math.min(x.length, 64))
    else if (x.no === 5) {
      let name = ''
      let t: Field | undefined
      for (const a of f.fields(x.start, x.start + x.length)) {
        if (a.no === 1 && a.wire === LEN) name = f.text(a.start, Math.min(a.length, 64))
        if (a.no === 5 && a.wire === LEN) t = a
      }
      if (name === 'value' && t) value = t
    }
  }
  if (op !== 'Constant' || !value) return null
  return { ...readTensor(f, value.start, value.start + value.length), name: output }
}

function onnxRecipe(r: RecipeArray): string {
  const find = r.metadata?.constant
    ? `onnx.helper.get_attribute_value(next(n for n in m.graph.node if n.op_type == 'Constant' and n.output[0] == ${r.name}).attribute[0])`
    : `next(t for t in m.graph.initializer if t.name == ${r.name})`
  return [
    'import os',
    'import onnx',
    'from onnx import numpy_helper',
    `path = ${r.file}`,
    'm = onnx.load(path, load_external_data=False)  # external data is read by to_array, from the model folder',
    `a = numpy_helper.to_array(${find}, base_dir=os.path.dirname(path))`
  ].join('\n')
}

export const onnx = defineFormat({
  format: 'onnx',
  formats: {
    onnx: {
      label: 'ONNX',
      description: 'an ONNX model',
      singleArray: false,
      extensions: ['.onnx'],
      reader: 'onnx',
      recipe: onnxRecipe
    }
  },
  detect(head) {
    // no magic number: a ModelProto starts with ir_version (field 1, a small varint), then more of its fields
    if (head.length < 4 || head[0] !== 0x08 || head[1]! < 1 || head[1]! > 64) return false
    // (a field running past the file's end is still the start of a model: parse() says it is truncated)
    const f = new ProtoFile({ read: (o, n) => head.subarray(o, o + n), size: Number.MAX_SAFE_INTEGER }, 'head')
    let n = 0
    let last = 0
    try {
      for (const x of f.fields(0, Number.MAX_SAFE_INTEGER)) {
        // protobuf writers emit fields in number order; producer, version and domain are short printable text
        if (MODEL_FIELDS[x.no] !== x.wire || x.no <= last) return false
        if (x.no >= 2 && x.no <= 4 && (x.length > 256 || !printable(head.subarray(x.start, x.start + x.length))))
          return false
        last = x.no
        n++
        // a field continuing past the head (the graph): the fields up to it were right
        if (x.start + x.length >= head.length) break
      }
    } catch {
      return false
    }
    return n >= 2
  },
  parse(ctx): Container<'onnx'> {
    const f = new ProtoFile(ctx, ctx.fileName)
    const metadata: Record<string, JsonValue> = {}
    const opsets: Record<string, JsonValue> = {}
    const props: Record<string, JsonValue> = {}
    let graph: Field | undefined
    for (const x of f.fields(0, ctx.size)) {
      if (MODEL_FIELDS[x.no] !== undefined && MODEL_FIELDS[x.no] !== x.wire) {
        f.fail(`ModelProto field ${x.no} has wire type ${x.wire}: this is not an ONNX model`, x.start)
      }
      if (x.no === 1) metadata.ir_version = Number(x.value)
      else if (x.no === 2) metadata.producer = f.text(x.start, Math.min(x.length, 4096))
      else if (x.no === 3) metadata.producer_version = f.text(x.start, Math.min(x.length, 4096))
      else if (x.no === 4) metadata.domain = f.text(x.start, Math.min(x.length, 4096))
      else if (x.no === 5) metadata.model_version = Number(x.value)
      else if (x.no === 7) graph = x
      else if (x.no === 8) {
        let domain = ''
        let version = 0
        for (const o of f.fields(x.start, x.start + x.length)) {
          if (o.no === 1 && o.wire === LEN) domain = f.text(o.start, o.length)
          if (o.no === 2 && o.wire === VARINT) version = Number(o.value)
        }
        opsets[domain || 'ai.onnx'] = version
      } else if (x.no === 14 && x.wire === LEN) {
        let k = ''
        let v = ''
        for (const kv of f.fields(x.start, x.start + x.length)) {
          if (kv.no === 1 && kv.wire === LEN) k = f.text(kv.start, kv.length)
          if (kv.no === 2 && kv.wire === LEN) v = f.text(kv.start, Math.min(kv.length, 4096))
        }
        props[k] = v
      }
    }
    if (!graph) throw new ContainerError(`${ctx.fileName} has no graph: not an ONNX model`)
    metadata.opset_import = opsets
    const inputs: JsonValue[] = []
    const outputs: JsonValue[] = []
    const entries: ContainerEntry[] = []
    let nodes = 0
    for (const x of f.fields(graph.start, graph.start + graph.length)) {
      if (x.wire !== LEN) continue
      if (x.no === 1) {
        nodes++
        const c = constantOf(f, x)
        if (c) {
          const e = tensorEntry(ctx, f, c)
          entries.push({ ...e, path: ['(Constant nodes)', e.name], metadata: { ...e.metadata, constant: true } })
        }
      } else if (x.no === 2) metadata.graph = f.text(x.start, Math.min(x.length, 4096))
      else if (x.no === 5) entries.push(tensorEntry(ctx, f, readTensor(f, x.start, x.start + x.length)))
      else if (x.no === 11) inputs.push(valueInfo(f, x.start, x.start + x.length))
      else if (x.no === 12) outputs.push(valueInfo(f, x.start, x.start + x.length))
      else if (x.no === 15) {
        // a sparse initializer: its values tensor names it
        let name = ''
        for (const s of f.fields(x.start, x.start + x.length)) {
          if (s.no === 1 && s.wire === LEN) name = readTensor(f, s.start, s.start + s.length).name
        }
        entries.push({
          name,
          dtype: '|u1',
          shape: [0],
          order: 'C',
          offset: 0,
          nbytes: 0,
          storedType: 'sparse',
          unmappable: {
            reason: 'a sparse initializer (values and indices)',
            remedy: 'onnx.numpy_helper.to_array of its values and indices'
          }
        })
      }
    }
    metadata.nodes = nodes
    metadata.inputs = inputs
    metadata.outputs = outputs
    if (Object.keys(props).length) metadata.metadata_props = props
    return { format: 'onnx', separator: '.', metadata, entries }
  }
})
