// Chunks of an HDF5 dataset decoded without the HDF5 library, when its filters are only deflate, shuffle and
// fletcher32 (h5py's usual set) and its chunk index is one our parser reads (shared/containers/hdf5/chunk-index.ts).
// The index is listed once when the dataset opens; a chunk is then: its stored bytes read from the file (fs.read,
// on libuv's pool), decoded in one call to the addon on the pool too (fletcher32 checked, inflated by libdeflate,
// unshuffled: chunk-decode.ts) — several chunks in flight keep every core busy while the event loop stays free —
// and its rows written into the temporary copy at their place.
// The copy holds the file's bytes as stored (its byte order), as the library's path gives them.
import fs from 'node:fs'
import { promisify } from 'node:util'
import { FillGuard } from './chunk-filler'
import { ApiError } from '../../shared/contract'
import { listChunks, type ChunkRecord, type NativeChunks } from '../../shared/containers/hdf5/chunk-index'
import { H5File } from '../../shared/containers/hdf5/reader'
import { ContainerError } from '../../shared/containers/model'
import { ChunkDecodeError, decodeChunk, decodeChunkSync, type ChunkStep } from './chunk-decode'
import { TempBudget } from './temp-budget'
import { native } from './native'
import { chunkRuns, writePieces, writePiecesAsync, type Pieces, gridOf } from './copy-writer'

const readAsync = promisify(fs.read)

/** Chunks decoded natively in this process, and chunk fills asked for (tests prove the path and its work). */
export const nativeStats = { chunks: 0, fills: 0 }

export interface NativeSpec {
  container: string
  path: string
  dims: number[]
  chunks: number[]
  itemsize: number
  native: NativeChunks
  /** Non-zero fill bytes (one element), written where no chunk was ever stored. */
  fill?: number[]
  copy: string
  folder: string
  cap: number
  /**
   * A remote container (remote-store.ts): container is its sparse copy, and the bytes a read needs (the index,
   * a chunk) are fetched into it first.
   */
  remote?: { fetch(first: number, end: number): Promise<void>; ensure(first: number, end: number): void }
}

export class NativeFiller {
  private readonly index = new Map<number, ChunkRecord>()
  private readonly grid: number[]
  private readonly strides: number[]
  private readonly full: number
  /** The descriptors, released when the last fill in flight after close ends. */
  private readonly guard = new FillGuard(() => this.release(), 'dataset')

  private constructor(
    private readonly spec: NativeSpec,
    private readonly src: number,
    /** The copy, open for writing (the session reads it through its own read-only mapping). */
    private readonly dst: number,
    records: ChunkRecord[],
    private readonly budget: TempBudget
  ) {
    const { dims, chunks, itemsize } = spec
    ;({ grid: this.grid, strides: this.strides } = gridOf(dims, chunks, itemsize))
    this.full = chunks.reduce((a, b) => a * b, itemsize)
    for (const r of records) this.index.set(this.chunkIndex(r.coords), r)
  }

  /** Opens the container read-only and lists its chunks (a damaged index is an error naming it). */
  static open(spec: NativeSpec): NativeFiller {
    const src = fs.openSync(spec.container, 'r')
    let dst: number | undefined
    try {
      const size = fs.fstatSync(src).size
      const read = (offset: number, length: number): Uint8Array => {
        const b = Buffer.alloc(Math.max(0, Math.min(length, size - offset)))
        spec.remote?.ensure(offset, offset + b.length)
        let done = 0
        while (done < b.length) {
          const n = fs.readSync(src, b, done, b.length - done, offset + done)
          if (n === 0) break
          done += n
        }
        return b.subarray(0, done)
      }
      const n = spec.native
      const f = new H5File(read, size, n.sizeOfOffsets, n.sizeOfLengths, n.base)
      let records: ChunkRecord[]
      try {
        records = listChunks(f, n, spec.dims, spec.chunks, spec.path)
      } catch (e) {
        if (e instanceof ContainerError) throw new ApiError('layout', `${spec.container}: ${e.message}`)
        throw e
      }
      dst = fs.openSync(spec.copy, 'r+')
      return new NativeFiller(spec, src, dst, records, new TempBudget(spec.path, spec.folder, spec.cap))
    } catch (e) {
      fs.closeSync(src)
      if (dst !== undefined) fs.closeSync(dst)
      throw e
    }
  }

  /** How many chunks the index lists (the rest were never written). */
  get allocated(): number {
    return this.index.size
  }

  /** The allocated chunks' indexes in the grid (C order): with a zero fill value, the others are holes already. */
  allocatedChunks(): IterableIterator<number> {
    return this.index.keys()
  }

  close(): void {
    this.guard.close()
  }

  private release(): void {
    fs.closeSync(this.src)
    fs.closeSync(this.dst)
  }

