// A remote object (http, https, s3) read into a sparse temporary copy of itself, a block at a time where something
// reads: a table window fetches the one or two blocks it shows; a scan, an export or a diff first fills the
// blocks its view touches — runs of missing blocks coalesced into requests of up to MAX_REQUEST, IN_FLIGHT of them
// at once, with progress and cancel — and then runs natively on the copy's mapping like on any file. The copy is
// the object byte for byte, so offsets, layouts and container entries mean what they mean for a local file.
// Blocks fetched stay on disk (the page cache keeps what memory allows), bounded by ARRAYSCOPE_TEMP_MAX.
import fs from 'node:fs'
import pathModule from 'node:path'
import { promisify } from 'node:util'
import { ApiError } from '../../shared/contract'
import type { ByteSource } from './dequant-source'
import { native, type Mapping, type ScanHandle, type Window2D } from './native'
import { readHead, readRange, readRangeInto } from './remote-fetch'
import { fetchIntoCopySync } from './remote-worker-client'
import { underPrefix } from './remote-url'
import { BlockCache, remoteCacheDir } from './remote-cache'
import { TempBudget, tempCap } from './temp-budget'
import { removeTemp, tempFolder } from './temp-files'

const writeAt = promisify(fs.write)

/** The unit of what is fetched and tracked: a window's read costs at most a couple of these. */
export const BLOCK = 1 << 20
/** The largest request a scan sends (runs of missing blocks are coalesced up to this). */
const MAX_REQUEST = 8 << 20
/** Requests in flight at once: enough to fill a fast link whose latency is tens of milliseconds. */
const IN_FLIGHT = 6

export interface RemoteOptions {
  /** Serve mode's --remote prefixes (redirects followed only inside them); null: any. */
  prefixes: string[] | null
}

export class RemoteStore {
  /** The copy, mapped read-only (sessions and native passes read it). */
  readonly mapping: Mapping
  private readonly filled: Uint8Array
  private readonly inflight = new Map<number, Promise<void>>()
  private readonly fd: number
  private readonly budget: TempBudget
  private closed = false
  /** Writes of fetched runs under way (close lets the descriptor go after them). */
  private writing = 0
  /** Set once a read found the object replaced: every later read says so. */
  changed = false

  private constructor(
    readonly url: string,
    readonly size: number,
    readonly validator: string | null,
    readonly file: string,
    private readonly options: RemoteOptions,
    /** The disk cache's blocks of this version of the object (remote-cache.ts), or null: none. */
    private readonly cache: BlockCache | null = null
  ) {
    this.filled = new Uint8Array(Math.ceil(size / BLOCK))
    this.fd = fs.openSync(file, 'r+')
    this.mapping = new (native().Mapping)(file, 'r')
    this.mapping.advise('random')
    this.budget = new TempBudget(url, pathModule.dirname(pathModule.dirname(file)), tempCap())
  }

  /** Opens an object: one request reads its first block and tells its size and validator. */
  static async open(url: string, options: RemoteOptions): Promise<RemoteStore> {
    const allows = options.prefixes ? (u: string) => underPrefix(u, options.prefixes!) : undefined
    const head = await readHead(url, BLOCK, allows ? { allows } : {})
    const cacheDir = remoteCacheDir()
    const cache = cacheDir ? BlockCache.open(cacheDir, url, head.size, head.validator, BLOCK) : null
    const dir = tempFolder('arrayscope-remote-')
    const file = pathModule.join(dir, 'object.bin')
    try {
      const fd = fs.openSync(file, 'w+', 0o600)
      try {
        fs.ftruncateSync(fd, head.size)
      } finally {
        fs.closeSync(fd)
      }
      const store = new RemoteStore(url, head.size, head.validator, file, options, cache)
      try {
        store.write(0, head.head)
      } catch (e) {
        store.close()
        throw e
      }
      return store
    } catch (e) {
      removeTemp(file)
      throw e
    }
  }

  private allows(): { allows?: (u: string) => boolean } {
    const p = this.options.prefixes
    return p ? { allows: (u) => underPrefix(u, p) } : {}
  }

  /** Writes fetched bytes at their place and marks the blocks they complete (kept in the disk cache too). */
  private write(offset: number, bytes: Uint8Array, cached = false): void {
    this.budget.take(bytes.length)
    for (let done = 0; done < bytes.length; ) {
      done += fs.writeSync(this.fd, bytes, done, bytes.length - done, offset + done)
    }
    this.mark(offset, offset + bytes.length)
    if (!cached) this.cache?.putRange(offset, bytes)
  }

