// PyTorch checkpoints as torch.save writes them: since torch 1.6 a ZIP archive (stored members, each under one
// top folder named after the file) holding data.pkl — the saved object — and data/N, the storages' bytes, aligned
// to 64 bytes. data.pkl is read by a pickle reader that runs nothing (pickle-reader.ts, torch-pickle.ts); each
// tensor is mapped in place from its storage record with its size, stride, storage offset and dtype. Names are
// the state-dict keys, nested dicts and lists joined by '.'. A legacy checkpoint (before 1.6: the pickles, then
// every storage's bytes after an 8-byte count) is mapped the same way from its storages' positions.
import type { JsonValue } from '../json-value'
import {
  ContainerError,
  bytesRemedy,
  elementCount,
  readExact,
  type Container,
  type ContainerEntry,
  defineFormat,
  type ParseContext,
  type RecipeArray,
  type ReadFn,
  type Via
} from './model'
import { PickleError, readPickle, type PValue } from './pickle-reader'
import { isTensor, torchHooks, type TensorRef } from './torch-pickle'
import { readZipDirectory, type ZipMember } from './zip'

/** data.pkl larger than this is refused (a 100,000-tensor checkpoint's is a few MB). */
const MAX_PICKLE = 512 << 20
/** torch.save's legacy format starts with its magic number pickled as a LONG1 (protocol 2). */
const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]
/** How deep nested dicts and lists are followed for tensors. */
const MAX_DEPTH = 64

/** Where a storage's bytes are: a record of the archive (or of a legacy file), or why they cannot be read. */
type StorageBytes = { offset: number; nbytes: number; via?: Via } | { unmappable: string }

/** The tensors of the saved object, by name (dicts' keys and lists' indices joined by '.'), in the object's order. */
export function tensorsOf(root: PValue): { name: string; keys: (string | number)[]; tensor: TensorRef }[] {
  const out: { name: string; keys: (string | number)[]; tensor: TensorRef }[] = []
  const seen = new Set<object>()
  const walk = (v: PValue, keys: (string | number)[]): void => {
    if (isTensor(v)) {
      out.push({ name: keys.length ? keys.join('.') : 'tensor', keys, tensor: v.value })
      return
    }
    if (!v || typeof v !== 'object' || seen.has(v) || keys.length > MAX_DEPTH) return
    seen.add(v)
    if (v.t === 'dict') {
      for (const [k, x] of v.entries) walk(x, [...keys, typeof k === 'number' ? k : keyText(k)])
    } else if (v.t === 'list' || v.t === 'tuple') {
      v.items.forEach((x, k) => walk(x, [...keys, k]))
    }
  }
  walk(root, [])
  return out
}

function keyText(k: PValue, depth = 0): string {
  if (typeof k === 'string') return k
  if (k === null || typeof k !== 'object') return String(k)
  // a tuple key nested without end (a hostile pickle) is cut, not followed
  if ((k.t === 'tuple' || k.t === 'list') && depth < 8)
    return `(${k.items.map((x) => keyText(x, depth + 1)).join(', ')})`
  return k.t
}

/** The container's metadata from the saved object: its scalar values (epoch, step …), shortened. */
function scalars(root: PValue): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {}
  if (!root || typeof root !== 'object' || root.t !== 'dict') return out
  for (const [k, v] of root.entries.slice(0, 64)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[keyText(k)] = v
    else if (typeof v === 'bigint') out[keyText(k)] = v.toString()
  }
  return out
}

