// safetensors: 8 bytes little-endian u64 N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]},
// "__metadata__": {str: str}}, then the data; offsets are relative to the data's start (8 + N). Checks follow the
// reference (huggingface/safetensors, tensor.rs): header ≤ 100 MB, UTF-8 JSON, end - begin = elements × size;
// and refuse overlapping tensors or tensors past the end. Gaps between tensors are harmless and allowed.
import type { JsonValue } from '../json-value'
import {
  ContainerError,
  bytesRemedy,
  byOffset,
  checkExtents,
  elementCount,
  readExact,
  type Container,
  type ContainerEntry,
  defineFormat,
  type ParseContext,
  type RecipeArray,
  type ReadFn
} from './model'

/** The reference's limit on the JSON header. */
export const MAX_HEADER = 100_000_000
/** Deeper JSON is refused before parsing (a real header nests 3 levels). */
const MAX_DEPTH = 64

/** safetensors dtype → numpy dtype and size (bytes per element); null: listed, not mapped. */
export const SAFETENSORS_DTYPES: Record<string, { dtype: string | null; size: number }> = {
  BOOL: { dtype: '|b1', size: 1 },
  U8: { dtype: '|u1', size: 1 },
  I8: { dtype: '|i1', size: 1 },
  U16: { dtype: '<u2', size: 2 },
  I16: { dtype: '<i2', size: 2 },
  F16: { dtype: '<f2', size: 2 },
  BF16: { dtype: '<bfloat16', size: 2 },
  U32: { dtype: '<u4', size: 4 },
  I32: { dtype: '<i4', size: 4 },
  F32: { dtype: '<f4', size: 4 },
  U64: { dtype: '<u8', size: 8 },
  I64: { dtype: '<i8', size: 8 },
  F64: { dtype: '<f8', size: 8 },
  C64: { dtype: '<c8', size: 8 },
  F8_E4M3: { dtype: '|float8_e4m3fn', size: 1 },
  F8_E5M2: { dtype: '|float8_e5m2', size: 1 },
  // formats numpy and ArrayScope have no dtype for: listed with their bytes
  F8_E4M3FNUZ: { dtype: null, size: 1 },
  F8_E5M2FNUZ: { dtype: null, size: 1 },
  F8_E8M0: { dtype: null, size: 1 }
}

function u64le(b: Uint8Array, o: number): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(o, true)
}

/** Nesting depth of a JSON text, strings skipped; stops early past limit. */
function jsonDepth(bytes: Uint8Array, limit: number): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let k = 0; k < bytes.length; k++) {
    const c = bytes[k]!
    if (inString) {
      if (c === 0x5c) k++
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth
      if (max > limit) return max
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return max
}

interface RawTensor {
  name: string
  info: unknown
}

/**
 * The headers safetensors writes — {"__metadata__":{…},"name":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},…}
 * — read straight from the text, without building JSON.parse's objects (a 100,000-tensor header is ~10 MB: this
 * halves the time to its first listing). Anything else (escapes in a name, other keys, numbers that are not plain
 * integers) returns null and JSON.parse decides, so both paths accept and refuse the same headers. One difference,
 * on purpose: a name given twice (malformed JSON for safetensors) is listed twice here, where JSON.parse keeps the
 * last — hashing 100,000 names to find duplicates would cost a third of the scan.
 */
export function scanHeader(text: string): { metadata: string | null; tensors: RawTensor[] } | null {
  let i = 0
  const n = text.length
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break
      i++
    }
  }
  const str = (): string | null => {
    if (text.charCodeAt(i) !== 0x22) return null
    const end = text.indexOf('"', i + 1)
    if (end < 0) return null
    const s = text.slice(i + 1, end)
    if (s.includes('\\')) return null
    for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) < 0x20) return null
    i = end + 1
    return s
  }
  const int = (): number | null => {
    const start = i
    let v = 0
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c < 0x30 || c > 0x39) break
      v = v * 10 + (c - 0x30)
      i++
    }
    if (i === start || (i - start > 1 && text.charCodeAt(start) === 0x30) || i - start > 15) return null
    return v
  }
  const ints = (): number[] | null => {
    if (text.charCodeAt(i) !== 0x5b) return null
    i++
    ws()
    const out: number[] = []
    if (text.charCodeAt(i) === 0x5d) {
      i++
      return out
    }
    for (;;) {
      ws()
      const v = int()
      if (v === null) return null
      out.push(v)
      ws()
      const c = text.charCodeAt(i++)
      if (c === 0x5d) return out
      if (c !== 0x2c) return null
    }
  }
  const expect = (c: number): boolean => {
    ws()
    if (text.charCodeAt(i) !== c) return false
    i++
    ws()
    return true
  }
  if (!expect(0x7b)) return null
  const tensors: RawTensor[] = []
  let metadata: string | null = null
  if (text.charCodeAt(i) === 0x7d) {
    i++
  } else {
    for (;;) {
      const name = str()
      if (name === null || !expect(0x3a)) return null
      if (name === '__metadata__' && metadata === null) {
        // its object as text, for JSON.parse (string-aware bracket matching; escapes inside are fine here)
        if (text.charCodeAt(i) !== 0x7b) return null
        const start = i
        let depth = 0
        for (; i < n; i++) {
          const c = text.charCodeAt(i)
          if (c === 0x22) {
            for (i++; i < n && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++
          } else if (c === 0x7b || c === 0x5b) depth++
          else if ((c === 0x7d || c === 0x5d) && --depth === 0) break
        }
        if (i >= n) return null
        i++
        metadata = text.slice(start, i)
      } else {
        if (!expect(0x7b)) return null
        let dtype: string | null = null
        let shape: number[] | null = null
        let offsets: number[] | null = null
        for (let field = 0; field < 3; field++) {
          const key = str()
          if (!expect(0x3a)) return null
          if (key === 'dtype' && dtype === null) dtype = str()
          else if (key === 'shape' && shape === null) shape = ints()
          else if (key === 'data_offsets' && offsets === null) offsets = ints()
          else return null
          if (!expect(field < 2 ? 0x2c : 0x7d)) return null
        }
        if (dtype === null || shape === null || offsets === null) return null
        tensors.push({ name, info: { dtype, shape, data_offsets: offsets } })
      }
      ws()
      const c = text.charCodeAt(i++)
      if (c === 0x7d) break
      if (c !== 0x2c) return null
      ws()
    }
  }
  ws()
  return i === n ? { metadata, tensors } : null
}

