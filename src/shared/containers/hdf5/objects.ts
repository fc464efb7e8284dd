// HDF5 object headers, versions 1 and 2, with their continuation blocks: the list of messages an object has
// (each with its bytes and where they are in the file, since a compact dataset's data lies inside its layout
// message), and the messages decoded here: dataspace, link, link info, layout, filter pipeline, external files,
// attribute (header part), attribute info, symbol table, continuation.
import { ContainerError } from '../model'
import { Cursor, type H5File, utf8 } from './reader'

export interface Message {
  type: number
  flags: number
  /** The message's bytes (a cursor at its start). */
  body: Cursor
}

export interface ObjectHeader {
  version: number
  messages: Message[]
}

const MAX_MESSAGES = 1 << 16

export function readObjectHeader(f: H5File, address: number, what: string): ObjectHeader {
  const messages: Message[] = []
  const first = f.upTo(address, 16, `${what}'s object header`)
  const isV2 = first.bytes[0] === 0x4f && first.bytes[1] === 0x48 && first.bytes[2] === 0x44 && first.bytes[3] === 0x52
  const pending: { address: number; length: number }[] = []
  let version: number
  let creationOrder = false
  if (isV2) {
    const c = f.upTo(address, 4 + 2 + 16 + 4 + 8, `${what}'s object header`)
    c.signature('OHDR')
    version = c.u8()
    if (version !== 2) throw new ContainerError(`${what}: object header version ${version} is unknown`)
    const flags = c.u8()
    if (flags & 0x20) c.skip(16)
    if (flags & 0x10) c.skip(4)
    const sizeBytes = 1 << (flags & 3)
    const chunk = c.uint(sizeBytes, 'the header chunk size')
    creationOrder = (flags & 0x04) !== 0
    const start = c.pos
    const block = f.at(address, start + chunk + 4, `${what}'s object header`)
    block.pos = start
    parseV2Messages(block, start + chunk, creationOrder, messages, pending, what)
  } else {
    const c = f.at(address, 16, `${what}'s object header`)
    version = c.u8()
    if (version !== 1)
      throw new ContainerError(`${what}: object header version ${version} is unknown (at address ${address})`)
    c.u8()
    c.u16()
    c.u32()
    const size = c.u32()
    const block = f.at(address + 16, size, `${what}'s object header`)
    parseV1Messages(block, messages, pending, what)
  }
  let blocks = 0
  while (pending.length) {
    if (++blocks > 4096) throw new ContainerError(`${what}: more than 4096 header continuation blocks`)
    const { address: a, length } = pending.shift()!
    const block = f.at(a, length, `${what}'s header continuation`)
    if (isV2) {
      block.signature('OCHK')
      parseV2Messages(block, length - 4, creationOrder, messages, pending, what)
    } else parseV1Messages(block, messages, pending, what)
  }
  return { version, messages }
}

function push(
  messages: Message[],
  m: Message,
  pending: { address: number; length: number }[],
  f: H5File,
  what: string
): void {
  if (messages.length >= MAX_MESSAGES) throw new ContainerError(`${what}: more than ${MAX_MESSAGES} header messages`)
  if (m.type === 0x10) {
    const c = m.body
    const address = c.addr()
    const length = c.len()
    if (length < 4 || length > 64 << 20)
      throw new ContainerError(`${what}: a header continuation claims ${length} bytes`)
    pending.push({ address, length })
    c.pos = 0
  }
  void f
  messages.push(m)
}

function parseV1Messages(
  c: Cursor,
  messages: Message[],
  pending: { address: number; length: number }[],
  what: string
): void {
  while (c.left >= 8) {
    const type = c.u16()
    const size = c.u16()
    const flags = c.u8()
    c.skip(3)
    if (size > c.left) throw new ContainerError(`${what}: a header message (type ${type}) runs past its block`)
    const start = c.pos
    const body = new Cursor(c.bytes.subarray(start, start + size), c.file, c.abs + start, `${what} (message ${type})`)
    c.pos = start + size
    c.align(8)
    push(messages, { type, flags, body }, pending, c.file, what)
  }
}

