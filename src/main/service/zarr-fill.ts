// The chunks of a Zarr array decoded into the chunk grid's temporary copy (hdf5-chunked.ts's ChunkedDataset does
// the bookkeeping: which chunks a window or a scan needs, how many in flight). Chunks are objects of the store
// read by key through ZarrKeys (zarr-keys.ts: a folder, a .zarr.zip archive, a remote store), so the reader is
// the same whatever holds them. A store that lists its chunks (a folder: one readdir walk, no stat per chunk;
// an archive: its central directory) lists them once when the array opens: a chunk with no object is the fill
// value without a read — a hole of the copy for a zero fill value. A store that cannot list (remote) has every
// chunk read, and one it has no object for is the fill value. A chunk's codecs are undone by zarr-chain.ts
// (byte codecs off the event loop through the codec layer, codecs/) and its rows written at their place.
import fs from 'node:fs'
import { ApiError } from '../../shared/contract'
import type { ZarrStep } from '../../shared/containers/zarr-codecs'
import { chunkKey, type ZarrArray } from '../../shared/containers/zarr-meta'
import { FillGuard, type ChunkFiller } from './chunk-filler'
import { CodecError } from './codecs/registry'
import { chunkPieces } from './hdf5-native-fill'
import { TempBudget } from './temp-budget'
import { chunkRuns, writePieces, writePiecesAsync, gridOf } from './copy-writer'
import { decodeChunk, runAsync, runSync, type ChunkShape } from './zarr-chain'
import { fileCodec, fillChunkFile, fillChunkFileSync, ReadFailure, type FileCodec } from './zarr-chunk-file'
import { ChunkDamage, FolderKeys, type ZarrKeys } from './zarr-keys'
import type { ShardReader } from './zarr-shard-read'

/** Chunk objects read in this process (tests prove a missing chunk is not read), and of them by the addon. */
export const zarrStats = { reads: 0, direct: 0, background: 0 }

export interface ZarrSpec {
  /** The store's folder, archive or URL and the array's name (for messages). */
  dir: string
  name: string
  array: ZarrArray
  itemsize: number
  /** The store's objects (the filler closes them). */
  keys: ZarrKeys
  /** A remote sharded array read by inner chunk (zarr-shard-read.ts): the grid is the inner chunks'. */
  shard?: ShardReader
  copy: string
  folder: string
  cap: number
}

export class ZarrFiller implements ChunkFiller {
  private readonly grid: number[]
  private readonly strides: number[]
  private readonly full: number
  /** The chunks the store has, or null when it cannot list them (each is read; a missing one is the fill). */
  private present: Set<number> | null = new Set<number>()
  /** The grid's dims and chunk dims: a 0-d array is one element in one chunk, [1] and [1], for the chunk grid. */
  private readonly dims: number[]
  private readonly chunks: number[]
  /** The copy's descriptor and the store's keys, released when the last fill in flight after close ends. */
  private readonly guard = new FillGuard(() => this.release(), 'array')
  /** Chunk files the addon reads, decodes and writes in one call (zarr-chunk-file.ts), or null: the JS path. */
  private readonly direct: { keys: FolderKeys; codec: FileCodec } | null

  private constructor(
    private readonly spec: ZarrSpec,
    private readonly dst: number,
    private readonly budget: TempBudget
  ) {
    const scalar = spec.array.shape.length === 0
    const shape = (this.dims = scalar ? [1] : spec.array.shape)
    const chunks = (this.chunks = scalar ? [1] : (spec.shard?.step.chunks ?? spec.array.chunks))
    ;({ grid: this.grid, strides: this.strides } = gridOf(shape, chunks, spec.itemsize))
    this.full = chunks.reduce((a, b) => a * b, spec.itemsize)
    const codec = spec.keys instanceof FolderKeys && !spec.shard ? fileCodec(spec.array.steps) : null
    this.direct = codec ? { keys: spec.keys as FolderKeys, codec } : null
    this.list()
  }