/** Reads the JSON header of a safetensors file: its length, where the data starts, and its tensors and metadata. */
export function readSafetensorsHeader(
  ctx: { read: ReadFn; size: number },
  label: string
): {
  tensors: RawTensor[]
  metadata: unknown
  dataStart: number
} {
  if (ctx.size < 8) throw new ContainerError(`${label} is ${ctx.size} bytes: too short for a safetensors header`)
  const n64 = u64le(readExact(ctx, 0, 8, 'the header length'), 0)
  if (n64 > BigInt(MAX_HEADER)) {
    throw new ContainerError(
      `${label}: the safetensors header claims ${n64} bytes; headers over ${MAX_HEADER} bytes are refused (as the safetensors library does)`
    )
  }
  const n = Number(n64)
  if (8 + n > ctx.size) {
    throw new ContainerError(
      `${label}: the safetensors header claims ${n} bytes, the file has only ${ctx.size - 8} after the length: truncated or not safetensors`
    )
  }
  const bytes = readExact(ctx, 8, n, 'the safetensors header')
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new ContainerError(`${label}: the safetensors header is not valid UTF-8`)
  }
  const fast = scanHeader(text)
  if (fast) {
    let metadata: unknown
    if (fast.metadata !== null) {
      if (jsonDepth(new TextEncoder().encode(fast.metadata), MAX_DEPTH) > MAX_DEPTH) {
        throw new ContainerError(`${label}: the safetensors header nests JSON deeper than ${MAX_DEPTH} levels: refused`)
      }
      metadata = JSON.parse(fast.metadata)
    }
    return { tensors: fast.tensors, metadata, dataStart: 8 + n }
  }
  if (jsonDepth(bytes, MAX_DEPTH) > MAX_DEPTH) {
    throw new ContainerError(`${label}: the safetensors header nests JSON deeper than ${MAX_DEPTH} levels: refused`)
  }
  let header: unknown
  try {
    header = JSON.parse(text)
  } catch (e) {
    throw new ContainerError(`${label}: the safetensors header is not valid JSON (${(e as Error).message})`)
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) {
    throw new ContainerError(`${label}: the safetensors header is not a JSON object`)
  }
  const h = header as Record<string, unknown>
  const tensors: RawTensor[] = []
  for (const name of Object.keys(h)) if (name !== '__metadata__') tensors.push({ name, info: h[name] })
  return { tensors, metadata: h.__metadata__, dataStart: 8 + n }
}

