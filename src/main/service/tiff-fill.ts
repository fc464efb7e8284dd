// The strips or tiles of a TIFF series decoded into the chunk grid's temporary copy (hdf5-chunked.ts's
// ChunkedDataset does the bookkeeping: which chunks a window or a scan needs, how many in flight). A chunk is read
// from the file (fs on libuv's pool), inflated by libdeflate (chunk-decode.ts, on the pool too; Node's zlib for a stream
// cut short) or decoded by tiff-decode.ts (LZW, PackBits) or zstd-napi (codecs/zstd.ts), its predictor undone, padded to a whole chunk (the last strip of a page is shorter), and its rows
// written at their place. A strip or tile with no bytes (GDAL's sparse files) is zeros: a hole of the copy.
import fs from 'node:fs'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { TiffChunks } from '../../shared/containers/tiff-chunks'
import { ApiError } from '../../shared/contract'
import {
  FillGuard,
  readStored,
  readStoredSync,
  withDescriptors,
  type ChunkFiller,
  type RemoteBytes
} from './chunk-filler'
import { chunkPieces } from './hdf5-native-fill'
import { TempBudget } from './temp-budget'
import { writePieces, writePiecesAsync, gridOf } from './copy-writer'
import { lzwDecode, packbitsDecode, undoPredictor } from './tiff-decode'
import { ChunkDecodeError, decodeChunk, decodeChunkSync, type ChunkStep } from './chunk-decode'
import { zstdInto } from './codecs/zstd'

const inflateAsync = promisify(zlib.inflate)
/** Deflate strips and tiles: libdeflate first (chunk-decode.ts), 3× zlib's speed. */
const INFLATE: ChunkStep[] = [{ op: 'inflate', wrap: 'zlib' }]

/** Strips and tiles decoded in this process (tests prove what was read). */
export const tiffStats = { chunks: 0 }

export interface TiffSpec {
  /** The file, or a remote object's sparse copy (then `remote` fetches what a tile reads first). */
  file: string
  remote?: RemoteBytes
  name: string
  tiff: TiffChunks
  copy: string
  folder: string
  cap: number
}

export class TiffFiller implements ChunkFiller {
  private readonly grid: number[]
  private readonly strides: number[]
  private readonly full: number
  /** The descriptors, released when the last fill in flight after close ends. */
  private readonly guard = new FillGuard(() => this.release(), 'array')

  private constructor(
    private readonly spec: TiffSpec,
    private readonly src: number,
    private readonly dst: number,
    private readonly budget: TempBudget
  ) {
    const { dims, chunks, itemsize } = spec.tiff
    ;({ grid: this.grid, strides: this.strides } = gridOf(dims, chunks, itemsize))
    this.full = chunks.reduce((a, b) => a * b, itemsize)
    const n = this.grid.reduce((a, b) => a * b, 1)
    if (n !== spec.tiff.offsets.length) {
      throw new ApiError('layout', `'${spec.name}': ${spec.tiff.offsets.length} strips or tiles for a grid of ${n}`)
    }
  }

  static open(spec: TiffSpec): TiffFiller {
    return withDescriptors(
      spec.file,
      spec.copy,
      (src, dst) => new TiffFiller(spec, src, dst, new TempBudget(spec.name, spec.folder, spec.cap))
    )
  }

  private index(c: readonly number[]): number {
    let i = 0
    for (let k = 0; k < c.length; k++) i = i * this.grid[k]! + c[k]!
    return i
  }

