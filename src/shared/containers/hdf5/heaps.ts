// HDF5's indexes of names and small objects: old-style groups (a version 1 B-tree of symbol table nodes, names in a
// local heap), new-style dense groups and attributes (a version 2 B-tree over a fractal heap), and the global heap
// (variable-length strings of attributes). Each walk is bounded: hostile files get an error, not a loop.
import { ContainerError } from '../model'
import { type H5File, limitEncSize, log2floor, UNDEFINED } from './reader'

/** The data segment of a local heap, from which names are read by offset. */
export class LocalHeap {
  private constructor(
    private readonly data: Uint8Array,
    private readonly what: string
  ) {}

  static read(f: H5File, address: number, what: string): LocalHeap {
    const h = f.at(address, 8 + 2 * f.sizeOfLengths + f.sizeOfOffsets, `${what}'s local heap`)
    h.signature('HEAP')
    h.u8()
    h.skip(3)
    const size = h.len('the local heap size')
    h.len()
    const dataAddress = h.addr()
    if (size > 64 << 20) throw new ContainerError(`${what}'s local heap claims ${size} bytes`)
    return new LocalHeap(f.at(dataAddress, size, `${what}'s local heap data`).bytes, what)
  }

  name(offset: number): string {
    if (offset >= this.data.length) {
      throw new ContainerError(
        `${this.what}: a name at heap offset ${offset} lies outside its heap (${this.data.length} bytes)`
      )
    }
    const end = this.data.indexOf(0, offset)
    return new TextDecoder().decode(this.data.subarray(offset, end < 0 ? this.data.length : end))
  }
}

export interface SymbolEntry {
  name: string
  header: number
  /** A soft link's value (cache type 2). */
  soft?: string
}

/** The entries of an old-style group: its version 1 B-tree's symbol table nodes, names from its local heap. */
export function symbolTable(f: H5File, btree: number, heapAddress: number, what: string, limit: number): SymbolEntry[] {
  const heap = LocalHeap.read(f, heapAddress, what)
  const out: SymbolEntry[] = []
  const seen = new Set<number>()
  const O = f.sizeOfOffsets
  const L = f.sizeOfLengths
  const visit = (address: number, depth: number): void => {
    if (depth > 64) throw new ContainerError(`${what}: its B-tree is more than 64 levels deep`)
    if (seen.has(address)) throw new ContainerError(`${what}: its B-tree visits node ${address} twice`)
    seen.add(address)
    const head = f.at(address, 8 + 2 * O, `${what}'s B-tree node`)
    head.signature('TREE')
    const type = head.u8()
    const level = head.u8()
    const used = head.u16()
    if (type !== 0) throw new ContainerError(`${what}: a group B-tree node has type ${type}`)
    const body = f.at(address + 8 + 2 * O, used * (L + O) + L, `${what}'s B-tree node`)
    for (let k = 0; k < used; k++) {
      body.len()
      const child = body.addr()
      if (level > 0) visit(child, depth + 1)
      else readSymbolNode(child)
    }
  }
  const readSymbolNode = (address: number): void => {
    const h = f.at(address, 8, `${what}'s symbol table node`)
    h.signature('SNOD')
    h.u8()
    h.u8()
    const n = h.u16()
    const entrySize = 2 * O + 8 + 16
    const c = f.at(address + 8, n * entrySize, `${what}'s symbol table node`)
    for (let k = 0; k < n; k++) {
      const nameOffset = c.len()
      const header = c.addr()
      const cacheType = c.u32()
      c.skip(4)
      const scratch = c.sub(16)
      const soft =
        cacheType === 2
          ? heap.name(scratch[0]! | (scratch[1]! << 8) | (scratch[2]! << 16) | (scratch[3]! << 24))
          : undefined
      out.push({ name: heap.name(nameOffset), header, ...(soft !== undefined ? { soft } : {}) })
      if (out.length > limit) throw new ContainerError(`${what} holds more than ${limit} objects`)
    }
  }
  visit(btree, 0)
  return out
}

/** A fractal heap: objects by heap ID (managed and tiny objects; huge ones are refused). */
export class FractalHeap {
  private readonly idLen: number
  private readonly maxHeapBits: number
  private readonly width: number
  private readonly startSize: number
  private readonly maxDirect: number
  private readonly root: number
  private readonly rootRows: number
  private readonly filtered: boolean
  private readonly checksummed: boolean
  private readonly offBytes: number
  private readonly lenBytes: number
  private readonly maxDirectRows: number

