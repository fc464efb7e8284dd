// A chunked dataset's chunk index, read by our own parser (h5wasm does not expose H5Dget_chunk_info): where each
// chunk's stored bytes are, how many, and which filters were skipped for it. Read once when the dataset opens, so
// the chunks can be decoded without the HDF5 library (src/main/service/hdf5-native-fill.ts). Indexes read here:
// the version 1 B-tree (layouts v1-3, what h5py, netCDF4 and MATLAB write by default), and layout v4's single
// chunk, implicit, fixed array (paged or not), extensible array (extensible-array.ts) and version 2 B-tree
// (heaps.ts's walker) indexes (libver='latest'): every index HDF5 writes.
import { ContainerError } from '../model'
import type { H5Type } from './datatype'
import { extensibleArray } from './extensible-array'
import { btree2Records } from './heaps'
import type { Layout, PipelineFilter } from './objects'
import { Cursor, type H5File } from './reader'
import type { NativeChunks } from './native-chunks'

export type { NativeChunks } from './native-chunks'

/** Filters decoded natively: deflate, shuffle, fletcher32 (h5py's usual set). */
export const NATIVE_FILTERS = new Set([1, 2, 3])

/** One chunk's stored bytes: its place in the chunk grid, absolute file address, stored size and filter mask. */
export interface ChunkRecord {
  coords: number[]
  address: number
  size: number
  mask: number
}

/** What the native decoder needs for a dataset, or undefined when it keeps the library's path. */
export function nativeChunks(
  f: H5File,
  layout: Layout,
  pipeline: PipelineFilter[],
  type: H5Type,
  dims: number[],
  maxDims?: number[]
): NativeChunks | undefined {
  if (layout.kind !== 'chunked' || !Number.isFinite(layout.index)) return undefined
  if (pipeline.some((p) => !NATIVE_FILTERS.has(p.id))) return undefined
  if (layout.elementSize !== undefined && layout.elementSize !== type.size) return undefined
  // shuffle's client data is the element size; without it the filter cannot be undone
  if (pipeline.some((p) => p.id === 2 && !(p.cd[0]! >= 1))) return undefined
  const address = layout.index
  let index: NativeChunks['index']
  if (layout.indexType === undefined) index = { kind: 'btree1', address }
  else if (layout.indexType === 1) {
    const filtered = !!layout.single
    index = { kind: 'single', address, size: layout.single?.size ?? 0, mask: layout.single?.mask ?? 0, filtered }
  } else if (layout.indexType === 2) index = { kind: 'implicit', address }
  else if (layout.indexType === 3) index = { kind: 'fixed', address }
  else if (layout.indexType === 4 && maxDims?.filter((d) => d < 0).length === 1) index = { kind: 'extensible', address }
  else if (layout.indexType === 5) index = { kind: 'btree2', address }
  else return undefined
  return {
    index,
    pipeline: pipeline.map((p) => ({ id: p.id, cd: p.cd })),
    sizeOfOffsets: f.sizeOfOffsets,
    sizeOfLengths: f.sizeOfLengths,
    base: f.base,
    elementSize: type.size,
    ...(maxDims && maxDims.length === dims.length && maxDims.some((m, k) => m !== dims[k]) ? { maxDims } : {})
  }
}

/** Bounds: a damaged index cannot make the listing run without end. */
const MAX_BTREE_ENTRIES = 1 << 16
const MAX_BTREE_DEPTH = 64

/**
 * Every allocated chunk of a dataset (dims and chunk dims in C order), in the order the index lists them. Chunks
 * never written are absent (their values are the fill value). A damaged index is a ContainerError naming it.
 */
