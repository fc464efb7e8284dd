// GGUF (v2 and v3), as gguf-py's GGUFReader reads it: magic "GGUF", version, tensor count, key/value count
// (u64 each), the key/values, the tensor infos {name, n_dims, dims (fastest first), type, offset}, then the data
// at the header's end aligned to general.alignment (default 32). numpy's shape is the dims reversed, leading
// size-1 dims kept. Plain types map directly; quantized blocks carry a decoding (dequantized natively to float32).
// A file whose version reads 0 in its low 16 bits was written big-endian (gguf-py's test, kept here).
import type { JsonValue } from '../json-value'
import {
  ContainerError,
  bytesRemedy,
  byOffset,
  checkExtents,
  elementCount,
  type Container,
  type ContainerEntry,
  type Decoding,
  defineFormat,
  type ParseContext
} from './model'
import { float32Shown } from './metadata'

interface GgmlType {
  name: string
  blockElems: number
  blockBytes: number
  /** numpy type (without byte order) for types mapped directly. */
  plain?: string
  /** The native dequantizer decodes it. */
  dequant?: boolean
}

/** GGML's types by id (gguf-py constants.py GGMLQuantizationType and GGML_QUANT_SIZES). */
export const GGML_TYPES: Record<number, GgmlType> = {
  0: { name: 'F32', blockElems: 1, blockBytes: 4, plain: 'f4' },
  1: { name: 'F16', blockElems: 1, blockBytes: 2, plain: 'f2' },
  2: { name: 'Q4_0', blockElems: 32, blockBytes: 18, dequant: true },
  3: { name: 'Q4_1', blockElems: 32, blockBytes: 20, dequant: true },
  6: { name: 'Q5_0', blockElems: 32, blockBytes: 22, dequant: true },
  7: { name: 'Q5_1', blockElems: 32, blockBytes: 24, dequant: true },
  8: { name: 'Q8_0', blockElems: 32, blockBytes: 34, dequant: true },
  9: { name: 'Q8_1', blockElems: 32, blockBytes: 40 },
  10: { name: 'Q2_K', blockElems: 256, blockBytes: 84, dequant: true },
  11: { name: 'Q3_K', blockElems: 256, blockBytes: 110, dequant: true },
  12: { name: 'Q4_K', blockElems: 256, blockBytes: 144, dequant: true },
  13: { name: 'Q5_K', blockElems: 256, blockBytes: 176, dequant: true },
  14: { name: 'Q6_K', blockElems: 256, blockBytes: 210, dequant: true },
  15: { name: 'Q8_K', blockElems: 256, blockBytes: 292, dequant: true },
  16: { name: 'IQ2_XXS', blockElems: 256, blockBytes: 66 },
  17: { name: 'IQ2_XS', blockElems: 256, blockBytes: 74 },
  18: { name: 'IQ3_XXS', blockElems: 256, blockBytes: 98 },
  19: { name: 'IQ1_S', blockElems: 256, blockBytes: 50 },
  20: { name: 'IQ4_NL', blockElems: 32, blockBytes: 18 },
  21: { name: 'IQ3_S', blockElems: 256, blockBytes: 110 },
  22: { name: 'IQ2_S', blockElems: 256, blockBytes: 82 },
  23: { name: 'IQ4_XS', blockElems: 256, blockBytes: 136 },
  24: { name: 'I8', blockElems: 1, blockBytes: 1, plain: 'i1' },
  25: { name: 'I16', blockElems: 1, blockBytes: 2, plain: 'i2' },
  26: { name: 'I32', blockElems: 1, blockBytes: 4, plain: 'i4' },
  27: { name: 'I64', blockElems: 1, blockBytes: 8, plain: 'i8' },
  28: { name: 'F64', blockElems: 1, blockBytes: 8, plain: 'f8' },
  29: { name: 'IQ1_M', blockElems: 256, blockBytes: 56 },
  30: { name: 'BF16', blockElems: 1, blockBytes: 2, plain: 'bfloat16' },
  34: { name: 'TQ1_0', blockElems: 256, blockBytes: 54 },
  35: { name: 'TQ2_0', blockElems: 256, blockBytes: 66 },
  39: { name: 'MXFP4', blockElems: 32, blockBytes: 17 },
  40: { name: 'NVFP4', blockElems: 64, blockBytes: 36 },
  41: { name: 'Q1_0', blockElems: 128, blockBytes: 18 }
}