  private chunkIndex(c: number[]): number {
    let i = 0
    for (let k = 0; k < c.length; k++) i = i * this.grid[k]! + c[k]!
    return i
  }

  /**
   * Decodes chunk c into the copy, off the event loop (read and inflate on libuv's pool, or for a background
   * fill on the addon's own threads, niced while a window waits); the bytes written.
   */
  async fill(c: number[], background = false): Promise<number> {
    return this.guard.run(() => {
      nativeStats.fills++
      return this.decode(c, background)
    })
  }

  private async decode(c: number[], background: boolean): Promise<number> {
    const r = this.index.get(this.chunkIndex(c))
    if (!r) return this.putAsync(this.pieces(c, this.fillChunk()))
    if (this.direct) {
      // read, decoded and written by one call on libuv's pool: no JS buffer, one hop (chunk_file.cc)
      const args = this.directArgs(c, r)
      let written: number
      try {
        written = await native().fillChunkFileAsync(...args, background)
      } catch (e) {
        throw this.directError(r, e)
      }
      return this.landed(written)
    }
    const raw = Buffer.allocUnsafe(this.storedSize(r))
    await this.spec.remote?.fetch(r.address, r.address + r.size)
    for (let done = 0; done < r.size; ) {
      const { bytesRead } = await readAsync(this.src, raw, done, r.size - done, r.address + done)
      if (bytesRead === 0) throw this.damaged(r, `its stored bytes end early (the file is truncated)`)
      done += bytesRead
    }
    this.check()
    const out = Buffer.allocUnsafe(this.full)
    let got: number
    try {
      got = await decodeChunk(raw, out, this.steps(r))
    } catch (e) {
      throw this.decodeError(r, e)
    }
    this.check()
    return this.putAsync(this.pieces(c, this.whole(r, out.subarray(0, got))))
  }

  /** The same, blocking (for synchronous readers: the CLI's show, a derived session's window). */
  fillSync(c: number[]): number {
    this.check()
    const r = this.index.get(this.chunkIndex(c))
    if (!r) return this.put(this.pieces(c, this.fillChunk()))
    if (this.direct) {
      let written: number
      try {
        written = native().fillChunkFile(...this.directArgs(c, r))
      } catch (e) {
        throw this.directError(r, e)
      }
      return this.landed(written)
    }
    const raw = Buffer.allocUnsafe(this.storedSize(r))
    this.spec.remote?.ensure(r.address, r.address + r.size)
    for (let done = 0; done < r.size; ) {
      const n = fs.readSync(this.src, raw, done, r.size - done, r.address + done)
      if (n === 0) throw this.damaged(r, `its stored bytes end early (the file is truncated)`)
      done += n
    }
    const out = Buffer.allocUnsafe(this.full)
    let got: number
    try {
      got = decodeChunkSync(raw, out, this.steps(r))
    } catch (e) {
      throw this.decodeError(r, e)
    }
    return this.put(this.pieces(c, this.whole(r, out.subarray(0, got))))
  }

  /**
   * Whether chunks go through the addon's one-call path: a local file (a remote one fetches first), POSIX (the
   * call preads the file's descriptor), libdeflate in the addon.
   */
  private get direct(): boolean {
    const a = native()
    return (
      !this.spec.remote &&
      process.platform !== 'win32' &&
      this.spec.dims.length > 0 &&
      a.inflaterVersion !== null &&
      typeof a.fillChunkFileAsync === 'function' &&
      !process.env.ARRAYSCOPE_HDF5_JS_CHUNKS
    )
  }

  private directArgs(
    c: number[],
    r: ChunkRecord
  ): [number, number, ChunkStep[], number, Float64Array, [number, number]] {
    const runs = chunkRuns(c, this.spec.dims, this.spec.chunks, this.spec.itemsize, this.strides)
    return [this.src, this.dst, this.steps(r), this.full, Float64Array.from(runs), [r.address, this.storedSize(r)]]
  }

  /**
   * What the call wrote, counted against the copy's budget afterwards (all-zero rows are not written, so the
   * bytes are known only then: a budget passes its cap by at most the chunks in flight, as Zarr's).
   */
  private landed(written: number): number {
    nativeStats.chunks++
    this.budget.take(written)
    return written
  }

  /** The addon's failure as the JS path words it: the chunk's bytes name the chunk; the disk, the copy. */
  private directError(r: ChunkRecord, e: unknown): unknown {
    const code = (e as { code?: string }).code
    const message = (e as Error).message
    if (code === 'BAD_DATA' || code === 'TOO_LARGE' || code === 'CHECKSUM')
      return this.decodeError(r, new ChunkDecodeError(code, message))
    if (code === 'SIZE' || code === 'TRUNCATED') return this.damaged(r, message)
    if (code === 'READ') return new ApiError('io', `${this.spec.container}: reading a chunk failed (${message})`)
    if (code === 'WRITE')
      return new ApiError('io', `writing the temporary copy of ${this.spec.path} failed (${message})`)
    return e
  }