export function listChunks(f: H5File, n: NativeChunks, dims: number[], chunks: number[], what: string): ChunkRecord[] {
  const grid = dims.map((d, k) => Math.ceil(d / chunks[k]!))
  const total = grid.reduce((a, b) => a * b, 1)
  const full = chunks.reduce((a, b) => a * b, n.elementSize)
  const out: ChunkRecord[] = []
  const add = (coords: number[], address: number, size: number, mask: number): void => {
    if (!Number.isFinite(address)) return
    const abs = f.base + address
    if (!(size >= 0) || abs + size > f.size) {
      throw new ContainerError(
        `${what}: its chunk at (${coords.join(', ')}) claims bytes [${abs}, ${abs + size}), past the end of the file (${f.size}): the file is truncated or its chunk index is damaged`
      )
    }
    if (out.length >= total) throw new ContainerError(`${what}: its chunk index lists more chunks than its ${total}`)
    out.push({ coords, address: abs, size, mask })
  }
  // fixed arrays and implicit indexes number chunks over the maximum extent's grid (an unlimited one never has them)
  const maxGrid = n.maxDims ? n.maxDims.map((d, k) => (d < 0 ? grid[k]! : Math.ceil(d / chunks[k]!))) : grid
  const maxTotal = maxGrid.reduce((a, b) => a * b, 1)
  if (maxTotal > 2 ** 32) throw new ContainerError(`${what}: its maximum extent has ${maxTotal} chunks`)
  const unravel = (i: number): number[] => {
    const c = new Array<number>(maxGrid.length)
    for (let k = maxGrid.length - 1; k >= 0; k--) {
      c[k] = i % maxGrid[k]!
      i = Math.floor(i / maxGrid[k]!)
    }
    return c
  }
  /** A chunk of the maximum extent: only those inside the dataset's dims hold values. */
  const inside = (c: number[]): boolean => c.every((x, k) => x < grid[k]!)
  const ix = n.index
  if (ix.kind === 'single')
    add(
      grid.map(() => 0),
      ix.address,
      ix.filtered ? ix.size : full,
      ix.filtered ? ix.mask : 0
    )
  else if (ix.kind === 'implicit') {
    for (let i = 0; i < maxTotal; i++) {
      const c = unravel(i)
      if (inside(c)) add(c, ix.address + i * full, full, 0)
    }
  } else if (ix.kind === 'fixed') {
    fixedArray(f, ix.address, maxTotal, full, what, (i, a, s, m) => {
      const c = unravel(i)
      if (inside(c)) add(c, a, s, m)
    })
  } else if (ix.kind === 'extensible') {
    // chunks numbered with the unlimited axis first (the slowest), the others in order over their maximum extent
    const u = n.maxDims!.findIndex((d) => d < 0)
    const others = maxGrid.filter((_, k) => k !== u)
    const per = others.reduce((a, b) => a * b, 1)
    extensibleArray(f, ix.address, grid[u]! * per, full, what, (i, a, s, m) => {
      const rest = i % per
      const c = new Array<number>(grid.length)
      c[u] = Math.floor(i / per)
      let r = rest
      for (let k = grid.length - 1; k >= 0; k--) {
        if (k === u) continue
        c[k] = r % maxGrid[k]!
        r = Math.floor(r / maxGrid[k]!)
      }
      if (inside(c)) add(c, a, s, m)
    })
  } else if (ix.kind === 'btree2') btree2(f, ix.address, grid, full, what, add)
  else btree1(f, ix.address, dims.length, chunks, grid, what, add)
  return out
}

/** A version 1 B-tree of raw data chunks (node type 1): keys (size, filter mask, offsets), children addresses. */
function btree1(
  f: H5File,
  root: number,
  rank: number,
  chunks: number[],
  grid: number[],
  what: string,
  add: (coords: number[], address: number, size: number, mask: number) => void
): void {
  const soo = f.sizeOfOffsets
  const keySize = 8 + 8 * (rank + 1)
  const seen = new Set<number>()
  const visit = (address: number, depth: number, expectLevel: number): void => {
    const where = `${what}: the chunk index's B-tree node at address ${address}`
    if (depth > MAX_BTREE_DEPTH) throw new ContainerError(`${where} is nested deeper than ${MAX_BTREE_DEPTH}`)
    if (seen.has(address)) throw new ContainerError(`${where} is reached twice: the chunk index is damaged`)
    seen.add(address)
    const head = f.upTo(address, 8 + 2 * soo, where)
    head.signature('TREE')
    const type = head.u8()
    const level = head.u8()
    const used = head.u16()
    if (type !== 1) throw new ContainerError(`${where} has node type ${type}, not 1 (raw data chunks)`)
    if (expectLevel >= 0 && level !== expectLevel) {
      throw new ContainerError(`${where} has level ${level} where ${expectLevel} was expected`)
    }
    if (used > MAX_BTREE_ENTRIES) throw new ContainerError(`${where} claims ${used} entries`)
    const c = f.at(address + 8 + 2 * soo, used * (keySize + soo) + keySize, where)
    for (let e = 0; e < used; e++) {
      const size = c.u32()
      const mask = c.u32()
      const coords: number[] = []
      for (let k = 0; k <= rank; k++) {
        const off = c.uint(8, 'a chunk offset')
        if (k < rank) {
          const i = off / chunks[k]!
          if (!Number.isInteger(i) || i >= grid[k]!) {
            throw new ContainerError(
              `${where}: a chunk offset ${off} on axis ${k} is not a chunk's start inside the dataset`
            )
          }
          coords.push(i)
        }
      }
      const child = c.addr()
      if (level === 0) add(coords, child, size, mask)
      else visit(child, depth + 1, level - 1)
    }
  }
  visit(root, 0, -1)
}