  /**
   * The same off the main thread (libuv's pool), which meanwhile receives the next ranges: a synchronous write
   * of each 8 MiB run kept receiving and writing in turn there (a fill of 1 GiB over loopback: ~3× curl).
   */
  private async writeAsync(offset: number, bytes: Uint8Array): Promise<void> {
    this.budget.take(bytes.length)
    this.writing++
    try {
      for (let done = 0; done < bytes.length && !this.closed; ) {
        done += (await writeAt(this.fd, bytes, done, bytes.length - done, offset + done)).bytesWritten
      }
      if (this.closed) return
      this.mark(offset, offset + bytes.length)
      this.cache?.putRange(offset, bytes)
    } finally {
      // closed meanwhile: the descriptor is let go only now (its number could be another file's after)
      if (--this.writing === 0 && this.closed) this.release()
    }
  }

  /** Copies the blocks the disk cache holds of those missing into the copy (before any request for them). */
  private fromCache(blocks: number[]): void {
    if (!this.cache) return
    for (const b of blocks) {
      if (this.filled[b] || this.inflight.has(b)) continue
      const bytes = this.cache.get(b)
      if (bytes) this.write(b * BLOCK, bytes, true)
    }
  }

  /** The same without blocking the thread, each block counted as fetched (a pass's progress, Cancel). */
  private async fromCacheAsync(
    blocks: number[],
    opts: { signal?: AbortSignal; onBytes?: (n: number) => void }
  ): Promise<void> {
    if (!this.cache) return
    for (const b of blocks) {
      if (this.filled[b] || this.inflight.has(b)) continue
      if (opts.signal?.aborted) throw new ApiError('cancelled', `reading ${this.url} was cancelled`)
      const bytes = await this.cache.getAsync(b)
      if (!bytes || this.closed || this.filled[b]) continue
      this.write(b * BLOCK, bytes, true)
      opts.onBytes?.(bytes.length)
    }
  }

  private mark(first: number, end: number): void {
    const b0 = Math.floor(first / BLOCK)
    const b1 = Math.ceil(end / BLOCK)
    for (let b = b0; b < b1; b++) {
      // a block is whole when its bytes up to the block's (or the object's) end are there
      if (b * BLOCK >= first && Math.min(this.size, (b + 1) * BLOCK) <= end) this.filled[b] = 1
    }
  }

  private check(): void {
    if (this.closed) throw new ApiError('closed', `${this.url} was closed`)
    if (this.changed) {
      throw new ApiError(
        'changed',
        `${this.url} changed on the server since it was opened: open it again to see the new version`
      )
    }
  }

  /** The blocks byte ranges [first, end) touch, ascending, each once. */
  private blocksOf(ranges: readonly (readonly [number, number])[]): number[] {
    const set = new Set<number>()
    for (const [first, end] of ranges) {
      const b1 = Math.ceil(Math.min(end, this.size) / BLOCK)
      for (let b = Math.floor(Math.max(0, first) / BLOCK); b < b1; b++) set.add(b)
    }
    return [...set].sort((a, b) => a - b)
  }

  /** Runs [firstBlock, endBlock) of blocks to fetch (consecutive, at most `most` bytes each). */
  private runsOf(blocks: number[], fetch: (b: number) => boolean, most: number): [number, number][] {
    const per = Math.max(1, Math.floor(most / BLOCK))
    const runs: [number, number][] = []
    for (const b of blocks) {
      if (!fetch(b)) continue
      const last = runs.at(-1)
      if (last && last[1] === b && b - last[0] < per) last[1] = b + 1
      else runs.push([b, b + 1])
    }
    return runs
  }

  /** Whether the copy could take n more bytes (ARRAYSCOPE_TEMP_MAX, the disk's room). */
  canHold(n: number): boolean {
    return this.budget.fits(n)
  }

  /** Bytes of the copy a range still lacks (for progress). */
  missingBytes(first: number, end: number): number {
    let n = 0
    for (const b of this.blocksOf([[first, end]])) {
      if (!this.filled[b]) n += Math.min(this.size, (b + 1) * BLOCK) - b * BLOCK
    }
    return n
  }