function parseV2Messages(
  c: Cursor,
  end: number,
  creationOrder: boolean,
  messages: Message[],
  pending: { address: number; length: number }[],
  what: string
): void {
  const head = 4 + (creationOrder ? 2 : 0)
  while (end - c.pos >= head) {
    const type = c.u8()
    const size = c.u16()
    const flags = c.u8()
    if (creationOrder) c.u16()
    if (c.pos + size > end) throw new ContainerError(`${what}: a header message (type ${type}) runs past its block`)
    const start = c.pos
    const body = new Cursor(c.bytes.subarray(start, start + size), c.file, c.abs + start, `${what} (message ${type})`)
    c.pos = start + size
    push(messages, { type, flags, body }, pending, c.file, what)
  }
}

export interface Dataspace {
  /** null: a null dataspace (no elements). */
  dims: number[] | null
  maxDims?: number[]
}

export function parseDataspace(c: Cursor): Dataspace {
  const version = c.u8()
  const nd = c.u8()
  const flags = c.u8()
  if (nd > 32) throw new ContainerError(`${c.what}: a dataspace claims ${nd} dimensions`)
  let type = 1
  if (version === 1) {
    c.skip(5)
  } else if (version === 2) {
    type = c.u8()
  } else throw new ContainerError(`${c.what}: dataspace version ${version} is unknown`)
  if (type === 2) return { dims: null }
  const dims: number[] = []
  for (let k = 0; k < nd; k++) dims.push(c.len('a dimension'))
  let maxDims: number[] | undefined
  if (flags & 1) {
    maxDims = []
    for (let k = 0; k < nd; k++) {
      const v = c.uint(c.file.sizeOfLengths)
      maxDims.push(Number.isFinite(v) ? v : -1)
    }
  }
  return { dims, ...(maxDims ? { maxDims } : {}) }
}

export type Link =
  | { kind: 'hard'; name: string; address: number }
  | { kind: 'soft'; name: string; target: string }
  | { kind: 'external'; name: string; file: string; target: string }
  | { kind: 'other'; name: string; type: number }

export function parseLink(c: Cursor): Link {
  const version = c.u8()
  if (version !== 1) throw new ContainerError(`${c.what}: link message version ${version} is unknown`)
  const flags = c.u8()
  const type = flags & 0x08 ? c.u8() : 0
  if (flags & 0x04) c.skip(8)
  if (flags & 0x10) c.u8()
  const nameLen = c.uint(1 << (flags & 3), 'a link name length')
  const name = utf8(c.sub(nameLen, 'a link name'))
  if (type === 0) return { kind: 'hard', name, address: c.addr() }
  if (type === 1) {
    const n = c.u16()
    return { kind: 'soft', name, target: utf8(c.sub(n)) }
  }
  if (type === 64) {
    const n = c.u16()
    const info = c.sub(n)
    // flags byte, then file name and object path, NUL-terminated
    const parts = utf8(info.subarray(1)).split('\0')
    return { kind: 'external', name, file: parts[0] ?? '', target: parts[1] ?? '' }
  }
  return { kind: 'other', name, type }
}

/** Link info / attribute info: where a dense index lives (fractal heap, name B-tree). */
export function parseDenseInfo(c: Cursor, attribute: boolean): { heap: number; nameIndex: number } {
  c.u8()
  const flags = c.u8()
  if (flags & 1) c.skip(attribute ? 2 : 8)
  const heap = c.addr()
  const nameIndex = c.addr()
  return { heap, nameIndex }
}