/**
 * Layout v4's version 2 B-tree index (more than one unlimited dimension): records of type 10 (address, scaled
 * offsets) or 11 (address, chunk size, filter mask, scaled offsets), told apart by their size.
 */
function btree2(
  f: H5File,
  address: number,
  grid: number[],
  full: number,
  what: string,
  add: (coords: number[], address: number, size: number, mask: number) => void
): void {
  const total = grid.reduce((a, b) => a * b, 1)
  const O = f.sizeOfOffsets
  const where = `${what}: the chunk index's version 2 B-tree at address ${address}`
  for (const r of btree2Records(f, address, where, total)) {
    const rank = grid.length
    const sizeLen = r.length - O - 4 - 8 * rank
    const filtered = r.length !== O + 8 * rank
    if (filtered && !(sizeLen >= 1 && sizeLen <= 8)) {
      throw new ContainerError(`${where} has records of ${r.length} bytes, which do not fit a ${rank}-D chunk`)
    }
    const c = new Cursor(r, f, 0, where)
    const a = c.addr()
    const size = filtered ? c.uint(sizeLen, 'a chunk size') : full
    const mask = filtered ? c.u32() : 0
    const coords: number[] = []
    for (let k = 0; k < rank; k++) {
      const x = c.uint(8, 'a scaled offset')
      if (!(x < grid[k]!))
        throw new ContainerError(`${where}: a chunk's scaled offset ${x} on axis ${k} is outside the dataset`)
      coords.push(x)
    }
    add(coords, a, size, mask)
  }
}

/** Layout v4's fixed array index (FAHD header, FADB data block, paged when it has more than 2^page bits entries). */
function fixedArray(
  f: H5File,
  address: number,
  total: number,
  full: number,
  what: string,
  add: (i: number, address: number, size: number, mask: number) => void
): void {
  const where = `${what}: the chunk index's fixed array at address ${address}`
  const h = f.at(address, 4 + 4 + f.sizeOfLengths + f.sizeOfOffsets + 4, where)
  h.signature('FAHD')
  h.u8()
  const client = h.u8()
  const entrySize = h.u8()
  const pageBits = h.u8()
  const count = h.len('the number of entries')
  const block = h.addr()
  if (client > 1) throw new ContainerError(`${where} has client id ${client}, not 0 or 1`)
  if (count !== total) throw new ContainerError(`${where} has ${count} entries for ${total} chunks`)
  const sizeBytes = entrySize - f.sizeOfOffsets - 4
  if (client === 1 ? !(sizeBytes >= 1 && sizeBytes <= 8) : entrySize !== f.sizeOfOffsets) {
    throw new ContainerError(`${where} has entries of ${entrySize} bytes, which do not fit its kind`)
  }
  if (pageBits > 31) throw new ContainerError(`${where} claims pages of 2^${pageBits} entries`)
  const perPage = 2 ** pageBits
  const paged = count > perPage
  const pages = paged ? Math.ceil(count / perPage) : 0
  const prefix = 4 + 2 + f.sizeOfOffsets + (paged ? Math.ceil(pages / 8) : 0)
  const d = f.at(block, prefix, `${where}'s data block`)
  d.signature('FADB')
  const bitmap = paged ? d.bytes.subarray(prefix - Math.ceil(pages / 8)) : null
  const readEntries = (at: number, first: number, m: number): void => {
    const c = f.at(at, m * entrySize, `${where}'s data block`)
    for (let i = 0; i < m; i++) {
      const a = c.addr()
      if (client === 1) {
        const size = c.uint(sizeBytes, 'a chunk size')
        const mask = c.u32()
        add(first + i, a, size, mask)
      } else add(first + i, a, full, 0)
    }
  }
  if (!paged) {
    readEntries(block + prefix, 0, count)
    return
  }
  // the pages follow the block's prefix and its checksum; each page ends with its own checksum
  let at = block + prefix + 4
  for (let p = 0; p < pages; p++) {
    const m = Math.min(perPage, count - p * perPage)
    // a page never initialized holds no chunk
    if (bitmap![p >> 3]! & (0x80 >> (p & 7))) readEntries(at, p * perPage, m)
    at += m * entrySize + 4
  }
}