/** One tensor's entry: its storage's bytes, viewed with its offset, size and stride. */
function tensorEntry(
  name: string,
  keys: (string | number)[],
  t: TensorRef,
  where: StorageBytes,
  little: boolean,
  file: string | undefined
): ContainerEntry {
  const { dtype, size, stride } = t
  const code = dtype.code
  const byteOrder = dtype.size === 1 ? '|' : little ? '<' : '>'
  const npDtype = code === null ? '|u1' : `${byteOrder}${code}`
  const count = elementCount(size, () => `tensor '${name}'`)
  const storageBytes = t.storage.type ? t.storage.numel * t.storage.type.size : t.storage.numel
  const entry: ContainerEntry = {
    name,
    dtype: npDtype,
    shape: size,
    order: 'C',
    offset: 0,
    nbytes: count * dtype.size,
    storedType: dtype.torch,
    metadata: {
      storage: `data/${t.storage.key}`,
      storage_offset: t.offset,
      stride,
      ...(t.parameter ? { parameter: true } : {}),
      ...(t.requiresGrad ? { requires_grad: true } : {}),
      ...(keys.length > 1 || (keys.length === 1 && typeof keys[0] !== 'string') || keys.length === 0 ? { keys } : {})
    }
  }
  if (file) entry.file = file
  const unmappable = (reason: string, remedy: string): ContainerEntry => ({ ...entry, unmappable: { reason, remedy } })
  if ('unmappable' in where) return unmappable(where.unmappable, 'torch.load(path, weights_only=True) reads it')
  entry.offset = where.offset + t.offset * dtype.size
  if (where.via) entry.via = where.via
  const bytes = (): string =>
    where.via ? 'torch.load(path, weights_only=True) reads it' : bytesRemedy(where.offset, where.nbytes, file)
  if (storageBytes > where.nbytes) {
    return unmappable(
      `its storage claims ${storageBytes} bytes, its record holds ${where.nbytes}: the file is damaged`,
      bytes()
    )
  }
  if (code === null) return unmappable(`dtype ${dtype.torch} has no numpy equivalent ArrayScope decodes`, bytes())
  if (count === 0) return entry
  // the last element the view reaches must lie inside its storage
  let reach = t.offset
  for (let k = 0; k < size.length; k++) reach += (size[k]! - 1) * stride[k]!
  if ((reach + 1) * dtype.size > storageBytes) {
    return unmappable(
      `its view reaches element ${reach} of a storage of ${storageBytes / dtype.size}: the file is damaged`,
      bytes()
    )
  }
  const dims = size.map((n, k) => ({ n, s: stride[k]! })).filter((d) => d.n > 1)
  let c = 1
  let isC = true
  for (let k = dims.length - 1; k >= 0; k--) {
    if (dims[k]!.s !== c) isC = false
    c *= dims[k]!.n
  }
  if (isC) return entry
  let f = 1
  let isF = true
  for (const d of dims) {
    if (d.s !== f) isF = false
    f *= d.n
  }
  if (isF) return { ...entry, order: 'F' }
  if (dims.some((d) => d.s === 0)) {
    return unmappable(
      'it is a broadcast view (a stride of 0: one value seen many times)',
      'save tensor.contiguous() to map it'
    )
  }
  return { ...entry, strides: stride.map((s) => s * dtype.size) }
}

function inflateVia(m: ZipMember): Via {
  return {
    kind: 'inflate',
    stream: 'raw',
    dataOffset: m.dataOffset,
    compressedSize: m.compressedSize,
    uncompressedSize: m.uncompressedSize,
    crc32: m.crc32,
    what: 'storage record'
  }
}

/** The bytes of the saved object: data.pkl (stored, or deflated when ctx can inflate). */
function pickleBytes(ctx: ParseContext, m: ZipMember): Uint8Array {
  if (m.uncompressedSize > MAX_PICKLE) {
    throw new ContainerError(`${m.name} is ${m.uncompressedSize} bytes; pickles over ${MAX_PICKLE} bytes are refused`)
  }
  if (m.method === 0) return readExact(ctx, m.dataOffset, m.compressedSize, m.name)
  if (m.method === 8 && ctx.inflatePrefix) {
    const b = ctx.inflatePrefix(m.dataOffset, m.compressedSize, m.uncompressedSize)
    if (b.length < m.uncompressedSize) throw new ContainerError(`${m.name} inflates to fewer bytes than it claims`)
    return b
  }
  throw new ContainerError(
    `${m.name} is compressed (method ${m.method}): torch.save stores it; unzip and re-zip without compression`
  )
}