export type Layout =
  | { kind: 'compact'; offset: number; size: number }
  | { kind: 'contiguous'; address: number; size: number }
  /**
   * index: the chunk index's address, UNDEFINED when no chunk was ever written (every value is the fill value).
   * indexType: layout v4's chunk indexing type (1 single chunk, 2 implicit, 3 fixed array, 4 extensible array,
   * 5 v2 B-tree); absent for layouts v1-3 (a version 1 B-tree). single: a filtered single chunk's size and mask.
   * elementSize: the chunk dims' last entry (layouts v1-3 store it as an extra dimension).
   */
  | {
      kind: 'chunked'
      chunks: number[]
      index: number
      indexType?: number
      single?: { size: number; mask: number }
      elementSize?: number
    }
  | { kind: 'virtual' }

export function parseLayout(c: Cursor, rank: number): Layout {
  const version = c.u8()
  if (version === 1 || version === 2) {
    const nd = c.u8()
    const cls = c.u8()
    c.skip(5)
    const address = cls === 0 ? 0 : c.addr()
    const dims: number[] = []
    for (let k = 0; k < nd; k++) dims.push(c.u32())
    if (cls === 2) return { kind: 'chunked', chunks: dims.slice(0, rank), index: address, elementSize: dims[rank] }
    if (cls === 0) {
      const size = c.u32()
      return { kind: 'compact', offset: c.abs + c.pos, size }
    }
    return { kind: 'contiguous', address, size: -1 }
  }
  if (version < 3 || version > 5) throw new ContainerError(`${c.what}: layout message version ${version} is unknown`)
  const cls = c.u8()
  if (cls === 0) {
    const size = c.u16()
    c.need(size, 'compact data')
    return { kind: 'compact', offset: c.abs + c.pos, size }
  }
  if (cls === 1) {
    const address = c.addr()
    const size = c.len('the data size')
    return { kind: 'contiguous', address, size }
  }
  if (cls === 2) {
    if (version === 3) {
      const nd = c.u8()
      const index = c.addr()
      const dims: number[] = []
      for (let k = 0; k < nd; k++) dims.push(c.u32())
      return { kind: 'chunked', chunks: dims.slice(0, rank), index, elementSize: dims[rank] }
    }
    const flags = c.u8()
    const nd = c.u8()
    const enc = c.u8()
    const dims: number[] = []
    for (let k = 0; k < nd; k++) dims.push(c.uint(enc))
    return { kind: 'chunked', chunks: dims.slice(0, rank), elementSize: dims[rank], ...chunkIndexAddress(c, flags) }
  }
  if (cls === 3) return { kind: 'virtual' }
  throw new ContainerError(`${c.what}: layout class ${cls} is unknown`)
}

/** Layout v4: the chunk indexing type, its own fields, then the index's address. */
function chunkIndexAddress(
  c: Cursor,
  flags: number
): { index: number; indexType: number; single?: { size: number; mask: number } } {
  const type = c.u8()
  let single: { size: number; mask: number } | undefined
  if (type === 1) {
    // single chunk: its filtered size and filter mask when filtered
    if (flags & 0x02) single = { size: c.len(), mask: c.u32() }
  } else if (type === 3) c.skip(1)
  else if (type === 4) c.skip(5)
  else if (type === 5) c.skip(6)
  else if (type !== 2) throw new ContainerError(`${c.what}: chunk indexing type ${type} is unknown`)
  return { index: c.addr(), indexType: type, ...(single ? { single } : {}) }
}

/**
 * The fill value's bytes (of the dataset's datatype), from a fill value message (0x05) or the old one (0x04);
 * null when none is defined: the library's default, zeros.
 */
export function parseFillValue(c: Cursor, old: boolean): Uint8Array | null {
  if (old) {
    const size = c.u32()
    return size ? c.sub(size, 'the fill value') : null
  }
  const version = c.u8()
  if (version === 1 || version === 2) {
    c.skip(2)
    const defined = c.u8()
    if (version === 2 && !defined) return null
    const size = c.u32()
    return size ? c.sub(size, 'the fill value') : null
  }
  if (version !== 3) throw new ContainerError(`${c.what}: fill value message version ${version} is unknown`)
  const flags = c.u8()
  if (!(flags & 0x20)) return null
  const size = c.u32()
  return size ? c.sub(size, 'the fill value') : null
}