  private fetchRun([b0, b1]: [number, number], signal?: AbortSignal): Promise<void> {
    const offset = b0 * BLOCK
    const length = Math.min(this.size, b1 * BLOCK) - offset
    const p = readRange(this.url, this.validator, offset, length, { ...this.allows(), ...(signal ? { signal } : {}) })
      .then((bytes) => (this.closed ? undefined : this.writeAsync(offset, bytes)))
      .catch((e: unknown) => {
        if ((e as ApiError).code === 'changed') this.changed = true
        throw e
      })
      .finally(() => {
        for (let b = b0; b < b1; b++) if (this.inflight.get(b) === p) this.inflight.delete(b)
      })
    for (let b = b0; b < b1; b++) this.inflight.set(b, p)
    return p
  }

  /**
   * Reads [offset, offset + length) of the object past the copy (a streamed scan, remote-scan.ts) into target
   * (length bytes, JS memory the scan kernels read: scanBytes), nothing written to the copy.
   */
  async readInto(offset: number, length: number, target: Uint8Array, signal?: AbortSignal): Promise<void> {
    this.check()
    try {
      await readRangeInto(this.url, this.validator, offset, length, target, {
        ...this.allows(),
        ...(signal ? { signal } : {})
      })
    } catch (e) {
      if ((e as ApiError).code === 'changed') this.changed = true
      throw e
    }
  }

  /** Fills [first, end) of the copy (see fillRanges). */
  fillRange(
    first: number,
    end: number,
    opts: { signal?: AbortSignal; most?: number; onBytes?: (n: number) => void } = {}
  ): Promise<void> {
    return this.fillRanges([[first, end]], opts)
  }

  /**
   * Fills byte ranges of the copy: runs of missing blocks of up to `most` bytes, IN_FLIGHT requests at once;
   * reads already under way (a window's, another scan's) are awaited, not repeated.
   */
  async fillRanges(
    ranges: readonly (readonly [number, number])[],
    opts: { signal?: AbortSignal; most?: number; onBytes?: (n: number) => void } = {}
  ): Promise<void> {
    this.check()
    const blocks = this.blocksOf(ranges)
    await this.fromCacheAsync(blocks, opts)
    this.check()
    const waiting = new Set<Promise<void>>()
    for (const b of blocks) {
      const p = this.inflight.get(b)
      if (p) waiting.add(p)
    }
    const runs = this.runsOf(blocks, (b) => !this.filled[b] && !this.inflight.has(b), opts.most ?? MAX_REQUEST)
    // every run is registered in flight before the first await: a concurrent fill waits for it instead
    let next = 0
    const lane = async (): Promise<void> => {
      while (next < runs.length) {
        const run = runs[next++]!
        if (opts.signal?.aborted) throw new ApiError('cancelled', `reading ${this.url} was cancelled`)
        await this.fetchRun(run, opts.signal)
        opts.onBytes?.(Math.min(this.size, run[1] * BLOCK) - run[0] * BLOCK)
      }
    }
    await Promise.all([
      ...Array.from({ length: Math.min(IN_FLIGHT, runs.length) }, lane),
      ...[...waiting].map((p) => p.catch(() => undefined))
    ])
    this.check()
    // a read awaited above that failed leaves its blocks missing: fetched here rather than reported filled
    if (blocks.some((b) => !this.filled[b])) await this.fillRanges(ranges, opts)
  }

  /** Fills byte ranges now, blocking this thread (a worker fetches) for callers that cannot await. */
  ensureRanges(ranges: readonly (readonly [number, number])[]): void {
    this.check()
    // blocks another read is fetching asynchronously are fetched again here: this thread cannot wait for it
    const blocks = this.blocksOf(ranges)
    this.fromCache(blocks)
    const runs = this.runsOf(blocks, (b) => !this.filled[b], 64 << 20)
    if (!runs.length) return
    const spans = runs.map(([b0, b1]): [number, number] => [b0 * BLOCK, Math.min(this.size, b1 * BLOCK) - b0 * BLOCK])
    this.budget.take(spans.reduce((a, [, n]) => a + n, 0))
    try {
      fetchIntoCopySync({
        url: this.url,
        validator: this.validator,
        fd: this.fd,
        ranges: spans,
        prefixes: this.options.prefixes
      })
    } catch (e) {
      if ((e as ApiError).code === 'changed') this.changed = true
      throw e
    }
    for (const [o, n] of spans) {
      this.mark(o, o + n)
      // the worker wrote into the copy: its blocks are read back from there into the disk cache
      if (this.cache) {
        const bytes = new Uint8Array(n)
        this.mapping.read(o, bytes)
        this.cache.putRange(o, bytes)
      }
    }
  }