function parseZip(
  ctx: ParseContext,
  file?: string
): { entries: ContainerEntry[]; metadata: Record<string, JsonValue> } {
  const members = readZipDirectory(ctx)
  const pkl = members.find((m) => /^([^/]+\/)?data\.pkl$/.test(m.name))
  if (!pkl) throw new ContainerError('the ZIP archive has no data.pkl: it is not a torch.save checkpoint')
  const prefix = pkl.name.slice(0, -'data.pkl'.length)
  const byName = new Map(members.map((m) => [m.name, m]))
  const text = (n: string): string | undefined => {
    const m = byName.get(prefix + n)
    return m && m.method === 0 && m.compressedSize < 64
      ? new TextDecoder().decode(ctx.read(m.dataOffset, m.compressedSize)).trim()
      : undefined
  }
  const byteorder = text('byteorder') ?? 'little'
  let root: PValue
  try {
    root = readPickle(pickleBytes(ctx, pkl), torchHooks(), 0, pkl.name).value
  } catch (e) {
    if (e instanceof PickleError && byName.has(`${prefix}constants.pkl`)) {
      throw new ContainerError(
        `${e.message}. This is a TorchScript module (torch.jit.save), not a state dict: torch.jit.load(path).state_dict() gives its tensors, torch.save of that is a checkpoint ArrayScope maps`
      )
    }
    throw e
  }
  const entries: ContainerEntry[] = []
  const records = new Set<string>()
  for (const { name, keys, tensor } of tensorsOf(root)) {
    const m = byName.get(`${prefix}data/${tensor.storage.key}`)
    records.add(tensor.storage.key)
    const where: StorageBytes = !m
      ? { unmappable: `its storage record ${prefix}data/${tensor.storage.key} is missing from the archive` }
      : m.method === 0 && m.compressedSize === m.uncompressedSize
        ? { offset: m.dataOffset, nbytes: m.compressedSize }
        : m.method === 8
          ? // a re-zipped archive: the record is read through a temporary inflated copy, as a deflated .npz member
            { offset: 0, nbytes: m.uncompressedSize, via: inflateVia(m) }
          : { unmappable: `its storage record ${m.name} is compressed with method ${m.method} (torch.save stores it)` }
    entries.push(tensorEntry(name, keys, tensor, where, byteorder !== 'big', file))
  }
  const metadata: Record<string, JsonValue> = {
    format: 'zip (torch.save, torch ≥ 1.6)',
    folder: prefix.replace(/\/$/, ''),
    byteorder,
    storages: records.size,
    ...(text('version') ? { version: text('version')! } : {}),
    ...(text('.storage_alignment') ? { storage_alignment: Number(text('.storage_alignment')) } : {}),
    values: scalars(root)
  }
  return { entries, metadata }
}

/** A pickle that starts at `at` in a file, read with more of the file until it ends (legacy checkpoints). */
function pickleAt(ctx: { read: ReadFn; size: number }, at: number, what: string): { value: PValue; end: number } {
  for (let want = 1 << 16; ; want *= 4) {
    const n = Math.min(want, ctx.size - at, MAX_PICKLE)
    const bytes = ctx.read(at, n)
    try {
      const r = readPickle(bytes, torchHooks(), 0, what)
      return { value: r.value, end: at + r.end }
    } catch (e) {
      // a pickle cut by the read ends inside an opcode or without STOP: read more, while there is more
      if (!(e instanceof PickleError) || !/ends (inside|without)/.test(e.message) || n < want) throw e
    }
  }
}

