// What fills a chunk grid's temporary copy without the HDF5 library: HDF5's native decoder (hdf5-native-fill.ts),
// a Zarr array's chunk reader (zarr-fill.ts), TIFF strips and FITS tiles (tiff-fill.ts, fits-fill.ts).
// ChunkedDataset (hdf5-chunked.ts) keeps the bookkeeping.
import fs from 'node:fs'
import { promisify } from 'node:util'
import { ApiError } from '../../shared/contract'

const readAsync = promisify(fs.read)

/**
 * A remote container's bytes (remote-store.ts): a filler given one reads the object's sparse copy (its `file`),
 * after fetching the range a chunk's stored bytes take — awaited in fill, blocking in fillSync.
 */
export interface RemoteBytes {
  fetch(first: number, end: number): Promise<void>
  ensure(first: number, end: number): void
}

/** A decoder of chunks into the copy; each call returns the bytes it wrote (holes are not written). */
export interface ChunkFiller {
  /**
   * background: a fill's chunk ahead of a scan, which a window's own decode may overtake (HDF5's decoder runs it
   * on the addon's own threads, niced while a window waits); a window's chunk is decoded at once.
   */
  fill(c: number[], background?: boolean): Promise<number>
  fillSync(c: number[]): number
  close(): void
  /** The grid indexes of the chunks stored (with a zero fill value the others are holes already). */
  allocatedChunks(): Iterable<number>
}

/**
 * The descriptors a filler holds (the copy, the container) and the fills in flight on them: closing the filler
 * fails what asks after it, and the descriptors are released when the last fill in flight ends (a reused
 * descriptor number must never be read or written). One for HDF5's, Zarr's, TIFF's and FITS's fillers.
 */
export class FillGuard {
  private closed = false
  private busy = 0

  constructor(
    private readonly release: () => void,
    /** What the error of a fill after close names ('array', 'dataset'). */
    private readonly what: string
  ) {}

  /** Throws when the filler was closed. */
  check(): void {
    if (this.closed) throw new ApiError('closed', `the ${this.what} was closed`)
  }

  /** Runs one fill (the filler still open), holding the descriptors until it ends. */
  async run<T>(fill: () => Promise<T>): Promise<T> {
    this.check()
    this.busy++
    try {
      return await fill()
    } finally {
      if (--this.busy === 0 && this.closed) this.release()
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    if (this.busy === 0) this.release()
  }
}

/**
 * A chunk's stored bytes, [offset, offset + length) of the container (its range fetched first when it is remote);
 * short(got) is the error when the file ends before them.
 */
export async function readStored(
  src: number,
  offset: number,
  length: number,
  remote: RemoteBytes | undefined,
  short: (got: number) => Error
): Promise<Buffer> {
  const raw = Buffer.alloc(length)
  await remote?.fetch(offset, offset + length)
  const { bytesRead } = await readAsync(src, raw, 0, length, offset)
  if (bytesRead < length) throw short(bytesRead)
  return raw
}

/** The same, blocking (the CLI's show, a derived window). */
export function readStoredSync(
  src: number,
  offset: number,
  length: number,
  remote: RemoteBytes | undefined,
  short: (got: number) => Error
): Buffer {
  const raw = Buffer.alloc(length)
  remote?.ensure(offset, offset + length)
  const got = fs.readSync(src, raw, 0, length, offset)
  if (got < length) throw short(got)
  return raw
}

/** Opens the container (read) and the copy (write) for make; both closed again when make throws. */
export function withDescriptors<T>(file: string, copy: string, make: (src: number, dst: number) => T): T {
  const src = fs.openSync(file, 'r')
  let dst: number | undefined
  try {
    dst = fs.openSync(copy, 'r+')
    return make(src, dst)
  } catch (e) {
    fs.closeSync(src)
    if (dst !== undefined) fs.closeSync(dst)
    throw e
  }
}
