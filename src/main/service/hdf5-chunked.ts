// A chunked (and maybe filtered: gzip, shuffle, …) HDF5 dataset, read through the HDF5 library compiled to
// WebAssembly (h5wasm, whose Node build reads the file through the host file system — a read touches only what
// it asks for, nothing is loaded whole). Parsing chunk indexes (four kinds of B-trees and arrays) and running
// filters by hand would be fragile; the library does it.
//
// The values land in a temporary file (sparse, the dataset's size, C order) that the session maps, so every
// feature works on it unchanged. It is filled a chunk at a time, only where something reads: a table window
// decompresses the few chunks it shows; a scan, an export or a find first fills the chunks its view touches
// (with progress and cancel, yielding to the event loop between chunks), then runs as on any mapping.
import fs from 'node:fs'
import pathModule from 'node:path'
import { ApiError } from '../../shared/contract'
import type { ArrayView } from '../../shared/slice'
import { libraryError } from './hdf5-errors'
import { vetLibraryPath, type H5Lookup } from './hdf5-vet'
import { removeTemp, tempFolder } from './inflate'
import { TempBudget } from './temp-budget'
import { native, type Mapping, type ScanHandle, type Window2D } from './native'
import type { ByteSource } from './dequant-source'
import type { DType } from '../../shared/structured'

interface H5Module extends H5Lookup {
  get_dataset_data(
    fileId: bigint,
    path: string,
    count: bigint[],
    offset: bigint[],
    strides: bigint[],
    ptr: bigint
  ): number
  _malloc(n: number): number
  _free(ptr: number): void
  HEAPU8: Uint8Array
  activate_throwing_error_handler?: () => number
}
interface H5Api {
  ready: Promise<H5Module>
  File: new (path: string, mode: string) => { file_id: bigint; close(): void }
}

let loading: Promise<{ api: H5Api; module: H5Module }> | undefined

/** The h5wasm module, loaded once (an ES module: imported dynamically from this CommonJS build). */
function h5wasm(): Promise<{ api: H5Api; module: H5Module }> {
  loading ??= (import('h5wasm/node') as unknown as Promise<H5Api>).then(async (api) => {
    const module = await api.ready
    // errors become exceptions carrying the library's error stack, instead of an HDF5-DIAG dump on stderr
    module.activate_throwing_error_handler?.()
    return { api, module }
  })
  return loading
}

/** Bytes read from the library at once when whole rows of chunks are filled together (a call blocks the event loop: kept short). */
const SLAB_BYTES = 4 << 20

export class ChunkedDataset {
  /** The temporary copy, mapped read-write (this process fills it; sessions read it). */
  readonly mapping: Mapping
  readonly file: string
  private readonly filled: Uint8Array
  private readonly fd: number
  private readonly grid: number[]
  private readonly strides: number[]
  private closed = false

  private constructor(
    private readonly h5: { api: H5Api; module: H5Module },
    private readonly h5file: { file_id: bigint; close(): void },
    private readonly path: string,
    /** The HDF5 dataset's dims (C order) and chunk dims. */
    private readonly dims: number[],
    private readonly chunks: number[],
    private readonly itemsize: number,
    /** Byte ranges of an element to swap back to big-endian (the library hands uniformly big-endian types over as little-endian). */
    private readonly swapAtoms: [number, number][],
    file: string,
    private readonly budget: TempBudget,
    /** allocated false: no chunk was ever written (the library is not asked); fill: non-zero fill bytes. */
    private readonly stored: { allocated?: boolean; fill?: number[] }
  ) {
    this.file = file
    this.grid = dims.map((d, k) => Math.ceil(d / chunks[k]!))
    const n = this.grid.reduce((a, b) => a * b, 1)
    if (n > 1 << 28) throw new ApiError('layout', `${path} has ${n} chunks: too many to track`)
    this.filled = new Uint8Array(n)
    this.strides = new Array<number>(dims.length)
    let s = itemsize
    for (let k = dims.length - 1; k >= 0; k--) {
      this.strides[k] = s
      s *= dims[k]!
    }
    const nbytes = s
    // written through a descriptor (pwrite), read through a read-only mapping of the same file (the page
    // cache is shared): to the native passes it is a file in mode r, whose holes they skip and drop
    this.fd = fs.openSync(file, 'w+', 0o600)
    try {
      fs.ftruncateSync(this.fd, nbytes)
      this.mapping = new (native().Mapping)(file, 'r')
    } catch (e) {
      fs.closeSync(this.fd)
      throw e
    }
    this.mapping.advise('random')
    // nothing written and a zero fill value: the sparse copy's holes are the values already
    if (stored.allocated === false && !stored.fill) this.filled.fill(1)
  }