  static open(spec: ZarrSpec): ZarrFiller {
    let dst = -1
    try {
      dst = fs.openSync(spec.copy, 'r+')
      return new ZarrFiller(spec, dst, new TempBudget(spec.name, spec.folder, spec.cap))
    } catch (e) {
      if (dst >= 0) fs.closeSync(dst)
      spec.keys.close()
      throw e
    }
  }

  /** The chunks the store has: its objects under the array's folder, as deep as a key has parts. */
  private list(): void {
    const a = this.spec.array
    const depth = (a.separator === '/' ? a.shape.length : 1) + (a.keyPrefix.endsWith('/') ? 1 : 0)
    const keys = this.spec.shard ? null : this.spec.keys.list(a.folder, depth)
    if (!keys) {
      this.present = null
      return
    }
    const re = this.keyPattern()
    for (const key of keys) {
      const coords = this.coordsOf(key, re)
      if (coords) this.present!.add(this.chunkIndex(coords))
    }
  }

  private keyPattern(): RegExp {
    const a = this.spec.array
    const nd = a.shape.length
    const sep = a.separator === '/' ? '\\/' : '\\.'
    const prefix = a.keyPrefix.replace('.', '\\.').replace('/', '\\/')
    return nd === 0
      ? new RegExp(`^${a.keyPrefix ? 'c' : '0'}$`)
      : new RegExp(`^${prefix}((?:0|[1-9]\\d*)(?:${sep}(?:0|[1-9]\\d*)){${nd - 1}})$`)
  }

  /** A key's grid coordinates, or null when it is no chunk of the grid. */
  private coordsOf(key: string, re: RegExp): number[] | null {
    const m = re.exec(key)
    if (!m) return null
    const coords = this.spec.array.shape.length === 0 ? [0] : m[1]!.split(this.spec.array.separator).map(Number)
    return coords.some((x, k) => x >= this.grid[k]!) ? null : coords
  }

  private chunkIndex(c: readonly number[]): number {
    let i = 0
    for (let k = 0; k < c.length; k++) i = i * this.grid[k]! + c[k]!
    return i
  }

  allocatedChunks(): Iterable<number> {
    return this.present ?? this.everyChunk()
  }

  private *everyChunk(): Iterable<number> {
    const n = this.grid.reduce((a, b) => a * b, 1)
    for (let i = 0; i < n; i++) yield i
  }

  private has(c: number[]): boolean {
    return this.present === null || this.present.has(this.chunkIndex(c))
  }

  close(): void {
    this.guard.close()
  }

  private release(): void {
    fs.closeSync(this.dst)
    this.spec.keys.close()
  }

  private check(): void {
    this.guard.check()
  }

  private keyOf(c: number[]): string {
    const key = chunkKey(this.spec.array, this.spec.array.shape.length ? c : [])
    return this.spec.array.folder ? `${this.spec.array.folder}/${key}` : key
  }

  /** A read's failure, naming the chunk (an ApiError of the store — refused, changed, cancelled — as it is). */
  private unreadable(key: string, e: unknown): unknown {
    if (e instanceof ApiError) return e
    if (e instanceof ChunkDamage) return this.damaged(key, e.message)
    if (e instanceof CodecError) return this.undecodable(key, e)
    if (e instanceof ReadFailure) return this.damaged(key, `cannot be read (${e.message})`)
    return this.damaged(key, `cannot be read (${(e as Error).message})`)
  }

  private damaged(key: string, why: string): ApiError {
    return new ApiError(
      'io',
      `${this.spec.dir}: the chunk ${key} of '${this.spec.name}' ${why}: re-write it, or copy what is readable with zarr-python`
    )
  }

  /** The codecs of a chunk of the grid: the array's, or a shard's inner chunks'. */
  private steps(): ZarrStep[] {
    return this.spec.shard?.step.steps ?? this.spec.array.steps
  }

  private shape(): ChunkShape {
    const a = this.spec.array
    return { shape: this.chunks, itemsize: this.spec.itemsize, ...(a.fill ? { fill: a.fill } : {}) }
  }

  /** A codec's complaint about the chunk's bytes, naming the chunk's key. */
  private undecodable(key: string, e: unknown): unknown {
    return e instanceof CodecError ? this.damaged(key, e.message.replace(/^it /, '')) : e
  }