  *allocatedChunks(): Iterable<number> {
    const counts = this.spec.tiff.counts
    for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) yield i
  }

  close(): void {
    this.guard.close()
  }

  private release(): void {
    fs.closeSync(this.src)
    fs.closeSync(this.dst)
  }

  private check(): void {
    this.guard.check()
  }

  /** Tile or strip i's stored bytes end with the file. */
  private short(i: number, got: number): ApiError {
    return this.damaged(i, `is cut short by the end of the file (${got} bytes)`)
  }

  private damaged(i: number, why: string): ApiError {
    const t = this.spec.tiff
    return new ApiError(
      'io',
      `${this.spec.file}: the ${t.codec === 'none' ? '' : `${t.codec}-compressed `}strip or tile ${i} of '${this.spec.name}' (at byte ${t.offsets[i]}, ${t.counts[i]} bytes) ${why}: tifffile cannot read it either; copy what is readable`
    )
  }

  /** The chunk's values from its stored bytes: decoded, padded to a whole chunk, predictor undone. */
  private decode(i: number, raw: Uint8Array, inflated?: Uint8Array): Uint8Array {
    const t = this.spec.tiff
    const out = new Uint8Array(this.full)
    let n: number
    try {
      if (inflated) {
        n = Math.min(inflated.length, this.full)
        out.set(inflated.subarray(0, n))
      } else if (t.compression === 5) n = lzwDecode(raw, out)
      else if (t.compression === 32773) n = packbitsDecode(raw, out)
      else if (t.compression === 50000) n = zstdInto(raw, out)
      else {
        n = Math.min(raw.length, this.full)
        out.set(raw.subarray(0, n))
      }
    } catch (e) {
      throw this.damaged(i, `does not decode (${(e as Error).message})`)
    }
    if (t.predictor !== 1) {
      const rowBytes = t.width * t.samples * t.itemsize
      undoPredictor(out, Math.floor(n / rowBytes), t)
    }
    return out
  }

  /**
   * A stream libdeflate refuses whole (cut short, or padding after it) inflated again by zlib, which keeps what
   * came out before the damage, as tifffile's zlib does.
   */
  private async tolerant(i: number, raw: Uint8Array): Promise<Uint8Array> {
    try {
      return await inflateAsync(raw, this.zlibOptions())
    } catch (e) {
      throw this.damaged(i, `does not inflate (${(e as Error).message})`)
    }
  }

  private zlibOptions(): zlib.ZlibOptions {
    // a stream may end short (the last strip) or carry padding: take at most a chunk, keep what came out
    return {
      chunkSize: Math.max(64, Math.min(this.full + 64, 1 << 20)),
      maxOutputLength: this.full + 64,
      finishFlush: zlib.constants.Z_SYNC_FLUSH
    }
  }

  private coords(c: number[]): number {
    this.check()
    const i = this.index(c)
    tiffStats.chunks++
    return i
  }

  async fill(c: number[]): Promise<number> {
    const i = this.coords(c)
    const t = this.spec.tiff
    if (!(t.counts[i]! > 0)) return 0
    return this.guard.run(async () => {
      const raw = await readStored(this.src, t.offsets[i]!, t.counts[i]!, this.spec.remote, (got) => this.short(i, got))
      let inflated: Uint8Array | undefined
      if (t.compression === 8 || t.compression === 32946) {
        const out = Buffer.allocUnsafe(this.full + 64)
        try {
          inflated = out.subarray(0, await decodeChunk(raw, out, INFLATE))
        } catch (e) {
          if (!(e instanceof ChunkDecodeError) || e.code !== 'BAD_DATA')
            throw this.damaged(i, `does not inflate (${(e as Error).message})`)
          inflated = await this.tolerant(i, raw)
        }
      }
      this.check()
      return await this.putAsync(c, this.decode(i, raw, inflated))
    })
  }

  fillSync(c: number[]): number {
    const i = this.coords(c)
    const t = this.spec.tiff
    if (!(t.counts[i]! > 0)) return 0
    const raw = readStoredSync(this.src, t.offsets[i]!, t.counts[i]!, this.spec.remote, (got) => this.short(i, got))
    let inflated: Uint8Array | undefined
    if (t.compression === 8 || t.compression === 32946) {
      const out = Buffer.allocUnsafe(this.full + 64)
      try {
        inflated = out.subarray(0, decodeChunkSync(raw, out, INFLATE))
      } catch (e) {
        if (!(e instanceof ChunkDecodeError) || e.code !== 'BAD_DATA')
          throw this.damaged(i, `does not inflate (${(e as Error).message})`)
        try {
          inflated = zlib.inflateSync(raw, this.zlibOptions())
        } catch (z) {
          throw this.damaged(i, `does not inflate (${(z as Error).message})`)
        }
      }
    }
    return this.put(c, this.decode(i, raw, inflated))
  }

  private pieces(c: number[], bytes: Uint8Array): [number, Uint8Array][] {
    const t = this.spec.tiff
    return chunkPieces(c, bytes, t.dims, t.chunks, t.itemsize, this.strides)
  }

  private put(c: number[], bytes: Uint8Array): number {
    return writePieces(this.dst, this.budget, this.pieces(c, bytes))
  }

  private putAsync(c: number[], bytes: Uint8Array): Promise<number> {
    return writePiecesAsync(this.dst, this.budget, this.pieces(c, bytes))
  }
}