/** A legacy checkpoint: magic, protocol, sys_info, the object, the storage keys, then each storage's bytes. */
function parseLegacy(
  ctx: ParseContext,
  file?: string
): { entries: ContainerEntry[]; metadata: Record<string, JsonValue> } {
  let at = 0
  const pickles: PValue[] = []
  for (const what of [
    'the magic number',
    'the protocol version',
    'the system info',
    'the saved object',
    'the storage keys'
  ]) {
    const r = pickleAt(ctx, at, `${ctx.fileName}: ${what}`)
    pickles.push(r.value)
    at = r.end
  }
  const keys = pickles[4]
  if (!keys || typeof keys !== 'object' || keys.t !== 'list')
    throw new ContainerError('the legacy checkpoint has no list of storage keys')
  const found = tensorsOf(pickles[3]!)
  // each storage's element count and bytes, from the tensors that view it
  const sizes = new Map<string, { numel: number; nbytes: number }>()
  for (const { tensor: t } of found) {
    sizes.set(t.storage.key, { numel: t.storage.numel, nbytes: t.storage.numel * (t.storage.type?.size ?? 1) })
  }
  const where = new Map<string, StorageBytes>()
  for (const k of keys.items) {
    const key = String(k)
    const head = readExact(ctx, at, 8, `storage ${key}'s size`)
    const numel = Number(new DataView(head.buffer, head.byteOffset, 8).getBigInt64(0, true))
    const size = sizes.get(key)
    if (!size) throw new ContainerError(`storage ${key} is listed but no tensor uses it: cannot tell its size`)
    if (numel !== size.numel) {
      throw new ContainerError(`storage ${key} says ${numel} elements, its tensors say ${size.numel}`)
    }
    const nbytes = size.nbytes
    where.set(key, { offset: at + 8, nbytes })
    at += 8 + nbytes
    if (at > ctx.size)
      throw new ContainerError(`storage ${key} runs past the end of the file (${ctx.size} bytes): truncated`)
  }
  const entries = found.map(({ name, keys: k, tensor }) =>
    tensorEntry(
      name,
      k,
      tensor,
      where.get(tensor.storage.key) ?? { unmappable: `storage ${tensor.storage.key} is not in the file` },
      true,
      file
    )
  )
  return {
    entries,
    metadata: {
      format: 'legacy (torch.save before 1.6, or _use_new_zipfile_serialization=False)',
      values: scalars(pickles[3]!)
    }
  }
}

function isLegacy(head: Uint8Array): boolean {
  return head.length >= LEGACY_MAGIC.length && LEGACY_MAGIC.every((b, k) => head[k] === b)
}

/** The entries of one checkpoint (file: a shard's name, for sharded checkpoints). */
export function checkpointEntries(
  ctx: ParseContext,
  file?: string
): { entries: ContainerEntry[]; metadata: Record<string, JsonValue> } {
  const head = ctx.read(0, 64)
  if (isLegacy(head)) return parseLegacy(ctx, file)
  if (head[0] === 0x50 && head[1] === 0x4b) return parseZip(ctx, file)
  if (ctx.size > 262 && new TextDecoder('latin1').decode(ctx.read(257, 5)) === 'ustar') {
    throw new ContainerError(
      'a tar checkpoint (torch before 0.4): load it with torch.load and save it again (torch.save) to map it'
    )
  }
  throw new ContainerError('not a torch.save checkpoint (neither its ZIP archive nor its legacy pickle)')
}

/** Copy as code: torch.load without running code (weights_only), memory-mapped, then the tensor's keys. */
export function pytorchRecipe(r: RecipeArray): string {
  const keys = r.metadata?.keys
  const index = Array.isArray(keys)
    ? keys.map((k) => (typeof k === 'number' ? `[${k}]` : `[${JSON.stringify(k)}]`)).join('')
    : `[${r.name}]`
  return `import torch\na = torch.load(${r.dataFile}, weights_only=True, mmap=True)${index}`
}

export const pytorch = defineFormat({
  format: 'pytorch',
  formats: {
    pytorch: {
      label: 'PyTorch',
      description: 'a PyTorch checkpoint (torch.save)',
      singleArray: false,
      extensions: ['.pt', '.pth', '.bin', '.ckpt'],
      reader: 'torch',
      recipe: pytorchRecipe
    }
  },
  detect(head) {
    if (isLegacy(head)) return true
    // a ZIP whose first member is one of torch's records: data.pkl (torch.save writes it first), data/N
    // (torch.jit.save's first), under one top folder
    if (head.length < 30 || head[0] !== 0x50 || head[1] !== 0x4b || head[2] !== 3 || head[3] !== 4) return false
    const n = head[26]! | (head[27]! << 8)
    const name = new TextDecoder('latin1').decode(head.subarray(30, Math.min(head.length, 30 + n)))
    return /^([^/]+\/)?(data\.pkl|data\/\d+|version|byteorder|\.format_version)$/.test(name)
  },
  parse(ctx): Container<'pytorch'> {
    const { entries, metadata } = checkpointEntries(ctx)
    return { format: 'pytorch', separator: '.', metadata, entries }
  }
})
