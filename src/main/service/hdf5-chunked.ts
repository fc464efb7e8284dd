// A chunked (and maybe filtered: gzip, shuffle, …) HDF5 dataset. Deflate/shuffle/fletcher32 chunks behind an
// index our parser reads are decoded natively (hdf5-native-fill.ts: libdeflate in the addon, several chunks in
// flight); any other filter or index goes through the HDF5 library compiled to WebAssembly
// (h5wasm, whose Node build reads the file through the host file system — a read touches only what it asks for),
// in a worker thread (hdf5-worker.ts): a library call decompresses megabytes and would hold the event loop.
//
// The values land in a temporary file (sparse, the dataset's size, C order) that the session maps read-only, so
// every feature works on it unchanged. It is filled a chunk at a time, only where something reads: a table window
// awaits its chunks (decoded ahead of a fill's: window-first.ts); a scan fills the chunks its view touches
// (progress, cancel) and reads them as they land (stream-fill.ts) or after; synchronous readers (the CLI's show)
// block until what they need is there.
import fs from 'node:fs'
import os from 'node:os'
import pathModule from 'node:path'
import { ApiError } from '../../shared/contract'
import type { ArrayView } from '../../shared/slice'
import type { DType } from '../../shared/structured'
import type { ByteSource } from './dequant-source'
import type { NativeChunks } from '../../shared/containers/hdf5/chunk-index'
import type { ChunkFiller } from './chunk-filler'
import { NativeFiller, pool, type NativeSpec } from './hdf5-native-fill'
import { bigEndianAtoms, H5Worker } from './hdf5-worker-client'
import { fetchForLibrary } from './hdf5-errors'
import { removeTemp, tempFolder } from './temp-files'
import { tempCap } from './temp-budget'
import { gridOf } from './copy-writer'
import { RowFrontier } from './row-frontier'
import { WindowFirst } from './window-first'
import { native, type Mapping, type ScanHandle, type Window2D } from './native'

/** Bytes read from the library at once when whole rows of chunks are filled together. */
const SLAB_BYTES = 4 << 20
/** Chunks a fill decodes natively at once: one per core keeps every core busy, no more compete for them. */
const IN_FLIGHT = Math.min(8, Math.max(2, os.availableParallelism()))
/** Memory chunks in flight may hold (each its stored, inflated and unshuffled bytes): huge chunks go fewer at once. */
const IN_FLIGHT_BYTES = 256 << 20

type Stored = {
  allocated?: boolean
  fill?: number[]
  native?: NativeChunks
  /** Another decoder of chunks (zarr-fill.ts), made once the copy exists. */
  filler?: (copy: { copy: string; folder: string; cap: number }) => ChunkFiller
  remote?: NativeSpec['remote'] // a remote container's fetches (the native decoder only)
}

export class ChunkedDataset {
  /** The temporary copy, mapped read-only (the worker writes it; sessions read it). */
  readonly mapping: Mapping
  readonly file: string
  private readonly filled: Uint8Array
  /** Chunks being read by the worker now (a window and a scan may ask for the same). */
  private readonly reading = new Map<number, Promise<void>>()
  private written = 0
  private readonly windows = new WindowFirst() // windows' chunks go before a fill's
  private readonly grid: number[]
  private readonly strides: number[]
  private closed = false

  private constructor(
    /** One of them: the library's worker, or the native decoder (deflate/shuffle/fletcher32, an index we read). */
    private readonly worker: H5Worker | undefined,
    private readonly native: ChunkFiller | undefined,
    private readonly path: string,
    /** The HDF5 dataset's dims (C order) and chunk dims. */
    private readonly dims: number[],
    private readonly chunks: number[],
    private readonly itemsize: number,
    file: string,
    mapping: Mapping,
    stored: Stored
  ) {
    this.file = file
    this.mapping = mapping
    ;({ grid: this.grid, strides: this.strides } = gridOf(dims, chunks, itemsize))
    this.filled = new Uint8Array(this.grid.reduce((a, b) => a * b, 1))
    // nothing written and a zero fill value: the sparse copy's holes are the values already
    if (stored.allocated === false && !stored.fill) this.filled.fill(1)
    // decoded natively with a zero fill value: chunks the index does not list are holes of the copy already (a
    // dataset of millions of unwritten chunks is not walked chunk by chunk)
    if (native && !stored.fill) {
      this.filled.fill(1)
      for (const i of native.allocatedChunks()) this.filled[i] = 0
    }
  }

  /** Bytes of values written into the copy (the rest are holes: zeros). */
  get bytesWritten(): number {
    return this.written
  }

  /** Chunks decoded natively at once: IN_FLIGHT, fewer when chunks are so big their buffers would pass IN_FLIGHT_BYTES. */
  private lanes(): number {
    const chunkBytes = this.chunks.reduce((a, b) => a * b, this.itemsize)
    return Math.max(1, Math.min(IN_FLIGHT, Math.floor(IN_FLIGHT_BYTES / (3 * chunkBytes))))
  }

  /** Who decodes the chunks: 'native' (hdf5-native-fill.ts) or 'library' (h5wasm in its worker). */
  get decoder(): 'native' | 'library' {
    return this.native ? 'native' : 'library'
  }

