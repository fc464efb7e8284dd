// The HDF5 library's side of a chunked dataset, run in a worker thread (hdf5-worker.ts): opens the container
// with h5wasm, checks the path is the one the parser vetted (hdf5-vet.ts), and reads regions of the dataset into
// the temporary copy with pwrite on the copy's descriptor (the session's read-only mapping of the same file sees
// them through the page cache). A library call decompresses megabytes at once: off the main thread, the event
// loop keeps answering windows meanwhile.
import fs from 'node:fs'
import { ApiError } from '../../shared/contract'
import { libraryError } from './hdf5-errors'
import { vetLibraryPath, type H5Lookup } from './hdf5-vet'
import { TempBudget } from './temp-budget'

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

/** What the worker is started with (structured-clonable). */
export interface RegionSpec {
  container: string
  path: string
  dims: number[]
  chunks: number[]
  itemsize: number
  /** Byte ranges of an element to swap back to big-endian (the library hands uniformly big-endian types over as little-endian). */
  swapAtoms: [number, number][]
  /** The temporary copy (already its full size) and its folder. */
  copy: string
  folder: string
  /** allocated false: no chunk was ever written (the library is not asked); fill: non-zero fill bytes. */
  stored: { allocated?: boolean; fill?: number[] }
  /** Bytes the copy may take (ARRAYSCOPE_TEMP_MAX, read by the main thread when the dataset was opened). */
  cap: number
}

let loading: Promise<{ api: H5Api; module: H5Module }> | undefined

/** The h5wasm module, loaded once per thread (an ES module: imported dynamically from this CommonJS build). */
function h5wasm(): Promise<{ api: H5Api; module: H5Module }> {
  loading ??= (import('h5wasm/node') as unknown as Promise<H5Api>).then(async (api) => {
    const module = await api.ready
    // errors become exceptions carrying the library's error stack, instead of an HDF5-DIAG dump on stderr
    module.activate_throwing_error_handler?.()
    return { api, module }
  })
  return loading
}

export class RegionFiller {
  private readonly strides: number[]
  private closed = false

  private constructor(
    private readonly spec: RegionSpec,
    private readonly h5: { api: H5Api; module: H5Module } | null,
    private readonly h5file: { file_id: bigint; close(): void } | null,
    private readonly fd: number,
    private readonly budget: TempBudget
  ) {
    this.strides = new Array<number>(spec.dims.length)
    let s = spec.itemsize
    for (let k = spec.dims.length - 1; k >= 0; k--) {
      this.strides[k] = s
      s *= spec.dims[k]!
    }
  }

  static async open(spec: RegionSpec): Promise<RegionFiller> {
    const budget = new TempBudget(spec.path, spec.folder, spec.cap)
    let h5: Awaited<ReturnType<typeof h5wasm>>
    let f: { file_id: bigint; close(): void }
    try {
      h5 = await h5wasm()
      f = new h5.api.File(spec.container, 'r')
    } catch (e) {
      throw new ApiError('io', `the HDF5 library cannot open ${spec.container}: ${libraryError(e)}`)
    }
    try {
      vetLibraryPath(h5.module, f.file_id, spec.path, spec)
      const fd = fs.openSync(spec.copy, 'r+')
      return new RegionFiller(spec, h5, f, fd, budget)
    } catch (e) {
      f.close()
      throw e
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.h5file?.close()
    fs.closeSync(this.fd)
  }

  /** Reads the region [start, start + count) of the dataset into the copy; returns the bytes written. */
  fill(start: number[], count: number[]): number {
    if (this.closed) throw new ApiError('closed', 'the dataset was closed')
    const n = count.reduce((a, b) => a * b, this.spec.itemsize)
    if (n === 0) return 0
    if (this.spec.stored.allocated === false || !this.h5 || !this.h5file) {
      // every value is the fill value: no need to ask the library
      const fill = Buffer.from(this.spec.stored.fill ?? [])
      return this.write(start, count, Buffer.alloc(n, fill.length ? fill : 0))
    }
    const { module } = this.h5
    const ptr = module._malloc(n)
    if (!ptr) throw new ApiError('io', `the HDF5 library could not allocate ${n} bytes`)
    try {
      const status = module.get_dataset_data(
        this.h5file.file_id,
        this.spec.path,
        count.map(BigInt),
        start.map(BigInt),
        count.map(() => 1n),
        BigInt(ptr)
      )
      if (typeof status === 'number' && status < 0) throw new Error(`H5Dread returned ${status}`)
      const bytes = module.HEAPU8.subarray(ptr, ptr + n)
      if (this.spec.swapAtoms.length) swapInPlace(bytes, this.spec.itemsize, this.spec.swapAtoms)
      return this.write(start, count, bytes)
    } catch (e) {
      if (e instanceof ApiError) throw e
      throw new ApiError('io', `the HDF5 library failed reading ${this.spec.path}: ${libraryError(e)}`)
    } finally {
      module._free(ptr)
    }
  }

  /**
   * Writes a C-order region's bytes into the copy: its runs along the last axis, which are contiguous in the copy
   * too. All-zero runs are left as holes (unallocated chunks read as zeros): only the rest takes disk, within the
   * budget.
   */
  private write(start: number[], count: number[], bytes: Uint8Array): number {
    const nd = count.length
    const run = (nd ? count[nd - 1]! : 1) * this.spec.itemsize
    const outer = bytes.length / run
    const zero = zeros(run)
    const writes: [number, Uint8Array][] = []
    let total = 0
    const idx = new Array<number>(Math.max(0, nd - 1)).fill(0)
    for (let r = 0; r < outer; r++) {
      const piece = bytes.subarray(r * run, (r + 1) * run)
      if (!zero.equals(piece)) {
        let off = nd ? start[nd - 1]! * this.spec.itemsize : 0
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
    return total
  }
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