  /** Bytes of values written into the copy (the rest are holes: zeros). */
  get bytesWritten(): number {
    return this.budget.used
  }

  static async open(
    container: string,
    path: string,
    dims: number[],
    chunks: number[],
    dtype: DType,
    stored: { allocated?: boolean; fill?: number[] } = {}
  ): Promise<ChunkedDataset> {
    const itemsize = dtype.itemsize
    if (chunks.length !== dims.length || chunks.some((c) => !(c >= 1))) {
      throw new ApiError(
        'layout',
        `${path}: its chunk shape (${chunks.join(', ')}) does not fit its dims (${dims.join(', ')})`
      )
    }
    if (stored.fill && stored.fill.length !== itemsize) {
      throw new ApiError('layout', `${path}: its fill value has ${stored.fill.length} bytes, an element ${itemsize}`)
    }
    // the copy is sparse: only values that are not zeros take disk, counted against a cap (temp-budget.ts)
    const dir = tempFolder('arrayscope-h5-')
    const file = pathModule.join(dir, 'values.bin')
    let h5: Awaited<ReturnType<typeof h5wasm>>
    let f: { file_id: bigint; close(): void }
    try {
      h5 = await h5wasm()
      f = new h5.api.File(container, 'r')
    } catch (e) {
      removeTemp(file)
      throw new ApiError('io', `the HDF5 library cannot open ${container}: ${libraryError(e)}`)
    }
    try {
      vetLibraryPath(h5.module, f.file_id, path, { dims, chunks, itemsize })
      const budget = new TempBudget(path, pathModule.dirname(dir))
      return new ChunkedDataset(h5, f, path, dims, chunks, itemsize, bigEndianAtoms(dtype), file, budget, stored)
    } catch (e) {
      f.close()
      removeTemp(file)
      throw e
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.mapping.close()
    fs.closeSync(this.fd)
    this.h5file.close()
    removeTemp(this.file)
  }

  /** Reads the region [start, start + count) of the dataset into the temporary copy. */
  private fillRegion(start: number[], count: number[]): void {
    const n = count.reduce((a, b) => a * b, this.itemsize)
    if (n === 0) return
    if (this.stored.allocated === false) {
      // every value is the fill value: no need to ask the library
      const fill = Buffer.from(this.stored.fill ?? [])
      const bytes = Buffer.alloc(n, fill.length ? fill : 0)
      return this.writeRegion(start, count, bytes)
    }
    const { module } = this.h5
    const ptr = module._malloc(n)
    if (!ptr) throw new ApiError('io', `the HDF5 library could not allocate ${n} bytes`)
    try {
      const status = module.get_dataset_data(
        this.h5file.file_id,
        this.path,
        count.map(BigInt),
        start.map(BigInt),
        count.map(() => 1n),
        BigInt(ptr)
      )
      if (typeof status === 'number' && status < 0) throw new Error(`H5Dread returned ${status}`)
      const bytes = module.HEAPU8.subarray(ptr, ptr + n)
      if (this.swapAtoms.length) swapInPlace(bytes, this.itemsize, this.swapAtoms)
      this.writeRegion(start, count, bytes)
    } catch (e) {
      if (e instanceof ApiError) throw e
      throw new ApiError('io', `the HDF5 library failed reading ${this.path}: ${libraryError(e)}`)
    } finally {
      module._free(ptr)
    }
  }

  /**
   * Writes a C-order region's bytes into the copy: its runs along the last axis, which are contiguous in the copy
   * too. All-zero runs are left as holes (unallocated chunks read as zeros): only the rest takes disk, within the
   * budget.
   */
  private writeRegion(start: number[], count: number[], bytes: Uint8Array): void {
    const nd = count.length
    const run = (nd ? count[nd - 1]! : 1) * this.itemsize
    const outer = bytes.length / run
    const zero = zeros(run)
    const writes: [number, Uint8Array][] = []
    let total = 0
    const idx = new Array<number>(Math.max(0, nd - 1)).fill(0)
    for (let r = 0; r < outer; r++) {
      const piece = bytes.subarray(r * run, (r + 1) * run)
      if (!zero.equals(piece)) {
        let off = nd ? start[nd - 1]! * this.itemsize : 0
        for (let k = 0; k < nd - 1; k++) off += (start[k]! + idx[k]!) * this.strides[k]!
        writes.push([off, piece])
        total += run
      }
      for (let k = nd - 2; k >= 0; k--) {
        if (++idx[k]! < count[k]!) break
        idx[k] = 0
      }
    }
    this.budget.take(total)
    for (const [off, piece] of writes) {
      for (let done = 0; done < piece.length; ) {
        done += fs.writeSync(this.fd, piece, done, piece.length - done, off + done)
      }
    }
  }

  /** Chunk grid ranges [lo, hi] (inclusive) covering the element box [lo, hi]. */
  private chunkBox(lo: number[], hi: number[]): { lo: number[]; hi: number[] } {
    return {
      lo: lo.map((x, k) => Math.floor(x / this.chunks[k]!)),
      hi: hi.map((x, k) => Math.floor(x / this.chunks[k]!))
    }
  }

  private chunkIndex(c: number[]): number {
    let i = 0
    for (let k = 0; k < c.length; k++) i = i * this.grid[k]! + c[k]!
    return i
  }

  /** The chunks of a box not filled yet, in C order of the grid. */
  private *missing(lo: number[], hi: number[]): Generator<number[]> {
    const nd = this.dims.length
    if (nd === 0) return
    const b = this.chunkBox(lo, hi)
    const c = [...b.lo]
    for (;;) {
      if (!this.filled[this.chunkIndex(c)]) yield [...c]
      let k = nd - 1
      while (k >= 0) {
        if (++c[k]! <= b.hi[k]!) break
        c[k] = b.lo[k]!
        k--
      }
      if (k < 0) return
    }
  }

  private fillChunk(c: number[]): void {
    const start = c.map((x, k) => x * this.chunks[k]!)
    const count = start.map((s, k) => Math.min(this.chunks[k]!, this.dims[k]! - s))
    this.fillRegion(start, count)
    this.filled[this.chunkIndex(c)] = 1
  }

  /** How many chunks were read into the copy so far. */
  get chunksRead(): number {
    let n = 0
    for (const x of this.filled) n += x
    return n
  }

  /** Fills the element box [lo, hi] (inclusive, HDF5 dims) now. */
  ensureBox(lo: number[], hi: number[]): void {
    if (this.closed) throw new ApiError('closed', 'the dataset was closed')
    for (const c of this.missing(lo, hi)) this.fillChunk(c)
  }

  /** The element box a byte range of the copy touches (whole rows of the first axis). */
  private rangeBox(first: number, end: number): { lo: number[]; hi: number[] } | null {
    if (end <= first || this.dims.length === 0) return null
    const row = this.strides[0]!
    return {
      lo: this.dims.map((_, k) => (k === 0 ? Math.floor(first / row) : 0)),
      hi: this.dims.map((d, k) => (k === 0 ? Math.min(d - 1, Math.floor((end - 1) / row)) : d - 1))
    }
  }

  /** The element box of a strided set of elements from base (corners of the extents). */
  private extentBox(base: number, extents: { n: number; stride: number }[]): { lo: number[]; hi: number[] } {
    let lo = base
    let hi = base
    for (const { n, stride } of extents) {
      if (n <= 0) continue
      if (stride < 0) lo += (n - 1) * stride
      else hi += (n - 1) * stride
    }
    return { lo: this.unravel(lo), hi: this.unravel(hi) }
  }

  private unravel(offset: number): number[] {
    const out: number[] = []
    let rest = offset
    for (let k = 0; k < this.dims.length; k++) {
      const i = Math.floor(rest / this.strides[k]!)
      out.push(Math.min(this.dims[k]! - 1, Math.max(0, i)))
      rest -= i * this.strides[k]!
    }
    return out
  }

  ensureWindow(w: Window2D): void {
    if (w.rows === 0 || w.cols === 0) return
    const { lo, hi } = this.extentBox(Number(w.base), [
      { n: w.rows, stride: Number(w.rowStride) },
      { n: w.cols, stride: Number(w.colStride) }
    ])
    this.ensureBox(lo, hi)
  }

  ensureRange(first: number, end: number): void {
    const box = this.rangeBox(first, end)
    if (box) this.ensureBox(box.lo, box.hi)
  }

  /** The element box of a view of the copy. */
  viewBox(view: ArrayView): { lo: number[]; hi: number[] } | null {
    if (view.shape.some((n) => n === 0)) return null
    return this.extentBox(
      view.offset,
      view.shape.map((n, k) => ({ n, stride: view.strides[k]! }))
    )
  }

  /** Elements still to read in a box (for progress). */
  private missingElements(lo: number[], hi: number[]): { chunks: number[][]; elements: number } {
    const chunks = [...this.missing(lo, hi)]
    let elements = 0
    for (const c of chunks) {
      let e = 1
      c.forEach((x, k) => (e *= Math.min(this.chunks[k]!, this.dims[k]! - x * this.chunks[k]!)))
      elements += e
    }
    return { chunks, elements }
  }

  /**
   * Fills what a view touches, a chunk (or a row of chunks) at a time, yielding between them: a handle with
   * progress in elements and cancel, like a native scan's.
   */
  fill(view: ArrayView, onProgress?: (done: number, total: number) => void): ScanHandle<void> {
    let cancelled = false
    const box = this.viewBox(view)
    const run = async (): Promise<void> => {
      if (!box) return
      const { chunks, elements } = this.missingElements(box.lo, box.hi)
      if (!chunks.length) return
      let done = 0
      // whole rows of chunks (all of a chunk-row's chunks missing, under SLAB_BYTES) are read in one call
      const rowBytes = this.dims.slice(1).reduce((a, b) => a * b, this.itemsize) * this.chunks[0]!
      const perRow = this.grid.slice(1).reduce((a, b) => a * b, 1)
      const byRow = new Map<number, number[][]>()
      for (const c of chunks) {
        const list = byRow.get(c[0]!)
        if (list) list.push(c)
        else byRow.set(c[0]!, [c])
      }
      let last = 0
      for (const [row, list] of byRow) {
        if (cancelled || this.closed) throw new ApiError('cancelled', `reading ${this.path} was cancelled`)
        if (list.length === perRow && rowBytes <= SLAB_BYTES) {
          const start = this.dims.map((_, k) => (k === 0 ? row * this.chunks[0]! : 0))
          const count = this.dims.map((d, k) => (k === 0 ? Math.min(this.chunks[0]!, d - start[0]!) : d))
          this.fillRegion(start, count)
          for (const c of list) this.filled[this.chunkIndex(c)] = 1
          done += count.reduce((a, b) => a * b, 1)
        } else {
          for (const c of list) {
            if (cancelled || this.closed) throw new ApiError('cancelled', `reading ${this.path} was cancelled`)
            this.fillChunk(c)
            done += c.reduce((a, x, k) => a * Math.min(this.chunks[k]!, this.dims[k]! - x * this.chunks[k]!), 1)
            if (Date.now() - last > 50) {
              last = Date.now()
              onProgress?.(done, elements)
              await new Promise((r) => setImmediate(r))
            }
          }
        }
        onProgress?.(done, elements)
        await new Promise((r) => setImmediate(r))
      }
    }
    return { promise: run(), cancel: () => (cancelled = true) }
  }

  /** What windows, show and export read: the copy, filled first where they look. */
  source(): ByteSource {
    return {
      gather: (w, target) => {
        this.ensureWindow(w)
        this.mapping.gather(w, target)
      },
      read: (offset, target) => {
        this.ensureRange(offset, offset + target.length)
        return this.mapping.read(offset, target)
      }
    }
  }
}

/** The multi-byte atoms (offset, size) of a dtype, when every one of them is big-endian; else none. */
export function bigEndianAtoms(dt: DType): [number, number][] {
  const atoms: [number, number, boolean][] = []
  const walk = (t: DType, base: number): void => {
    if (t.kind === 'scalar') {
      if (t.itemsize === 1) return
      // a complex number is two floats
      if (t.type.kind === 'complex') {
        const h = t.itemsize / 2
        atoms.push([base, h, t.littleEndian], [base + h, h, t.littleEndian])
      } else atoms.push([base, t.itemsize, t.littleEndian])
      return
    }
    if (t.kind === 'struct') {
      for (const f of t.fields) {
        const n = f.shape.reduce((a, b) => a * b, 1)
        for (let k = 0; k < n; k++) walk(f.dtype, base + f.offset + k * f.dtype.itemsize)
      }
    }
  }
  walk(dt, 0)
  if (!atoms.length || atoms.some(([, , le]) => le)) return []
  return atoms.map(([o, n]) => [o, n])
}

function swapInPlace(bytes: Uint8Array, itemsize: number, atoms: [number, number][]): void {
  for (let e = 0; e < bytes.length; e += itemsize) {
    for (const [o, n] of atoms) {
      for (let i = e + o, j = e + o + n - 1; i < j; i++, j--) {
        const t = bytes[i]!
        bytes[i] = bytes[j]!
        bytes[j] = t
      }
    }
  }
}

let zeroRun = Buffer.alloc(0)
/** A zero buffer of n bytes (shared: never written). */
function zeros(n: number): Buffer {
  if (zeroRun.length < n) zeroRun = Buffer.alloc(Math.max(n, 1 << 16))
  return zeroRun.subarray(0, n)
}