  constructor(
    private readonly f: H5File,
    address: number,
    private readonly what: string
  ) {
    const O = f.sizeOfOffsets
    const L = f.sizeOfLengths
    const c = f.at(
      address,
      4 + 1 + 2 + 2 + 1 + 4 + L + O + L + O + 8 * L + 2 + 2 * L + 2 + 2 + O + 2,
      `${what}'s fractal heap`
    )
    c.signature('FRHP')
    c.u8()
    this.idLen = c.u16()
    const filterLen = c.u16()
    const flags = c.u8()
    const maxManaged = c.u32()
    c.len()
    c.addr()
    c.len()
    c.addr()
    c.len()
    c.len()
    c.len()
    c.len()
    c.len()
    c.len()
    c.len()
    c.len()
    this.width = c.u16()
    this.startSize = c.len()
    this.maxDirect = c.len()
    this.maxHeapBits = c.u16()
    c.u16()
    this.root = c.addr()
    this.rootRows = c.u16()
    this.filtered = filterLen > 0
    this.checksummed = (flags & 2) !== 0
    if (this.width < 1 || this.width > 65536 || this.startSize < 1 || this.maxDirect < this.startSize) {
      throw new ContainerError(`${what}: its fractal heap's doubling table is invalid`)
    }
    if (this.maxHeapBits < 1 || this.maxHeapBits > 64)
      throw new ContainerError(`${what}: its fractal heap claims ${this.maxHeapBits}-bit offsets`)
    this.offBytes = Math.ceil(this.maxHeapBits / 8)
    this.lenBytes = Math.min(limitEncSize(this.maxDirect), limitEncSize(maxManaged))
    this.maxDirectRows = log2floor(this.maxDirect) - log2floor(this.startSize) + 2
  }

  /** The object a heap ID names. */
  object(id: Uint8Array): Uint8Array {
    if (id.length < 1) throw new ContainerError(`${this.what}: an empty heap ID`)
    const type = (id[0]! >> 4) & 3
    if (type === 2) {
      // tiny: the object is in the ID itself
      const len = this.idLen <= 18 ? (id[0]! & 0x0f) + 1 : (((id[0]! & 0x0f) << 8) | id[1]!) + 1
      const start = this.idLen <= 18 ? 1 : 2
      return id.subarray(start, start + len)
    }
    if (type !== 0) throw new ContainerError(`${this.what}: huge fractal heap objects are not read here`)
    if (this.filtered) throw new ContainerError(`${this.what}: filtered fractal heaps are not read here`)
    let off = 0
    for (let k = this.offBytes - 1; k >= 0; k--) off = off * 256 + (id[1 + k] ?? 0)
    let len = 0
    for (let k = this.lenBytes - 1; k >= 0; k--) len = len * 256 + (id[1 + this.offBytes + k] ?? 0)
    if (len > 64 << 20) throw new ContainerError(`${this.what}: a heap object claims ${len} bytes`)
    const { address, blockOffset } = this.locate(off)
    return this.f.at(address + (off - blockOffset), len, `${this.what}'s heap object`).bytes
  }

  /** The direct block holding heap offset off: its address and its own offset in the heap. */
  private locate(off: number): { address: number; blockOffset: number } {
    if (this.rootRows === 0) return { address: this.root, blockOffset: 0 }
    let iblock = this.root
    let rows = this.rootRows
    let base = 0 // heap offset of the indirect block
    for (let depth = 0; depth < 64; depth++) {
      // find the row and column of off inside this indirect block
      let rowStart = base
      for (let r = 0; r < rows; r++) {
        const size = r < 2 ? this.startSize : this.startSize * 2 ** (r - 1)
        const rowEnd = rowStart + size * this.width
        if (off < rowEnd) {
          const col = Math.floor((off - rowStart) / size)
          const entry = r * this.width + col
          const child = this.childAddress(iblock, rows, entry, base)
          if (!Number.isFinite(child))
            throw new ContainerError(`${this.what}: a heap object lies in an unallocated block`)
          const blockOffset = rowStart + col * size
          if (r < this.maxDirectRows) return { address: child, blockOffset }
          iblock = child
          rows = log2floor(size) - log2floor(this.startSize * this.width) + 1
          base = blockOffset
          break
        }
        rowStart = rowEnd
        if (r === rows - 1) throw new ContainerError(`${this.what}: heap offset ${off} lies past its heap`)
      }
    }
    throw new ContainerError(`${this.what}: its fractal heap is nested too deep`)
  }