  static async open(
    container: string,
    path: string,
    dims: number[],
    chunks: number[],
    dtype: DType,
    stored: Stored = {}
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
    const grid = dims.map((d, k) => Math.ceil(d / chunks[k]!))
    const n = grid.reduce((a, b) => a * b, 1)
    if (n > 1 << 28) throw new ApiError('layout', `${path} has ${n} chunks: too many to track`)
    // the copy is sparse: only values that are not zeros take disk, counted against a cap (temp-budget.ts)
    const dir = tempFolder('arrayscope-h5-')
    const file = pathModule.join(dir, 'values.bin')
    let mapping: Mapping | undefined
    try {
      fs.writeFileSync(file, '', { mode: 0o600 })
      fs.truncateSync(
        file,
        dims.reduce((a, b) => a * b, itemsize)
      )
      // written by the worker (pwrite), read here through a read-only mapping of the same file (the page cache
      // is shared): to the native passes it is a file in mode r, whose holes they skip and drop (not a pass
      // streaming beside the fill: its holes are chunks still to come, stream-fill.ts)
      mapping = new (native().Mapping)(file, 'r')
      mapping.advise('random')
      if (stored.filler) {
        const filler = stored.filler({ copy: file, folder: pathModule.dirname(dir), cap: tempCap() })
        return new ChunkedDataset(undefined, filler, path, dims, chunks, itemsize, file, mapping, stored)
      }
      if (stored.native && stored.native.elementSize === itemsize) {
        const native = NativeFiller.open({
          container,
          path,
          dims,
          chunks,
          itemsize,
          native: stored.native,
          ...(stored.fill ? { fill: stored.fill } : {}),
          ...(stored.remote ? { remote: stored.remote } : {}),
          copy: file,
          folder: pathModule.dirname(dir),
          cap: tempCap()
        })
        return new ChunkedDataset(undefined, native, path, dims, chunks, itemsize, file, mapping, stored)
      }
      if (stored.remote) await fetchForLibrary(container, path, stored.remote)
      const worker = await H5Worker.start({
        container,
        path,
        dims,
        chunks,
        itemsize,
        swapAtoms: bigEndianAtoms(dtype),
        copy: file,
        folder: pathModule.dirname(dir),
        stored: {
          ...(stored.allocated === false ? { allocated: false } : {}),
          ...(stored.fill ? { fill: stored.fill } : {})
        },
        cap: tempCap()
      })
      return new ChunkedDataset(worker, undefined, path, dims, chunks, itemsize, file, mapping, stored)
    } catch (e) {
      mapping?.close()
      removeTemp(file)
      throw e
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.worker?.close()
    this.native?.close()
    this.mapping.close()
    removeTemp(this.file)
  }

  /** Chunk grid ranges [lo, hi] (inclusive) covering the element box [lo, hi]. */
  private chunkBox(lo: number[], hi: number[]): { lo: number[]; hi: number[] } {
    const along = (x: number, k: number): number => Math.floor(x / this.chunks[k]!)
    return { lo: lo.map(along), hi: hi.map(along) }
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

  private chunkRegion(c: number[]): { start: number[]; count: number[] } {
    const start = c.map((x, k) => x * this.chunks[k]!)
    const count = start.map((s, k) => Math.min(this.chunks[k]!, this.dims[k]! - s))
    return { start, count }
  }

  /** Reads a region covering the chunks `list` in the worker (each chunk read once, whoever asks). */
  private read(list: number[][], start: number[], count: number[], background = false): Promise<void> {
    const p = (this.native ? this.native.fill(list[0]!, background) : this.worker!.fill(start, count)).then((n) => {
      this.written += n
      for (const c of list) this.filled[this.chunkIndex(c)] = 1
    })
    const ids = list.map((c) => this.chunkIndex(c))
    for (const i of ids) this.reading.set(i, p)
    const settled = (): void => {
      for (const i of ids) if (this.reading.get(i) === p) this.reading.delete(i)
    }
    p.then(settled, settled)
    return p
  }

  /** Reads one chunk, or awaits the read of it already under way (a window's chunk the fill decodes now). */
  private readChunk(c: number[], background = false): Promise<void> {
    const busy = this.reading.get(this.chunkIndex(c))
    if (busy) return busy
    const { start, count } = this.chunkRegion(c)
    return this.read([c], start, count, background)
  }

  /** How many chunks were read into the copy so far. */
  get chunksRead(): number {
    let n = 0
    for (const x of this.filled) n += x
    return n
  }

  /** Fills the element box [lo, hi] (inclusive, HDF5 dims) now, blocking until the worker has read it. */
  ensureBox(lo: number[], hi: number[]): void {
    if (this.closed) throw new ApiError('closed', 'the dataset was closed')
    for (const c of this.missing(lo, hi)) {
      const { start, count } = this.chunkRegion(c)
      this.written += this.native ? this.native.fillSync(c) : this.worker!.fillSync(start, count)
      this.filled[this.chunkIndex(c)] = 1
    }
  }

  /** Fills the element box [lo, hi], awaited (a window's chunks go ahead of a fill's: window-first.ts). */
  async prepareBox(lo: number[], hi: number[]): Promise<void> {
    if (this.closed) throw new ApiError('closed', 'the dataset was closed')
    const list = [...this.missing(lo, hi)]
    if (!this.native) return void (await Promise.all(list.map((c) => this.readChunk(c))))
    const own = list.some((c) => !this.reading.has(this.chunkIndex(c)))
    if (list.length) await this.windows.first(() => pool(list, this.lanes(), (c) => this.readChunk(c)), own)
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

  private windowBox(w: Window2D): { lo: number[]; hi: number[] } | null {
    if (w.rows === 0 || w.cols === 0) return null
    return this.extentBox(Number(w.base), [
      { n: w.rows, stride: Number(w.rowStride) },
      { n: w.cols, stride: Number(w.colStride) }
    ])
  }

  ensureWindow(w: Window2D): void {
    const box = this.windowBox(w)
    if (box) this.ensureBox(box.lo, box.hi)
  }

  ensureRange(first: number, end: number): void {
    const box = this.rangeBox(first, end)
    if (box) this.ensureBox(box.lo, box.hi)
  }

  /** Fills what a window of the copy shows (before a synchronous gather finds it all there). */
  async prepareWindow(w: Window2D): Promise<void> {
    const box = this.windowBox(w)
    if (box) await this.prepareBox(box.lo, box.hi)
  }

  async prepareRange(first: number, end: number): Promise<void> {
    const box = this.rangeBox(first, Math.min(end, this.mapping.size))
    if (box) await this.prepareBox(box.lo, box.hi)
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
    return { chunks, elements: chunks.reduce((a, c) => a + this.elementsOf(c), 0) }
  }

  /** Elements of chunk c inside the dataset (an edge chunk's part). */
  private elementsOf(c: number[]): number {
    return c.reduce((a, x, k) => a * Math.min(this.chunks[k]!, this.dims[k]! - x * this.chunks[k]!), 1)
  }

  /**
   * Fills what a view touches, a chunk (or a row of chunks) at a time, yielding between them: a handle with
   * progress in elements and cancel, like a native scan's. onReady hears how many bytes from the copy's start
   * are complete for the view's chunks as rows of chunks land (a scan streaming beside: stream-fill.ts).
   */
  fill(
    view: ArrayView,
    onProgress?: (done: number, total: number) => void,
    onReady?: (bytes: number) => void
  ): ScanHandle<void> {
    let cancelled = false
    const box = this.viewBox(view)
    const run = async (): Promise<void> => {
      if (!box) return
      const { chunks, elements } = this.missingElements(box.lo, box.hi)
      if (!chunks.length) return
      const rows = this.chunkBox(box.lo, box.hi)
      const frontier = new RowFrontier(chunks, rows.lo[0]!, rows.hi[0]!, this.chunks[0]! * this.strides[0]!)
      const landed = (list: number[][]): void => list.forEach((c) => onReady?.(frontier.done(c)))
      onReady?.(frontier.bytes())
      let done = 0
      let last = 0 // progress at most every 50 ms
      // whole rows of chunks (all of a chunk-row's chunks missing, under SLAB_BYTES) are read in one call
      const rowBytes = this.dims.slice(1).reduce((a, b) => a * b, this.itemsize) * this.chunks[0]!
      const perRow = this.grid.slice(1).reduce((a, b) => a * b, 1)
      const byRow = new Map<number, number[][]>()
      for (const c of chunks) {
        const list = byRow.get(c[0]!)
        if (list) list.push(c)
        else byRow.set(c[0]!, [c])
      }
      const tick = (c: number[]): void => {
        done += this.elementsOf(c)
        if (Date.now() - last < 50) return
        last = Date.now()
        onProgress?.(done, elements)
      }
      const check = (): void => {
        if (cancelled || this.closed) throw new ApiError('cancelled', `reading ${this.path} was cancelled`)
      }
      if (this.native) {
        // chunks in flight on the addon's own threads, a window's overtaking them; none decoded twice
        await pool(chunks, this.lanes(), async (c) => {
          await this.windows.served()
          check()
          if (!this.filled[this.chunkIndex(c)]) await this.readChunk(c, true)
          landed([c])
          tick(c)
        })
        onProgress?.(done, elements)
        return
      }
      for (const [row, list] of byRow) {
        check()
        if (
          list.length === perRow &&
          rowBytes <= SLAB_BYTES &&
          !list.some((c) => this.reading.has(this.chunkIndex(c)))
        ) {
          const start = this.dims.map((_, k) => (k === 0 ? row * this.chunks[0]! : 0))
          const count = this.dims.map((d, k) => (k === 0 ? Math.min(this.chunks[0]!, d - start[0]!) : d))
          await this.read(list, start, count)
          landed(list)
          done += count.reduce((a, b) => a * b, 1)
        } else {
          for (const c of list) {
            check()
            if (!this.filled[this.chunkIndex(c)]) await this.readChunk(c)
            landed([c])
            tick(c)
          }
        }
        onProgress?.(done, elements)
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