  /** The chunk's filters undone in reverse pipeline order, those its filter mask names skipped. */
  private steps(r: ChunkRecord): ChunkStep[] {
    const steps: ChunkStep[] = []
    const pipe = this.spec.native.pipeline
    for (let k = pipe.length - 1; k >= 0; k--) {
      if (r.mask & (1 << k)) continue
      const p = pipe[k]!
      if (p.id === 1) steps.push({ op: 'inflate', wrap: 'zlib' })
      else if (p.id === 2) steps.push({ op: 'unshuffle', size: p.cd[0]! })
      else steps.push({ op: 'fletcher32' })
    }
    return steps
  }

  /**
   * A chunk's stored size, checked before anything is allocated: deflate adds at most a few bytes per 16 KiB to
   * incompressible data (and fletcher32 four), so a chunk claiming far more than its values is damaged.
   */
  private storedSize(r: ChunkRecord): number {
    const most = this.full + Math.ceil(this.full / 64) + 1024
    if (r.size > most) {
      throw this.damaged(r, `it claims ${r.size} stored bytes, more than a chunk of ${this.full} bytes can take`)
    }
    return r.size
  }

  private check(): void {
    this.guard.check()
  }

  private decodeError(r: ChunkRecord, e: unknown): unknown {
    if (e instanceof ChunkDecodeError) {
      const why =
        e.code === 'TOO_LARGE' ? `its deflate stream inflates to more than a chunk's ${this.full} bytes` : e.message
      return this.damaged(r, why)
    }
    return e
  }

  private damaged(r: ChunkRecord, why: string): ApiError {
    const at = r.coords.map((x, k) => x * this.spec.chunks[k]!)
    return new ApiError(
      'io',
      `${this.spec.path}: the chunk at offsets (${at.join(', ')}) (file byte ${r.address}, ${r.size} bytes): ${why}. Re-create the file, or copy what is readable with h5py`
    )
  }

  /** A decoded chunk must be the chunk's full size (edge chunks are stored full-size too). */
  private whole(r: ChunkRecord, bytes: Uint8Array): Uint8Array {
    if (bytes.length !== this.full) {
      throw this.damaged(r, `it decodes to ${bytes.length} bytes, a chunk holds ${this.full}`)
    }
    nativeStats.chunks++
    return bytes
  }

  /** A never-written chunk: the fill value repeated (zeros are holes already). */
  private fillChunk(): Uint8Array | null {
    const f = this.spec.fill
    if (!f) return null
    return Buffer.alloc(this.full, Buffer.from(f))
  }

  /**
   * A decoded chunk's rows (along the last axis) inside the dataset, with their place in the copy, rows adjacent
   * on both sides merged; all-zero runs are left out: they stay holes (what the budget counts is what takes disk).
   */
  private pieces(c: number[], bytes: Uint8Array | null): [number, Uint8Array][] {
    this.check()
    if (!bytes) return []
    return chunkPieces(c, bytes, this.spec.dims, this.spec.chunks, this.spec.itemsize, this.strides)
  }

  private put(pieces: Pieces): number {
    return writePieces(this.dst, this.budget, pieces)
  }

  private putAsync(pieces: Pieces): Promise<number> {
    return writePiecesAsync(this.dst, this.budget, pieces)
  }
}

/**
 * A decoded chunk's rows (along the last axis) inside the array, with their place in the C-order copy, rows
 * adjacent on both sides merged; all-zero runs are left out: they stay holes (what the budget counts is what takes
 * disk). Shared by the HDF5 and Zarr chunk decoders.
 */
export function chunkPieces(
  c: number[],
  bytes: Uint8Array,
  dims: number[],
  chunks: number[],
  itemsize: number,
  strides: number[]
): [number, Uint8Array][] {
  if (dims.length === 0) return [[0, bytes]]
  const runs = chunkRuns(c, dims, chunks, itemsize, strides)
  const pieces: [number, Uint8Array][] = []
  for (let k = 0; k < runs.length; k += 3)
    pieces.push([runs[k]!, bytes.subarray(runs[k + 1]!, runs[k + 1]! + runs[k + 2]!)])
  return pieces.filter(([, p]) => !isZero(p))
}

let zeroRun = Buffer.alloc(1 << 16)
/** Whether a piece is all zeros (memcmp against a shared zero buffer, never written). */
function isZero(p: Uint8Array): boolean {
  if (zeroRun.length < p.length) zeroRun = Buffer.alloc(p.length)
  return Buffer.compare(p, zeroRun.subarray(0, p.length)) === 0
}

/** Runs fn over items with at most `limit` in flight; the first failure stops taking new ones and is thrown. */
export async function pool<T>(items: T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0
  let failed = false
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const x = items[next++]!
      try {
        await fn(x)
      } catch (e) {
        failed = true
        throw e
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
}
