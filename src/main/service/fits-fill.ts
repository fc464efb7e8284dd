// The tiles of a FITS tile-compressed image decoded into the chunk grid's temporary copy (hdf5-chunked.ts's
// ChunkedDataset does the bookkeeping, as for TIFF's strips: tiff-fill.ts). A tile is read from the file's heap,
// gunzipped through the codec layer (libdeflate on libuv's pool), or Rice / PLIO decoded here (fits-decode.ts),
// quantized floats turned into their values, and written big-endian (FITS's order, the entry's dtype) at its
// place. An edge tile holds only the pixels inside the image: it is padded to a whole chunk before writing.
import fs from 'node:fs'
import type { FitsTiles } from '../../shared/containers/fits-tile-layout'
import { ApiError } from '../../shared/contract'
import {
  FillGuard,
  readStored,
  readStoredSync,
  withDescriptors,
  type ChunkFiller,
  type RemoteBytes
} from './chunk-filler'
import { ChunkDecodeError, decodeChunk, decodeChunkSync, type ChunkStep } from './chunk-decode'
import { dequantize, plioDecode, riceDecode, unshuffle } from './fits-decode'
import { hdecompress } from './fits-hcompress'
import { chunkPieces } from './hdf5-native-fill'
import { gridOf, writePieces } from './copy-writer'
import { TempBudget } from './temp-budget'

const GUNZIP: ChunkStep[] = [{ op: 'inflate', wrap: 'gzip' }]
/** Bytes an element of a heap column's type takes (UNCOMPRESSED_DATA's PB/PI/PJ/PK/PE/PD). */
const HEAP_WIDTH: Record<string, number> = { B: 1, I: 2, J: 4, K: 8, E: 4, D: 8 }

/** Big-endian numbers of `width` bytes: floats, or integers (one byte unsigned, wider signed) as numpy views them. */
function numbers(bytes: Uint8Array, width: number, float: boolean): Float64Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const n = bytes.length / width
  const out = new Float64Array(n)
  for (let k = 0; k < n; k++) {
    const at = k * width
    out[k] = float
      ? width === 4
        ? v.getFloat32(at)
        : v.getFloat64(at)
      : width === 1
        ? v.getUint8(at)
        : width === 2
          ? v.getInt16(at)
          : width === 4
            ? v.getInt32(at)
            : Number(v.getBigInt64(at))
  }
  return out
}

/** Tiles decoded in this process (tests prove what was read). */
export const fitsStats = { tiles: 0 }

export interface FitsSpec {
  /** The file, or a remote object's sparse copy (then `remote` fetches what a tile reads first). */
  file: string
  remote?: RemoteBytes
  name: string
  tiles: FitsTiles
  copy: string
  folder: string
  cap: number
}

export class FitsTileFiller implements ChunkFiller {
  private readonly grid: number[]
  private readonly strides: number[]
  private readonly itemsize: number
  /** The descriptors, released when the last fill in flight after close ends. */
  private readonly guard = new FillGuard(() => this.release(), 'array')

  private constructor(
    private readonly spec: FitsSpec,
    private readonly src: number,
    private readonly dst: number,
    private readonly budget: TempBudget
  ) {
    const { dims, chunks, zbitpix } = spec.tiles
    this.itemsize = Math.abs(zbitpix) / 8
    ;({ grid: this.grid, strides: this.strides } = gridOf(dims, chunks, this.itemsize))
  }

  static open(spec: FitsSpec): FitsTileFiller {
    return withDescriptors(
      spec.file,
      spec.copy,
      (src, dst) => new FitsTileFiller(spec, src, dst, new TempBudget(spec.name, spec.folder, spec.cap))
    )
  }

  *allocatedChunks(): Iterable<number> {
    // every tile is stored (a quantized zero tile is not a hole: its values are ZZERO's)
    for (let i = 0; i < this.spec.tiles.counts.length; i++) yield i
  }

