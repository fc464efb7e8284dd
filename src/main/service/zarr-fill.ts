// The chunks of a Zarr array decoded into the chunk grid's temporary copy (hdf5-chunked.ts's ChunkedDataset does
// the bookkeeping: which chunks a window or a scan needs, how many in flight). The array's chunk files are listed
// once when it opens (a readdir walk of its folder, no stat per chunk): a chunk with no file is the fill value
// without a read — a hole of the copy for a zero fill value. A chunk is read (fs on libuv's pool), its codecs
// undone by zarr-chain.ts (byte codecs off the event loop through the codec layer, codecs/), and its rows written
// at their place. Every key is digits and the separator under the array's folder, and every path is
// checked by the service's path policy before it is opened.
import fs from 'node:fs'
import pathModule from 'node:path'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import { ApiError } from '../../shared/contract'
import type { ZipMember } from '../../shared/containers/zip'
import { zipMembers } from '../../shared/containers/zarr-zip'
import { chunkKey, type ZarrArray } from '../../shared/containers/zarr-meta'
import type { ChunkFiller } from './chunk-filler'
import { CodecError, decode, decodeSync } from './codecs/registry'
import { chunkPieces } from './hdf5-native-fill'
import { TempBudget } from './temp-budget'
import { decodeChunk, runAsync, runSync, type ChunkShape } from './zarr-chain'
import { storePath } from './zarr-store'

const writeAsync = promisify(fs.write)
const readAsync = promisify(fs.read)

/** Chunk files read in this process (tests prove a missing chunk is not read). */
export const zarrStats = { reads: 0 }

export interface ZarrSpec {
  /** The store's folder and the array's name (for messages). */
  dir: string
  name: string
  array: ZarrArray
  itemsize: number
  allows: (p: string) => boolean
  copy: string
  folder: string
  cap: number
}

export class ZarrFiller implements ChunkFiller {
  private readonly grid: number[]
  private readonly strides: number[]
  private readonly full: number
  private readonly present = new Set<number>()
  /** The grid's dims and chunk dims: a 0-d array is one element in one chunk, [1] and [1], for the chunk grid. */
  private readonly dims: number[]
  private readonly chunks: number[]
  private closed = false
  /** A .zarr.zip store: the archive, open, and the array's chunk members by grid index. */
  private zip: { fd: number; chunks: Map<number, ZipMember> } | undefined

  private constructor(
    private readonly spec: ZarrSpec,
    private readonly dst: number,
    private readonly budget: TempBudget
  ) {
    const scalar = spec.array.shape.length === 0
    const shape = (this.dims = scalar ? [1] : spec.array.shape)
    const chunks = (this.chunks = scalar ? [1] : spec.array.chunks)
    this.grid = shape.map((d, k) => Math.ceil(d / chunks[k]!))
    this.strides = new Array<number>(shape.length)
    let s = spec.itemsize
    for (let k = shape.length - 1; k >= 0; k--) {
      this.strides[k] = s
      s *= shape[k]!
    }
    this.full = chunks.reduce((a, b) => a * b, spec.itemsize)
    if (fs.statSync(spec.dir).isFile()) this.listZip()
    else this.list()
  }

  static open(spec: ZarrSpec): ZarrFiller {
    const dst = fs.openSync(spec.copy, 'r+')
    try {
      return new ZarrFiller(spec, dst, new TempBudget(spec.name, spec.folder, spec.cap))
    } catch (e) {
      fs.closeSync(dst)
      throw e
    }
  }

  /** The chunk files there are: a walk of the array's folder, as deep as a key has parts. */
  private list(): void {
    const a = this.spec.array
    const nd = a.shape.length
    const re = this.keyPattern()
    const depth = (a.separator === '/' ? nd : 1) + (a.keyPrefix.endsWith('/') ? 1 : 0)
    const root = storePath(this.spec.dir, a.folder, this.spec.allows)
    const walk = (rel: string, level: number): void => {
      let items: fs.Dirent[]
      try {
        items = fs.readdirSync(rel ? pathModule.join(root, rel) : root, { withFileTypes: true })
      } catch {
        return
      }
      for (const d of items) {
        const key = rel ? `${rel}/${d.name}` : d.name
        if (d.isDirectory()) {
          if (level + 1 < depth) walk(key, level + 1)
          continue
        }
        const coords = this.coordsOf(key, re)
        if (coords) this.present.add(this.chunkIndex(coords))
      }
    }
    walk('', 0)
  }