const VALUE_TYPES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64']
const FIXED_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 }
/** Array items kept for display (the rest is counted and skipped: a tokenizer has 150k strings). */
/**
 * Items of a metadata array kept (listings shorten them and the app pages through the rest): a whole vocabulary
 * of a few hundred thousand tokens, not an unbounded one.
 */
const KEEP_ITEMS = 1 << 20
const MAX_NESTING = 8
const CHUNK = 1 << 20

/** Sequential reads over ParseContext.read, a megabyte at a time. */
class Cursor {
  pos = 0
  private buf: Uint8Array = new Uint8Array(0)
  private view = new DataView(this.buf.buffer)
  private bufStart = 0
  constructor(
    private readonly ctx: ParseContext,
    private readonly little: boolean
  ) {}
  get remaining(): number {
    return this.ctx.size - this.pos
  }
  private need(n: number, what: string): number {
    if (this.pos + n > this.ctx.size) {
      throw new ContainerError(
        `the GGUF header runs past the end of the file reading ${what} at byte ${this.pos}: the file is truncated or not GGUF`
      )
    }
    if (this.pos < this.bufStart || this.pos + n > this.bufStart + this.buf.length) {
      this.bufStart = this.pos
      this.buf = this.ctx.read(this.pos, Math.max(n, CHUNK))
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
      if (this.buf.length < n) throw new ContainerError(`the file ends while reading ${what} at byte ${this.pos}`)
    }
    const at = this.pos - this.bufStart
    this.pos += n
    return at
  }
  u32(what: string): number {
    {
      const at = this.need(4, what)
      return this.view.getUint32(at, this.little)
    }
  }
  /** A u64 as a number (no BigInt: 100,000 tensors read 400,000 of them); beyond 2^53 it is refused. */
  u64(what: string): number {
    const at = this.need(8, what)
    const lo = this.view.getUint32(at + (this.little ? 0 : 4), this.little)
    const hi = this.view.getUint32(at + (this.little ? 4 : 0), this.little)
    if (hi >= 0x200000) {
      const exact = (BigInt(hi) << 32n) | BigInt(lo)
      throw new ContainerError(`${what} is ${exact}: more than any file can hold`)
    }
    return hi * 0x100000000 + lo
  }
  count(what: string, minBytesEach: number): number {
    const at = this.pos
    let n: number
    try {
      n = this.u64(what)
    } catch {
      n = Infinity
    }
    if (n * Math.max(1, minBytesEach) > this.remaining) {
      this.pos = at
      const exact = this.view.getBigUint64(this.need(8, what), this.little)
      throw new ContainerError(`${what} is ${exact}, more than the ${this.remaining} bytes left in the file can hold`)
    }
    return n
  }
  bytes(n: number, what: string): Uint8Array {
    if (n > CHUNK) {
      if (this.pos + n > this.ctx.size)
        throw new ContainerError(`${what} at byte ${this.pos} runs past the end of the file`)
      const b = this.ctx.read(this.pos, n)
      this.pos += n
      return b
    }
    const at = this.need(n, what)
    return this.buf.subarray(at, at + n)
  }
  string(what: string): string {
    const n = this.count(`the length of ${what}`, 1)
    return new TextDecoder('utf-8').decode(this.bytes(n, what))
  }
  skip(n: number, what: string): void {
    if (this.pos + n > this.ctx.size)
      throw new ContainerError(`${what} at byte ${this.pos} runs past the end of the file`)
    this.pos += n
  }
  scalar(type: number, what: string): JsonValue {
    switch (type) {
      case 0: {
        const at = this.need(1, what)
        return this.view.getUint8(at)
      }
      case 1: {
        const at = this.need(1, what)
        return this.view.getInt8(at)
      }
      case 2: {
        const at = this.need(2, what)
        return this.view.getUint16(at, this.little)
      }
      case 3: {
        const at = this.need(2, what)
        return this.view.getInt16(at, this.little)
      }
      case 4: {
        const at = this.need(4, what)
        return this.view.getUint32(at, this.little)
      }
      case 5: {
        const at = this.need(4, what)
        return this.view.getInt32(at, this.little)
      }
      case 6: {
        // a float32 shown with its own shortest digits (1e-05), as gguf-py's numpy value prints
        const at = this.need(4, what)
        return float32Shown(this.view.getFloat32(at, this.little))
      }
      case 7: {
        const at = this.need(1, what)
        return this.view.getUint8(at) !== 0
      }
      case 10: {
        const at = this.need(8, what)
        return big(this.view.getBigUint64(at, this.little))
      }
      case 11: {
        const at = this.need(8, what)
        return big(this.view.getBigInt64(at, this.little))
      }
      case 12: {
        const at = this.need(8, what)
        return this.view.getFloat64(at, this.little)
      }
    }
    throw new ContainerError(`${what} has an unknown value type ${type}`)
  }
}