  close(): void {
    this.guard.close()
  }

  private release(): void {
    fs.closeSync(this.src)
    fs.closeSync(this.dst)
  }

  private start(c: number[]): { i: number; count: number[]; npix: number } {
    this.guard.check()
    const { chunks, dims, counts } = this.spec.tiles
    let i = 0
    for (let k = 0; k < c.length; k++) i = i * this.grid[k]! + c[k]!
    fitsStats.tiles++
    const count = c.map((x, k) => Math.min(chunks[k]!, dims[k]! - x * chunks[k]!))
    if (!(counts[i]! > 0)) throw this.damaged(i, 'has no stored bytes')
    return { i, count, npix: count.reduce((a, b) => a * b, 1) }
  }

  /** Tile or strip i's stored bytes end with the file. */
  private short(i: number, got: number): ApiError {
    return this.damaged(i, `is cut short by the end of the file (${got} bytes)`)
  }

  private damaged(i: number, why: string): ApiError {
    const t = this.spec.tiles
    return new ApiError(
      'io',
      `${this.spec.file}: tile ${i} of '${this.spec.name}' (${t.codec}, at byte ${t.offsets[i]}, ${t.counts[i]} bytes) ${why}: the file is damaged there; the other tiles still read (show or export a --slice that leaves it out)`
    )
  }

  /** Whether the tile's bytes are a gzip stream (GZIP_1/2, or a tile the compressor stored gzipped raw). */
  private gzipped(i: number): boolean {
    const t = this.spec.tiles
    return t.stored[i] === 1 || (t.stored[i] === 0 && t.codec.startsWith('GZIP'))
  }

  private gunzipFailed(i: number, e: unknown): ApiError {
    if (e instanceof ChunkDecodeError && e.code === 'TOO_LARGE')
      return this.damaged(i, 'inflates to more than 8 bytes a pixel')
    return this.damaged(i, `does not gunzip (${(e as Error).message})`)
  }

  async fill(c: number[]): Promise<number> {
    const { i, count, npix } = this.start(c)
    const t = this.spec.tiles
    return this.guard.run(async () => {
      const raw = await readStored(this.src, t.offsets[i]!, t.counts[i]!, this.spec.remote, (got) => this.short(i, got))
      let bytes: Uint8Array = raw
      if (this.gzipped(i)) {
        // at most 8 bytes a pixel: the pixel width is what the stream inflates to
        const out = Buffer.allocUnsafe(npix * 8)
        try {
          bytes = out.subarray(0, await decodeChunk(raw, out, GUNZIP))
        } catch (e) {
          throw this.gunzipFailed(i, e)
        }
      }
      this.guard.check()
      return this.put(c, this.padded(this.values(i, bytes, npix), count))
    })
  }

  fillSync(c: number[]): number {
    const { i, count, npix } = this.start(c)
    const t = this.spec.tiles
    const raw = readStoredSync(this.src, t.offsets[i]!, t.counts[i]!, this.spec.remote, (got) => this.short(i, got))
    let bytes: Uint8Array = raw
    if (this.gzipped(i)) {
      const out = Buffer.allocUnsafe(npix * 8)
      try {
        bytes = out.subarray(0, decodeChunkSync(raw, out, GUNZIP))
      } catch (e) {
        throw this.gunzipFailed(i, e)
      }
    }
    return this.put(c, this.padded(this.values(i, bytes, npix), count))
  }