  /**
   * Fetches byte ranges of the object into another file's descriptor now, blocking this thread (a private copy
   * of an export: remote-export.ts); nothing goes into this copy.
   */
  fetchIntoSync(fd: number, ranges: [number, number][]): void {
    this.check()
    try {
      fetchIntoCopySync({ url: this.url, validator: this.validator, fd, ranges, prefixes: this.options.prefixes })
    } catch (e) {
      if ((e as ApiError).code === 'changed') this.changed = true
      throw e
    }
  }

  ensureRange(first: number, end: number): void {
    this.ensureRanges([[first, end]])
  }

  /** Asks the server whether the object still has the size and validator it was opened with. */
  async stillCurrent(): Promise<boolean> {
    const head = await readHead(this.url, 1, { ...this.allows(), headersOnly: true })
    return head.validator === this.validator && head.size === this.size
  }

  /** Whether every byte of [first, end) is in the copy. */
  has(first: number, end: number): boolean {
    return this.blocksOf([[first, end]]).every((b) => this.filled[b])
  }

  /** Reads bytes of the object, fetching what the copy lacks first (synchronously). */
  readSync(offset: number, length: number): Uint8Array {
    const n = Math.max(0, Math.min(length, this.size - offset))
    const out = new Uint8Array(n)
    if (!n) return out
    this.ensureRange(offset, offset + n)
    this.mapping.read(offset, out)
    return out
  }

  /**
   * A pass's fill of [first, end): progress in bytes, cancel through an AbortController. onReady hears, as runs
   * land, the offset below which every byte of the range is in the copy (a pass streaming beside it).
   */
  fill(
    first: number,
    end: number,
    onProgress?: (done: number, total: number) => void,
    onReady?: (bytes: number) => void
  ): ScanHandle<void> {
    const abort = new AbortController()
    const total = this.missingBytes(first, end)
    let done = 0
    let last = 0
    let block = Math.floor(first / BLOCK)
    const endBlock = Math.ceil(end / BLOCK)
    const ready = (): void => {
      while (block < endBlock && this.filled[block]) block++
      onReady?.(block >= endBlock ? Infinity : Math.max(first, block * BLOCK))
    }
    if (onReady) ready()
    const promise = this.fillRange(first, end, {
      signal: abort.signal,
      onBytes: (n) => {
        done += n
        if (onReady) ready()
        if (Date.now() - last > 50 || done === total) {
          last = Date.now()
          onProgress?.(done, total)
        }
      }
    })
    return { promise, cancel: () => abort.abort() }
  }

  /** What a session reads: the copy's mapping, filled first where a synchronous reader looks. */
  source(mapping: Mapping): ByteSource {
    return {
      gather: (w, target) => {
        this.ensureRanges(windowRanges(w))
        mapping.gather(w, target)
      },
      read: (offset, target) => {
        this.ensureRange(offset, offset + target.length)
        return mapping.read(offset, target)
      }
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.mapping.close()
    if (this.writing === 0) this.release()
  }

  private release(): void {
    fs.closeSync(this.fd)
    removeTemp(this.file)
  }
}

/**
 * The byte ranges a 2-D window reads: one per row (a window of a wide array fetches the blocks of its rows, not
 * everything between them); a window of very many rows, its whole span.
 */
export function windowRanges(w: Window2D): [number, number][] {
  if (w.rows <= 0 || w.cols <= 0) return []
  const base = Number(w.base)
  const rs = Number(w.rowStride)
  const cs = Number(w.colStride)
  const rowLo = Math.min(0, (w.cols - 1) * cs)
  const rowHi = Math.max(0, (w.cols - 1) * cs) + w.itemsize
  if (w.rows > 4096) {
    const a = base + Math.min(0, (w.rows - 1) * rs) + rowLo
    const b = base + Math.max(0, (w.rows - 1) * rs) + rowHi
    return [[a, b]]
  }
  const out: [number, number][] = []
  for (let r = 0; r < w.rows; r++) out.push([base + r * rs + rowLo, base + r * rs + rowHi])
  return out
}