function big(v: bigint): JsonValue {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()
}

function nonFinite(x: JsonValue): JsonValue {
  if (typeof x !== 'number' || Number.isFinite(x)) return x
  return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf'
}

/** One value of a key/value pair; arrays keep their first items and say how long they are. */
function readValue(c: Cursor, type: number, what: string, depth: number): JsonValue {
  if (type === 8) return c.string(what)
  if (type !== 9) return nonFinite(c.scalar(type, what))
  if (depth >= MAX_NESTING) throw new ContainerError(`${what} nests arrays deeper than ${MAX_NESTING} levels`)
  const itemType = c.u32(`the item type of ${what}`)
  if (itemType > 12) throw new ContainerError(`${what} has an unknown item type ${itemType}`)
  const size = FIXED_SIZE[itemType]
  const n = c.count(`the length of ${what}`, size ?? (itemType === 8 ? 8 : 12))
  const items: JsonValue[] = []
  for (let k = 0; k < n; k++) {
    if (k === KEEP_ITEMS && size !== undefined) {
      c.skip((n - k) * size, what)
      break
    }
    const v = readValue(c, itemType, what, depth + 1)
    if (k < KEEP_ITEMS) items.push(v)
  }
  if (n > KEEP_ITEMS) items.push(`… ${n} items of ${VALUE_TYPES[itemType]} in all`)
  return items
}

export function ggmlTypeName(id: number): string {
  return GGML_TYPES[id]?.name ?? `type ${id}`
}

export const gguf = defineFormat({
  format: 'gguf',
  formats: {
    gguf: {
      label: 'GGUF',
      description: 'a GGUF model file',
      singleArray: false,
      extensions: ['.gguf'],
      reader: 'gguf',
      recipe: (r) => {
        const load = r.quant
          ? `from gguf.quants import dequantize\na = dequantize(t.data, t.tensor_type)  # ${r.quant} blocks to float32`
          : r.storedType === 'BF16'
            ? `a = (t.data.view('<u2').astype(np.uint32) << 16).view(np.float32).reshape(${r.shape})`
            : 'a = t.data'
        return `import numpy as np\nfrom gguf import GGUFReader\nt = next(t for t in GGUFReader(${r.file}).tensors if t.name == ${r.name})\n${load}`
      }
    }
  },
  detect(head) {
    return head.length >= 8 && head[0] === 0x47 && head[1] === 0x47 && head[2] === 0x55 && head[3] === 0x46
  },
  parse(ctx): Container<'gguf'> {
    if (ctx.size < 24) throw new ContainerError(`the file is ${ctx.size} bytes: too short for a GGUF header`)
    const head = ctx.read(0, 8)
    const v = new DataView(head.buffer, head.byteOffset, head.byteLength)
    const little = (v.getUint32(4, true) & 0xffff) !== 0
    const c = new Cursor(ctx, little)
    c.skip(4, 'the magic')
    const version = c.u32('the version')
    if (version !== 2 && version !== 3) {
      throw new ContainerError(`GGUF version ${version} is not supported (versions 2 and 3 are, as gguf-py reads them)`)
    }
    const tensorCount = c.count('the tensor count', 24)
    const kvCount = c.count('the key/value count', 13)
    const metadata: Record<string, JsonValue> = { 'GGUF.version': version }
    if (!little) metadata['GGUF.byte_order'] = 'big-endian'
    let alignment = 32
    for (let k = 0; k < kvCount; k++) {
      const key = c.string(`key ${k}`)
      const type = c.u32(`the type of '${key}'`)
      if (type > 12) throw new ContainerError(`key '${key}' has an unknown value type ${type}`)
      if (Object.prototype.hasOwnProperty.call(metadata, key)) throw new ContainerError(`key '${key}' appears twice`)
      const value = readValue(c, type, `'${key}'`, 0)
      if (key === 'general.alignment') {
        if (type !== 4) throw new ContainerError('general.alignment must be a u32 (as gguf-py requires)')
        const a = value as number
        if (a === 0 || (a & (a - 1)) !== 0) {
          throw new ContainerError(`general.alignment is ${a}: it must be a non-zero power of two`)
        }
        alignment = a
      }
      metadata[key] = value
    }
    const infos: { name: string; dims: number[]; type: number; offset: number }[] = []
    const names = new Set<string>()
    for (let k = 0; k < tensorCount; k++) {
      const name = c.string('a tensor name')
      // constant descriptions in the loop (no string built per field); an error names the tensor
      try {
        const nd = c.u32('its dimension count')
        if (nd > 32) throw new ContainerError(`claims ${nd} dimensions (at most 32 are supported)`)
        const dims: number[] = []
        for (let d = 0; d < nd; d++) dims.push(c.u64('a dimension'))
        const type = c.u32('its type')
        const offset = c.u64('its offset')
        if (names.has(name)) throw new ContainerError('appears twice (gguf-py refuses that too)')
        names.add(name)
        infos.push({ name, dims, type, offset })
      } catch (e) {
        if (e instanceof ContainerError) throw new ContainerError(`tensor '${name}': ${e.message}`)
        throw e
      }
    }
    const dataStart = Math.ceil(c.pos / alignment) * alignment
    const entries: ContainerEntry[] = infos.map((t) => tensorEntry(t, dataStart, little))
    const placed = entries.filter((e) => !e.unmappable || e.nbytes > 0)
    let inOrder = true
    for (let k = 1; k < placed.length && inOrder; k++) inOrder = byOffset(placed[k - 1]!, placed[k]!) <= 0
    checkExtents(placed, dataStart, ctx.size, 'tensor', inOrder)
    metadata['GGUF.tensor_count'] = tensorCount
    metadata['GGUF.kv_count'] = kvCount
    metadata['GGUF.data_offset'] = dataStart
    return { format: 'gguf', separator: '.', metadata, entries }
  }
})