  private childAddress(iblock: number, rows: number, entry: number, blockOffset: number): number {
    void blockOffset
    const O = this.f.sizeOfOffsets
    const headerLen = 4 + 1 + O + this.offBytes
    const c = this.f.at(iblock, headerLen + (entry + 1) * O, `${this.what}'s indirect block`)
    c.signature('FHIB')
    c.skip(headerLen - 4 + entry * O)
    void rows
    return c.addr()
  }

  get checksumsDirectBlocks(): boolean {
    return this.checksummed
  }
}

/** Every record of a version 2 B-tree (in no particular order), as raw bytes of its record size. */
export function btree2Records(f: H5File, address: number, what: string, limit: number): Uint8Array[] {
  const O = f.sizeOfOffsets
  const L = f.sizeOfLengths
  const h = f.at(address, 4 + 1 + 1 + 4 + 2 + 2 + 1 + 1 + O + 2 + L + 4, `${what}'s B-tree`)
  h.signature('BTHD')
  h.u8()
  h.u8()
  const nodeSize = h.u32()
  const recordSize = h.u16()
  const depth = h.u16()
  h.u8()
  h.u8()
  const root = h.addr()
  const rootRecords = h.u16()
  if (nodeSize < 16 || nodeSize > 1 << 24 || recordSize < 1 || recordSize > nodeSize || depth > 32) {
    throw new ContainerError(`${what}: its B-tree header is invalid`)
  }
  if (!Number.isFinite(root) || rootRecords === 0) return []
  // libhdf5's node geometry: records per leaf, then per internal level (H5B2__hdr_init)
  const maxLeaf = Math.floor((nodeSize - 10) / recordSize)
  const nrecSize = limitEncSize(maxLeaf)
  const cumMax: number[] = [maxLeaf]
  const cumSize: number[] = [limitEncSize(maxLeaf)]
  for (let u = 1; u <= depth; u++) {
    const ptr = O + nrecSize + (u > 1 ? cumSize[u - 1]! : 0)
    const maxInt = Math.floor((nodeSize - (10 + ptr)) / (recordSize + ptr))
    cumMax.push((maxInt + 1) * cumMax[u - 1]! + maxInt)
    cumSize.push(limitEncSize(cumMax[u]!))
  }
  const out: Uint8Array[] = []
  const seen = new Set<number>()
  const visit = (node: number, records: number, level: number): void => {
    if (seen.has(node)) throw new ContainerError(`${what}: its B-tree visits node ${node} twice`)
    seen.add(node)
    const c = f.at(node, nodeSize, `${what}'s B-tree node`)
    c.signature(level === 0 ? 'BTLF' : 'BTIN')
    c.u8()
    c.u8()
    for (let k = 0; k < records; k++) {
      out.push(c.sub(recordSize))
      if (out.length > limit) throw new ContainerError(`${what} holds more than ${limit} entries`)
    }
    if (level === 0) return
    for (let k = 0; k <= records; k++) {
      const child = c.addr()
      const n = c.uint(nrecSize)
      if (level > 1) c.uint(cumSize[level - 1]!)
      if (Number.isFinite(child)) visit(child, n, level - 1)
    }
  }
  visit(root, rootRecords, depth)
  return out
}

/** Objects of global heap collections, cached by collection (variable-length strings of attributes). */
export class GlobalHeap {
  private readonly collections = new Map<number, Map<number, Uint8Array>>()
  constructor(private readonly f: H5File) {}

  object(collection: number, index: number): Uint8Array | null {
    if (!Number.isFinite(collection) || collection === 0) return null
    let objs = this.collections.get(collection)
    if (!objs) {
      if (this.collections.size > 1024) return null
      objs = new Map()
      this.collections.set(collection, objs)
      const L = this.f.sizeOfLengths
      const head = this.f.at(collection, 8 + L, 'a global heap collection')
      head.signature('GCOL')
      head.u8()
      head.skip(3)
      const size = head.len()
      if (size > 64 << 20 || size < 8 + L) throw new ContainerError(`a global heap collection claims ${size} bytes`)
      const c = this.f.at(collection, size, 'a global heap collection')
      c.skip(8 + L)
      while (c.left >= 8 + L) {
        const idx = c.u16()
        c.u16()
        c.skip(4)
        const n = c.len()
        if (idx === 0) break
        if (n > c.left) break
        objs.set(idx, c.sub(n))
        c.align(8)
      }
    }
    return objs.get(index) ?? null
  }
}

export { UNDEFINED }