/** The entries of one safetensors file (file: the shard's name relative to the index, for sharded checkpoints). */
export function safetensorsEntries(
  ctx: { read: ReadFn; size: number },
  label: string,
  file?: string
): { entries: ContainerEntry[]; metadata: Record<string, JsonValue> } {
  const header = readSafetensorsHeader(ctx, label)
  const { dataStart } = header
  const dataEnd = ctx.size
  const entries: ContainerEntry[] = []
  let metadata: Record<string, JsonValue> = {}
  if (header.metadata !== undefined) {
    const m = header.metadata
    if (!m || typeof m !== 'object' || Array.isArray(m)) {
      throw new ContainerError(`${label}: __metadata__ must be a JSON object of strings`)
    }
    metadata = m as Record<string, JsonValue>
  }
  const isCount = (d: unknown): boolean => Number.isSafeInteger(d) && (d as number) >= 0
  for (const { name, info } of header.tensors) {
    const where = (): string => `${label}: tensor '${name}'`
    if (!info || typeof info !== 'object' || Array.isArray(info)) {
      throw new ContainerError(`${where()} is not an object {dtype, shape, data_offsets}`)
    }
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>
    if (typeof dtype !== 'string') throw new ContainerError(`${where()} has no dtype string`)
    let shapeOk = Array.isArray(shape) && shape.length <= 32
    for (let k = 0; shapeOk && k < (shape as unknown[]).length; k++) shapeOk = isCount((shape as unknown[])[k])
    if (!shapeOk) throw new ContainerError(`${where()} has an invalid shape ${JSON.stringify(shape)?.slice(0, 200)}`)
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !isCount(offsets[0]) ||
      !isCount(offsets[1]) ||
      offsets[1] < offsets[0]
    ) {
      throw new ContainerError(`${where()} has invalid data_offsets ${JSON.stringify(offsets)?.slice(0, 200)}`)
    }
    const [begin, end] = offsets as [number, number]
    const known = SAFETENSORS_DTYPES[dtype]
    const count = elementCount(shape as number[], where)
    const offset = dataStart + begin
    const nbytes = end - begin
    const entry: ContainerEntry = {
      name,
      dtype: known?.dtype ?? '|u1',
      shape: shape as number[],
      order: 'C',
      offset,
      nbytes,
      storedType: dtype
    }
    if (file) entry.file = file
    if (!known) {
      entry.unmappable = {
        reason: `dtype ${dtype} is not one safetensors defines (or ArrayScope knows)`,
        remedy: bytesRemedy(offset, nbytes, file)
      }
    } else {
      if (count * known.size !== nbytes) {
        throw new ContainerError(
          `${where()}: shape (${(shape as number[]).join(', ')}) of ${dtype} needs ${count * known.size} bytes, data_offsets give ${nbytes}`
        )
      }
      if (!known.dtype) {
        entry.unmappable = {
          reason: `dtype ${dtype} has no numpy equivalent ArrayScope decodes`,
          remedy: bytesRemedy(offset, nbytes, file)
        }
      }
    }
    entries.push(entry)
  }
  for (const e of entries) {
    if (e.offset + e.nbytes > dataEnd) {
      throw new ContainerError(
        `${label}: tensor '${e.name}' needs bytes up to ${e.offset + e.nbytes}, the file has ${dataEnd}: the file is truncated`
      )
    }
  }
  // the order of the data (safetensors writes by dtype alignment, then name)
  entries.sort(byOffset)
  checkExtents(entries, dataStart, dataEnd, 'tensor', true)
  return { entries, metadata }
}

/** safetensors types numpy lacks, by their ml_dtypes names (the engine's names for them too). */
const ML_DTYPES: Record<string, string> = {
  BF16: 'bfloat16',
  F8_E4M3: 'float8_e4m3fn',
  F8_E5M2: 'float8_e5m2'
}

/**
 * Copy as code for a tensor of a safetensors file (or of a shard of a sharded index). A bfloat16 / float8
 * tensor with numpy alone fails (safe_open(framework='np') has no such dtype) and framework='pt' needs torch: the
 * header gives the tensor's bytes, np.memmap maps them with ml_dtypes' type.
 */
export function safetensorsRecipe(r: RecipeArray): string {
  const ml = ML_DTYPES[r.storedType]
  if (!ml) {
    return `from safetensors import safe_open\nwith safe_open(${r.dataFile}, framework='np') as f:\n    a = f.get_tensor(${r.name})`
  }
  return [
    'import json, struct',
    'import numpy as np',
    `import ml_dtypes  # numpy's ${ml} (pip install ml_dtypes); with torch: safe_open(..., framework='pt')`,
    `path = ${r.dataFile}`,
    "with open(path, 'rb') as fh:",
    "    n = struct.unpack('<Q', fh.read(8))[0]",
    `    t = json.loads(fh.read(n))[${r.name}]  # dtype ${r.storedType}`,
    `a = np.memmap(path, dtype=ml_dtypes.${ml}, mode='r', offset=8 + n + t['data_offsets'][0], shape=tuple(t['shape']))`
  ].join('\n')
}

export const safetensors = defineFormat({
  format: 'safetensors',
  formats: {
    safetensors: {
      label: 'safetensors',
      description: 'a safetensors file',
      singleArray: false,
      extensions: ['.safetensors'],
      reader: 'safetensors',
      recipe: safetensorsRecipe
    }
  },
  detect(head, size) {
    if (head.length < 9 || size < 10) return false
    const n = u64le(head, 0)
    // the JSON header starts with '{' (the reference will require it; every writer does it). A length below 2^40
    // (its top three bytes zero) is the rest of the magic: a truncated file or an oversized claim is then reported
    // as such by parse(), while random bytes almost never pass for safetensors.
    return n >= 2n && n < 1n << 40n && head[8] === 0x7b
  },
  parse(ctx: ParseContext): Container<'safetensors'> {
    const { entries, metadata } = safetensorsEntries(ctx, ctx.fileName)
    return { format: 'safetensors', separator: '.', metadata: { __metadata__: metadata }, entries }
  }
})