const FILTER_NAMES: Record<number, string> = {
  1: 'gzip',
  2: 'shuffle',
  3: 'fletcher32',
  4: 'szip',
  5: 'nbit',
  6: 'scaleoffset',
  32000: 'lzf',
  32001: 'blosc',
  32004: 'lz4',
  32008: 'bitshuffle',
  32015: 'zstd'
}

/** One filter of a pipeline: its id, name and client data (shuffle's element size, deflate's level, …). */
export interface PipelineFilter {
  id: number
  name: string
  cd: number[]
}

export function parseFilters(c: Cursor): string[] {
  return parsePipeline(c).map((f) => f.name)
}

export function parsePipeline(c: Cursor): PipelineFilter[] {
  const version = c.u8()
  const n = c.u8()
  if (n > 32) throw new ContainerError(`${c.what}: a filter pipeline claims ${n} filters`)
  if (version === 1) c.skip(6)
  const out: PipelineFilter[] = []
  for (let k = 0; k < n; k++) {
    const id = c.u16()
    const nameLen = version === 1 || id >= 256 ? c.u16() : 0
    c.u16()
    const ncd = c.u16()
    let name = ''
    if (nameLen) {
      const start = c.pos
      name = utf8(c.sub(nameLen)).replace(/\0+$/, '')
      if (version === 1) c.align(8, start)
    }
    c.need(4 * ncd, 'client data')
    const cd: number[] = []
    for (let j = 0; j < ncd; j++) cd.push(c.u32())
    if (version === 1 && ncd % 2 === 1) c.skip(4)
    out.push({ id, name: FILTER_NAMES[id] ?? (name || `filter ${id}`), cd })
  }
  return out
}

export interface ExternalSlot {
  name: number
  offset: number
  size: number
}

export function parseExternal(c: Cursor): { heap: number; slots: ExternalSlot[] } {
  c.u8()
  c.skip(3)
  c.u16()
  const used = c.u16()
  const heap = c.addr()
  const slots: ExternalSlot[] = []
  for (let k = 0; k < used; k++) {
    const name = c.len()
    const offset = c.len()
    const size = c.uint(c.file.sizeOfLengths)
    slots.push({ name, offset, size: Number.isFinite(size) ? size : -1 })
  }
  return { heap, slots }
}

export interface AttributeHeader {
  name: string
  /** Cursors over the datatype and dataspace encodings, and the data that follows. */
  datatype: Cursor
  dataspace: Cursor
  data: Cursor
  shared: boolean
}

export function parseAttribute(c: Cursor): AttributeHeader {
  const version = c.u8()
  const flags = c.u8()
  const nameSize = c.u16()
  const typeSize = c.u16()
  const spaceSize = c.u16()
  if (version === 3) c.u8()
  if (version < 1 || version > 3) throw new ContainerError(`${c.what}: attribute message version ${version} is unknown`)
  const pad = (n: number): number => (version === 1 ? Math.ceil(n / 8) * 8 : n)
  const nameBytes = c.sub(nameSize)
  c.skip(pad(nameSize) - nameSize)
  const name = utf8(nameBytes).replace(/\0+$/, '')
  const sub = (n: number, what: string): Cursor => {
    const start = c.pos
    c.need(n, what)
    const cur = new Cursor(c.bytes.subarray(start, start + n), c.file, c.abs + start, `${c.what} ${what}`)
    c.pos = Math.min(c.length, start + pad(n))
    return cur
  }
  const datatype = sub(typeSize, 'datatype')
  const dataspace = sub(spaceSize, 'dataspace')
  const data = new Cursor(c.bytes.subarray(c.pos), c.file, c.abs + c.pos, `${c.what} data`)
  return { name, datatype, dataspace, data, shared: (flags & 3) !== 0 }
}