  /**
   * The tile's pixels, big-endian in the image's type, from its (inflated) stored bytes. As astropy reads them: a
   * gzipped or NOCOMPRESS tile's pixel width is its byte count over its pixels (floats when the image is float and
   * not quantized, or the tile is a lossless fallback), an UNCOMPRESSED_DATA tile has its column's type, and the
   * pixels are then cast to the image's type.
   */
  private values(i: number, bytes: Uint8Array, npix: number): Uint8Array {
    const t = this.spec.tiles
    const stored = t.stored[i]
    const quantized = t.quant !== undefined && stored === 0
    let ints: Float64Array | undefined
    let width = 0
    let float = false
    try {
      if (stored === 0 && t.codec === 'RICE_1') {
        // two's complement of BYTEPIX bytes (an 8-bit image wraps them back to unsigned)
        ints = riceDecode(bytes, npix, t.blocksize, t.bytepix)
      } else if (stored === 0 && t.codec === 'PLIO_1') ints = plioDecode(bytes, npix)
      else if (stored === 0 && t.codec === 'HCOMPRESS_1') ints = hdecompress(bytes, npix, t.smooth === true)
      else {
        const type = stored === 2 ? (t.rawType ?? 'B') : undefined
        width = type ? HEAP_WIDTH[type]! : bytes.length / npix
        float = type ? type === 'E' || type === 'D' : t.zbitpix < 0 && !quantized && width >= 4
        if (!Number.isInteger(width) || ![1, 2, 4, 8].includes(width) || bytes.length !== npix * width)
          throw new Error(`it holds ${bytes.length} bytes for ${npix} pixels`)
        if (stored === 0 && t.codec === 'GZIP_2') bytes = unshuffle(bytes, width)
      }
    } catch (e) {
      if (e instanceof ApiError) throw e
      throw this.damaged(i, `does not decode (${(e as Error).message})`)
    }
    if (!ints && !quantized && width === this.itemsize && float === t.zbitpix < 0) return bytes
    ints ??= numbers(bytes, width, float)
    if (quantized) {
      const floats = new Float64Array(npix)
      const q = t.quant!
      dequantize(ints, i, { ...q, scale: q.scale[i]!, zero: q.zero[i]!, blank: q.blank[i] ?? null }, floats)
      return this.encode(floats)
    }
    return this.encode(ints)
  }

  /** Numbers written big-endian as the image's type. */
  private encode(values: Float64Array): Uint8Array {
    const z = this.spec.tiles.zbitpix
    const out = new Uint8Array(values.length * this.itemsize)
    const v = new DataView(out.buffer)
    for (let k = 0; k < values.length; k++) {
      const x = values[k]!
      if (z === 8) v.setUint8(k, x)
      else if (z === 16) v.setInt16(k * 2, x)
      else if (z === 32) v.setInt32(k * 4, x)
      else if (z === 64) v.setBigInt64(k * 8, BigInt(Number.isFinite(x) ? Math.trunc(x) : 0))
      else if (z === -32) v.setFloat32(k * 4, x)
      else v.setFloat64(k * 8, x)
    }
    return out
  }

  /** An edge tile's pixels (C order over its own count) spread to a whole chunk's layout. */
  private padded(compact: Uint8Array, count: number[]): Uint8Array {
    const chunks = this.spec.tiles.chunks
    const nd = chunks.length
    if (nd === 0 || count.every((n, k) => n === chunks[k])) return compact
    const out = new Uint8Array(chunks.reduce((a, b) => a * b, this.itemsize))
    const run = count[nd - 1]! * this.itemsize
    const rows = compact.length / run
    const idx = new Array<number>(nd - 1).fill(0)
    for (let r = 0; r < rows; r++) {
      let d = 0
      let stride = chunks[nd - 1]! * this.itemsize
      for (let k = nd - 2; k >= 0; k--) {
        d += idx[k]! * stride
        stride *= chunks[k]!
      }
      out.set(compact.subarray(r * run, (r + 1) * run), d)
      for (let k = nd - 2; k >= 0; k--) {
        if (++idx[k]! < count[k]!) break
        idx[k] = 0
      }
    }
    return out
  }

  private put(c: number[], bytes: Uint8Array): number {
    const { dims, chunks } = this.spec.tiles
    return writePieces(this.dst, this.budget, chunkPieces(c, bytes, dims, chunks, this.itemsize, this.strides))
  }
}