  private fillChunk(): Uint8Array | null {
    const f = this.spec.array.fill
    return f ? Buffer.alloc(this.full, Buffer.from(f)) : null
  }

  /** background: a fill's chunk, on the addon's own threads when the addon decodes it (chunk-filler.ts). */
  async fill(c: number[], background = false): Promise<number> {
    return this.guard.run(() => this.fillNow(c, background))
  }

  private async fillNow(c: number[], background: boolean): Promise<number> {
    if (!this.has(c)) return this.put(c, this.fillChunk())
    if (this.direct) return this.fillDirect(c, this.direct, background)
    const { shard } = this.spec
    const key = shard ? shard.where(c) : this.keyOf(c)
    let raw: Uint8Array | null
    try {
      raw = shard ? await shard.read(c) : await this.spec.keys.read(key)
    } catch (e) {
      throw this.unreadable(key, e)
    }
    this.check()
    if (!raw) return this.put(c, this.fillChunk())
    zarrStats.reads++
    let bytes: Uint8Array
    try {
      bytes = await runAsync(decodeChunk(this.steps(), raw, this.shape()))
    } catch (e) {
      throw this.undecodable(key, e)
    }
    this.check()
    return this.putAsync(c, bytes)
  }

  /**
   * A chunk file through the addon: read, decoded and written on libuv's pool. What it wrote is counted against
   * the copy's budget afterwards (all-zero rows are not written, so the bytes are known only then): a budget
   * passes its cap by at most the chunks in flight.
   */
  private async fillDirect(
    c: number[],
    d: { keys: FolderKeys; codec: FileCodec },
    background: boolean
  ): Promise<number> {
    const key = this.keyOf(c)
    let written: number
    try {
      const file = d.keys.pathOf(key)
      zarrStats.reads++
      zarrStats.direct++
      if (background) zarrStats.background++
      written = await fillChunkFile(file, this.dst, d.codec, this.full, this.runs(c), background)
    } catch (e) {
      throw this.unreadable(key, e)
    }
    this.budget.take(written)
    return written
  }

  private fillDirectSync(c: number[], d: { keys: FolderKeys; codec: FileCodec }): number {
    const key = this.keyOf(c)
    let written: number
    try {
      const file = d.keys.pathOf(key)
      zarrStats.reads++
      zarrStats.direct++
      written = fillChunkFileSync(file, this.dst, d.codec, this.full, this.runs(c))
    } catch (e) {
      throw this.unreadable(key, e)
    }
    this.budget.take(written)
    return written
  }

  private runs(c: number[]): number[] {
    return chunkRuns(c, this.dims, this.chunks, this.spec.itemsize, this.strides)
  }

  fillSync(c: number[]): number {
    this.check()
    if (!this.has(c)) return this.put(c, this.fillChunk())
    if (this.direct) return this.fillDirectSync(c, this.direct)
    const { shard } = this.spec
    const key = shard ? shard.where(c) : this.keyOf(c)
    let raw: Uint8Array | null
    try {
      raw = shard ? shard.readSync(c) : this.spec.keys.readSync(key)
    } catch (e) {
      throw this.unreadable(key, e)
    }
    if (!raw) return this.put(c, this.fillChunk())
    zarrStats.reads++
    let bytes: Uint8Array
    try {
      bytes = runSync(decodeChunk(this.steps(), raw, this.shape()))
    } catch (e) {
      throw this.undecodable(key, e)
    }
    return this.put(c, bytes)
  }

  private pieces(c: number[], bytes: Uint8Array | null): [number, Uint8Array][] {
    if (!bytes) return []
    return chunkPieces(c, bytes, this.dims, this.chunks, this.spec.itemsize, this.strides)
  }

  private put(c: number[], bytes: Uint8Array | null): number {
    return writePieces(this.dst, this.budget, this.pieces(c, bytes))
  }

  private putAsync(c: number[], bytes: Uint8Array): Promise<number> {
    return writePiecesAsync(this.dst, this.budget, this.pieces(c, bytes))
  }
}
