/** How a file is mapped, with numpy.memmap's meanings. */
export type MapMode = 'r' | 'r+' | 'c' | 'w+'

/** Kernel access-pattern hints (madvise). */
export type Advice = 'normal' | 'random' | 'sequential' | 'willneed' | 'dontneed'

/** A 2-D window of elements: element (i, j) is itemsize bytes at base + i*rowStride + j*colStride. */
export interface Window2D {
  base: number | bigint
  rows: number
  cols: number
  rowStride: number | bigint
  colStride: number | bigint
  itemsize: number
}

/**
 * Errors thrown carry a code: ENOENT, EACCES, EPERM, EISDIR, EROFS, EIO, EINVAL, ERANGE (outside the mapping),
 * ECHANGED (file truncated on disk), EREADONLY (write in mode r), ECLOSED.
 */
export interface NativeError extends Error {
  code: string
}

/** One memory-mapped file. The mapping itself never reaches JS: every access copies. */
export class Mapping {
  /** Maps path with mode; size is the length of the file w+ creates (required for w+, ignored otherwise). */
  constructor(path: string, mode: MapMode, size?: number | bigint)
  /** Mapped length in bytes (the file size when opened). */
  readonly size: number
  readonly mode: MapMode
  readonly path: string
  readonly closed: boolean
  /** Copies target.length bytes starting at offset into target; returns the count. */
  read(offset: number | bigint, target: Uint8Array): number
  /** read() without the file-size check: only the SIGBUS guard protects it. For tests of that guard. */
  readUnchecked(offset: number | bigint, target: Uint8Array): number
  /** Copies source into the mapping at offset (r+, w+: the file; c: the private copy). Throws in mode r. */
  write(offset: number | bigint, source: Uint8Array): number
  /** Gathers a strided 2-D window into target (rows*cols*itemsize bytes, row-major). */
  gather(window: Window2D, target: Uint8Array): void
  /** msync of the range (whole mapping by default); a no-op in modes r and c. */
  flush(offset?: number | bigint, length?: number | bigint): void
  /** madvise hint; never drops c-mode pages. */
  advise(advice: Advice, offset?: number | bigint, length?: number | bigint): void
  /** The file's size and mtime now (to detect changes by other processes). */
  stat(): { size: number; mtimeMs: number }
  /** Unmaps and closes the file at once. Further calls throw ECLOSED. */
  close(): void
}

export const napiVersion: number