function tensorEntry(
  t: { name: string; dims: number[]; type: number; offset: number },
  dataStart: number,
  little: boolean
): ContainerEntry {
  const shape = t.dims.reverse()
  const where = (): string => `tensor '${t.name}'`
  const count = elementCount(shape, where)
  const info = GGML_TYPES[t.type]
  const offset = dataStart + t.offset
  if (info?.plain) {
    // the common case, built without spreads (headers of 100,000 tensors)
    const order = info.plain === 'i1' ? '|' : little ? '<' : '>'
    return {
      name: t.name,
      dtype: order + info.plain,
      shape,
      order: 'C',
      offset,
      nbytes: count * info.blockBytes,
      storedType: info.name
    }
  }
  const base = {
    name: t.name,
    shape,
    order: 'C' as const,
    offset,
    storedType: ggmlTypeName(t.type)
  }
  if (!info) {
    return {
      ...base,
      dtype: '|u1',
      nbytes: 0,
      unmappable: { reason: `GGML type ${t.type} is unknown (a newer GGUF?)`, remedy: 'its bytes are in the hex view' }
    }
  }
  const rowLength = shape.length ? shape[shape.length - 1]! : 1
  if (rowLength % info.blockElems !== 0) {
    throw new ContainerError(
      `${where()}: its rows of ${rowLength} elements are not whole ${info.name} blocks of ${info.blockElems}`
    )
  }
  const nbytes = (count / info.blockElems) * info.blockBytes
  const decoding: Decoding = {
    kind: 'dequantize',
    quant: info.name,
    ggmlType: t.type,
    blockElems: info.blockElems,
    blockBytes: info.blockBytes
  }
  if (!info.dequant) {
    return {
      ...base,
      dtype: '|u1',
      nbytes,
      unmappable: { reason: `${info.name} blocks are not dequantized yet`, remedy: bytesRemedy(offset, nbytes) }
    }
  }
  if (!little) {
    return {
      ...base,
      dtype: '<f4',
      nbytes,
      unmappable: {
        reason: `the ${info.name} blocks of a big-endian GGUF are not dequantized`,
        remedy: bytesRemedy(offset, nbytes)
      }
    }
  }
  return { ...base, dtype: '<f4', nbytes, decoding }
}