  /** The chunk members of a .zarr.zip store: its central directory read once (no read per chunk). */
  private listZip(): void {
    const fd = fs.openSync(this.spec.dir, 'r')
    try {
      const size = fs.fstatSync(fd).size
      const read = (offset: number, length: number): Uint8Array => {
        const b = Buffer.alloc(Math.max(0, Math.min(length, size - offset)))
        const n = b.length ? fs.readSync(fd, b, 0, b.length, offset) : 0
        return b.subarray(0, n)
      }
      const prefix = this.spec.array.folder ? `${this.spec.array.folder}/` : ''
      const re = this.keyPattern()
      const chunks = new Map<number, ZipMember>()
      for (const [key, m] of zipMembers({ read, size })) {
        if (!key.startsWith(prefix)) continue
        const coords = this.coordsOf(key.slice(prefix.length), re)
        if (!coords) continue
        const i = this.chunkIndex(coords)
        this.present.add(i)
        chunks.set(i, m)
      }
      this.zip = { fd, chunks }
    } catch (e) {
      fs.closeSync(fd)
      throw e
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

  /** A zip member's stored bytes, inflated when deflated, its CRC-32 checked. */
  private async zipRead(key: string, m: ZipMember): Promise<Uint8Array> {
    const raw = Buffer.allocUnsafe(m.compressedSize)
    for (let done = 0; done < raw.length; ) {
      const { bytesRead } = await readAsync(this.zip!.fd, raw, done, raw.length - done, m.dataOffset + done)
      if (bytesRead === 0) throw this.damaged(key, 'ends early (the archive is truncated)')
      done += bytesRead
    }
    return this.zipCheck(key, m, m.method === 8 ? await this.inflateMember(key, m, raw) : raw)
  }

  private zipReadSync(key: string, m: ZipMember): Uint8Array {
    const raw = Buffer.allocUnsafe(m.compressedSize)
    for (let done = 0; done < raw.length; ) {
      const n = fs.readSync(this.zip!.fd, raw, done, raw.length - done, m.dataOffset + done)
      if (n === 0) throw this.damaged(key, 'ends early (the archive is truncated)')
      done += n
    }
    let bytes: Uint8Array = raw
    if (m.method === 8) {
      try {
        bytes = decodeSync('deflate', raw, m.uncompressedSize)
      } catch (e) {
        throw this.undecodable(key, e)
      }
    }
    return this.zipCheck(key, m, bytes)
  }

  private async inflateMember(key: string, m: ZipMember, raw: Uint8Array): Promise<Uint8Array> {
    try {
      return await decode('deflate', raw, m.uncompressedSize)
    } catch (e) {
      throw this.undecodable(key, e)
    }
  }

  private zipCheck(key: string, m: ZipMember, bytes: Uint8Array): Uint8Array {
    if (m.method !== 0 && m.method !== 8) {
      throw this.damaged(key, `is compressed with ZIP method ${m.method} (stored and deflate are read)`)
    }
    if (zlib.crc32(bytes) >>> 0 !== m.crc32 >>> 0) throw this.damaged(key, 'fails its ZIP CRC-32 check')
    return bytes
  }

  private chunkIndex(c: readonly number[]): number {
    let i = 0
    for (let k = 0; k < c.length; k++) i = i * this.grid[k]! + c[k]!
    return i
  }

  allocatedChunks(): Iterable<number> {
    return this.present
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    fs.closeSync(this.dst)
    if (this.zip) fs.closeSync(this.zip.fd)
  }

  private check(): void {
    if (this.closed) throw new ApiError('closed', 'the array was closed')
  }

  private where(c: number[]): { key: string; path: string } {
    const key = chunkKey(this.spec.array, this.spec.array.shape.length ? c : [])
    const full = this.spec.array.folder ? `${this.spec.array.folder}/${key}` : key
    return { key: full, path: storePath(this.spec.dir, full, this.spec.allows) }
  }

  private damaged(key: string, why: string): ApiError {
    return new ApiError(
      'io',
      `${this.spec.dir}: the chunk ${key} of '${this.spec.name}' ${why}: re-write it, or copy what is readable with zarr-python`
    )
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

  async fill(c: number[]): Promise<number> {
    this.check()
    if (!this.present.has(this.chunkIndex(c))) return this.put(c, this.fillChunk())
    const { key, path } = this.where(c)
    let raw: Uint8Array
    const member = this.zip?.chunks.get(this.chunkIndex(c))
    try {
      raw = member ? await this.zipRead(key, member) : await fs.promises.readFile(path)
    } catch (e) {
      if (e instanceof ApiError) throw e
      throw this.damaged(key, `cannot be read (${(e as Error).message})`)
    }
    zarrStats.reads++
    let bytes: Uint8Array
    try {
      bytes = await runAsync(decodeChunk(this.spec.array.steps, raw, this.shape()))
    } catch (e) {
      throw this.undecodable(key, e)
    }
    this.check()
    return this.putAsync(c, bytes)
  }

  fillSync(c: number[]): number {
    this.check()
    if (!this.present.has(this.chunkIndex(c))) return this.put(c, this.fillChunk())
    const { key, path } = this.where(c)
    let raw: Uint8Array
    const member = this.zip?.chunks.get(this.chunkIndex(c))
    try {
      raw = member ? this.zipReadSync(key, member) : fs.readFileSync(path)
    } catch (e) {
      if (e instanceof ApiError) throw e
      throw this.damaged(key, `cannot be read (${(e as Error).message})`)
    }
    zarrStats.reads++
    let bytes: Uint8Array
    try {
      bytes = runSync(decodeChunk(this.spec.array.steps, raw, this.shape()))
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
    const pieces = this.pieces(c, bytes)
    const total = pieces.reduce((a, [, p]) => a + p.length, 0)
    this.budget.take(total)
    for (const [off, p] of pieces) {
      for (let done = 0; done < p.length; ) done += fs.writeSync(this.dst, p, done, p.length - done, off + done)
    }
    return total
  }

  private async putAsync(c: number[], bytes: Uint8Array): Promise<number> {
    const pieces = this.pieces(c, bytes)
    const total = pieces.reduce((a, [, p]) => a + p.length, 0)
    this.budget.take(total)
    for (const [off, p] of pieces) {
      for (let done = 0; done < p.length; ) {
        done += (await writeAsync(this.dst, p, done, p.length - done, off + done)).bytesWritten
      }
    }
    return total
  }
}
