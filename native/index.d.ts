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
 * The codes native errors carry: ENOENT, EACCES, EPERM, EISDIR, EROFS, ENOMEM, EIO (the file system), EINVAL
 * (a bad argument), ERANGE (outside the mapping), ECHANGED (file truncated on disk), ENOSPC (a write found no
 * disk space: a sparse page of a full disk, or an export), EFBIG, ENOTDIR, ENAMETOOLONG, ELOOP (opening),
 * EREADONLY (write in mode r), ECLOSED (the mapping is closed), ECANCELLED (a scan was cancelled).
 */
export type NativeErrorCode =
  | 'ENOENT'
  | 'EACCES'
  | 'EPERM'
  | 'EISDIR'
  | 'EROFS'
  | 'ENOMEM'
  | 'EIO'
  | 'EINVAL'
  | 'ERANGE'
  | 'ECHANGED'
  | 'EREADONLY'
  | 'ECLOSED'
  | 'ECANCELLED'
  | 'ENOSPC'
  | 'EFBIG'
  | 'ENOTDIR'
  | 'ENAMETOOLONG'
  | 'ELOOP'

export interface NativeError extends Error {
  code: NativeErrorCode
}

/** Element types the scan kernels read (numpy codes; bf16 = bfloat16, e4m3/e5m2 = float8). */
export type ScanElem =
  | 'b1'
  | 'i1'
  | 'u1'
  | 'i2'
  | 'u2'
  | 'i4'
  | 'u4'
  | 'i8'
  | 'u8'
  | 'f2'
  | 'f4'
  | 'f8'
  | 'bf16'
  | 'e4m3'
  | 'e5m2'

/**
 * A strided N-D view (byte strides) of one element type; swap: the bytes are in non-native order. With quant,
 * the view is a virtual float32 array (elem 'f4', offsets 4 × the element index) of a quantized tensor of count
 * elements whose GGML blocks of type `type` start at byte `offset`: the kernels dequantize per chunk.
 */
interface ScanView {
  elem: ScanElem
  swap: boolean
  base: number
  shape: number[]
  strides: number[]
  quant?: { type: number; offset: number; count: number }
  /**
   * Scaled values: base and strides are the stored numbers' (of element type scale.elem, swapped when
   * scale.swap), elem is the values' type; each piece is scaled into a buffer before the kernels see it. rule f32:
   * float32(float32(float32(raw) * float32(slope)) + float32(inter)); f64: the same in float64; either applies
   * slope only when it is not 1 and inter only when it is not 0, and a raw value equal to blank (NaN: any NaN)
   * gives NaN. signflip: the raw bits with the sign bit flipped, read as elem (the FITS unsigned convention).
   */
  scale?: {
    elem: ScanElem
    swap: boolean
    rule: 'f32' | 'f64' | 'signflip'
    slope: number
    inter: number
    blank?: number
  }
  /**
   * Read only what is ready: the pass reads a part of the mapping only once gate[0] (a byte offset, stored with
   * Atomics.store; 2^63 - 1: all of it) is past its end — a scan running beside the decoding of the copy it
   * reads (a chunk grid filled in order). While gated, the mapping's holes are not skipped: they are parts not
   * written yet. The scan waits as long as the gate says; cancel ends it. A gate of two elements also hears
   * back: the pass stores into gate[1] the lowest byte it may still read (its oldest unfinished part's first
   * byte; 2^63 − 1 at its end), for a fill that lets go of what lies below (remote-stream.ts).
   */
  gate?: BigInt64Array
}

/**
 * Find: the first (backwards: the last) position p in [from, to) where the bytes match pattern under mask
 * ((byte & mask) == (pattern & mask), so a 0x00 mask byte is a wildcard), or where the element of type elem at
 * p lies in [lo, hi]; with alignStep, only p = alignBase + k * alignStep. In mode r the file's holes are
 * skipped when zeros cannot match.
 */
type FindSpec = {
  op: 'find'
  from: number
  to: number
  backwards: boolean
  alignBase?: number
  alignStep?: number
  /** As ScanView's gate; a gated find skips no hole (they are parts not written yet). */
  gate?: BigInt64Array
} & ({ pattern: Uint8Array; mask: Uint8Array } | { elem: ScanElem; swap: boolean; lo: number; hi: number })

/**
 * Diff: this view (A) against b's view in another mapping, element by element, as np.isclose(a, b, rtol, atol,
 * equal_nan) decides (computed in the float types numpy would use); figures of the violations in float64.
 */
type DiffSpec = ScanView & {
  op: 'diff'
  b: ScanView & { mapping: Mapping }
  rtol: number
  atol: number
  equalNan: boolean
  /** How many mismatch indices to keep: the first in C order. */
  first: number
  /** A map of mismatch counts over (all axes but the last) × (the last axis) reduced to at most this size. */
  mapRows?: number
  mapCols?: number
  /** The map also holds per block the max |a - b|, mean a - b and max ULP distance (A's float type). */
  mapValues?: boolean
  /** Only mismatches with after < C index < before are kept; last: the last ones before `before`. */
  after?: number
  before?: number
  last?: boolean
}

export type ScanSpec =
  | FindSpec
  | DiffSpec
  | (ScanView & { op: 'stats'; bins?: number; lo?: number; hi?: number })
  | (ScanView & { op: 'histogram'; bins: number; lo: number; hi: number })
  | (ScanView & { op: 'buckets'; start: number; stop: number; buckets: number })
  | (ScanView & { op: 'blocks'; outRows: number; outCols: number; reduce: 'mean' | 'max' })
  /**
   * A region [r0, r1) × [c0, c1) of a 2-D view as outRows × outCols pixels: per pixel min, max, mean of its
   * block's finite elements (NaN when none) and flags (1 NaN, 2 +Inf, 4 -Inf). sample: the element at each
   * block's centre instead (a quick preview).
   */
  | (ScanView & {
      op: 'tile'
      r0: number
      r1: number
      c0: number
      c1: number
      outRows: number
      outCols: number
      /** Elements per pixel along each axis (a pyramid level's 2^L); left out: the region split evenly. */
      blockRows?: number
      blockCols?: number
      sample?: boolean
    })

  /**
   * The first (backwards: the last) flat C-order index in [from, to) whose element is NaN, ±Inf, > value,
   * < value, == value or |x| > value (value given in the element's type, as numpy compares with a Python
   * scalar). done counts elements passed.
   */
  | (ScanView & {
      op: 'condition'
      condition: 'nan' | 'inf' | 'gt' | 'lt' | 'eq' | 'absgt'
      value?: number
      from: number
      to: number
      backwards: boolean
    })
  /**
   * Per index of axis `keep` of a 2-D view: count, mean, min, max and population std of the finite elements
   * along the other axis (NaN where there are none).
   */
  | (ScanView & { op: 'profile'; keep: 0 | 1 })

/** count = all elements; min/max/mean/std over finite values (population std); integers also exact sums. */
export interface NativeStats {
  count: number
  finite: number
  nan: number
  posinf: number
  neginf: number
  min: number | null
  max: number | null
  mean: number | null
  std: number | null
  /** Exact sum of an integer view (decimal). */
  sum?: string
  /** Exact min/max of an int64/uint64 view (decimal). */
  minExact?: string
  maxExact?: string
  /** With bins, lo and hi in the spec: the histogram, counted in the same pass. */
  histogram?: { counts: number[]; edges: number[] }
}

/** A diff's result; indices are flat C-order indices of the view. */
export interface NativeDiff {
  total: number
  mismatched: number
  nanMismatched: number
  infMismatched: number
  /** max |a - b| and max |a - b|/|b| (b != 0) among the violations: NaN when one is NaN, maxRel inf when every
   * violating b is 0, null when nothing mismatches. */
  maxAbs: number | null
  maxRel: number | null
  maxAbsAt: number | null
  maxRelAt: number | null
  first: Float64Array
  /** counts of finite non-zero |a - b| by binary exponent, from 2^firstExponent. */
  histogram: { firstExponent: number; counts: Float64Array; equal: number; nonFinite: number }
  map?: Float64Array
  mapRows?: number
  mapCols?: number
  /** With mapValues: per block, NaN where a block has no finite pair. */
  mapAbs?: Float64Array
  mapMean?: Float64Array
  mapUlp?: Float64Array
}

export interface ScanResults {
  condition: { index: number | null }
  profile: { count: Float64Array; mean: Float64Array; min: Float64Array; max: Float64Array; std: Float64Array }
  tile: { pixels: Float32Array; rows: number; cols: number }
  diff: NativeDiff
  stats: NativeStats
  histogram: { counts: number[]; edges: number[] }
  buckets: { min: Float64Array; max: Float64Array }
  blocks: { values: Float64Array; rows: number; cols: number }
  /** The match's offset, or null when there is none; done counts positions passed. */
  find: { offset: number | null }
}

/** A running scan: settles with the result, or rejects with code ECANCELLED / ECHANGED. */
export interface ScanHandle<T> {
  promise: Promise<T>
  /** Stops the scan's threads within one 64 Ki-element chunk. */
  cancel(): void
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
  /**
   * Appends the mapping's bytes [offset, offset + length) to the open file fd at its position (no copy through
   * JS: write(2) from the mapping, as numpy's tofile). Throws ECHANGED if the file was truncated meanwhile.
   */
  copyTo(fd: number, offset: number, length: number): number
  /**
   * Dequantizes a 2-D window of a quantized GGUF tensor into target as float32 values (native byte order),
   * bit for bit as gguf-py's gguf.quants.dequantize: element (i, j) is the tensor's element first + i*rowStep +
   * j*colStep (C order, steps may be negative). type is the GGML type id (Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7,
   * Q8_0 = 8, Q2_K … Q6_K = 10 … 14, Q8_K = 15); offset the byte where the tensor's first block starts; count the
   * tensor's elements. target holds rows*cols*4 bytes. Throws ERANGE outside the tensor, ECHANGED when truncated.
   */
  dequantize(
    spec: {
      type: number
      offset: number
      count: number
      first: number
      rows: number
      cols: number
      rowStep: number
      colStep: number
    },
    target: Uint8Array
  ): void
  /** msync of the range (whole mapping by default); a no-op in modes r and c. */
  flush(offset?: number | bigint, length?: number | bigint): void
  /** madvise hint; never drops c-mode pages. */
  advise(advice: Advice, offset?: number | bigint, length?: number | bigint): void
  /** The mapped file's size and mtime now, and its identity (inode and device: is the path still this file?). */
  stat(): { size: number; mtimeMs: number; ino: bigint; dev: bigint }
  /**
   * Runs a whole-view kernel on worker threads; onProgress gets the elements done (find: positions passed)
   * about every 50 ms. The pass walks the file in order and reads ahead of itself (the mapping's random-access
   * advice for browsing stays as it is); over more than half of physical memory in mode r it drops the pages
   * it read in behind it. ARRAYSCOPE_READAHEAD_MB (default 64) and ARRAYSCOPE_DROP_BEHIND (auto | always |
   * never) tune that. close() cancels running scans and unmaps when they have stopped.
   */
  scan<S extends ScanSpec>(spec: S, onProgress?: (done: number) => void): ScanHandle<ScanResults[S['op']]>
  /**
   * Readahead for a reader in JS that walks a view's flat elements in order (exports, the CLI): ahead(i0, i1)
   * asks the kernel for the pages of elements [i0, i1) not in memory yet; retire() says the oldest range asked
   * for is consumed (for a view larger than half of memory in mode r its pages read in are dropped again);
   * close() retires everything. Each returns the bytes concerned. Calls after the mapping is closed do nothing.
   */
  readStream(view: { base: number; shape: number[]; strides: number[]; itemsize: number }): {
    ahead(i0: number, i1: number): number
    retire(): number
    close(): number
  }
  /** Bytes of [offset, offset + length) (default: all) whose pages are in memory now (mincore). */
  resident(offset?: number, length?: number): number
  /** Unmaps and closes the file at once. Further calls throw ECLOSED. */
  close(): void
}

/**
 * One Python %-conversion (d i u e E f F g G; flags - + space 0; width; precision) applied to count elements
 * of bytes (elem, in non-native order when swap), as numpy's tofile(sep, format) writes them: prefix and
 * suffix around each value, sep between values, rowSep instead where index0 + k is a multiple of rowLength
 * (CSV rows; 0 for none). Integers keep every digit; floats are correctly rounded, ties to even.
 */
export function formatText(
  bytes: Uint8Array,
  spec: {
    elem: ScanElem
    swap: boolean
    count: number
    conv: 'd' | 'i' | 'u' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G'
    flags: string
    width: number
    precision: number | null
    prefix: string
    suffix: string
    sep: string
    rowSep: string
    rowLength: number
    index0: number
  }
): Uint8Array

/**
 * A stats or histogram pass (a ScanSpec of those ops) over the bytes of spec.bytes, a JS Uint8Array, instead of a
 * mapping: base, shape and strides address those bytes. The array is kept alive while the pass runs; nothing may
 * write into it until the promise settles. A streamed remote scan has its sockets read into such arrays.
 * EINVAL when bytes is not a Uint8Array or op is another; ERANGE when the view reaches past the array.
 */
export function scanBytes<S extends Extract<ScanSpec, { op: 'stats' | 'histogram' }>>(
  spec: S & { bytes: Uint8Array },
  onProgress?: (done: number) => void
): ScanHandle<ScanResults[S['op']]>

/**
 * Gives the file system back bytes [offset, offset + length) of a file open for writing (fd: a descriptor of
 * fs.openSync): they read as zeros after, the size unchanged. false where the platform or file system cannot.
 */
export function punchHole(fd: number, offset: number, length: number): boolean

/** The SIMD levels this CPU runs the kernels at, lowest first ('scalar', 'avx2', 'avx512'). */
export function simdLevels(): ('scalar' | 'avx2' | 'avx512')[]

/** The level a scan started now would use: the best available, lowered by ARRAYSCOPE_SIMD. */
export function simdLevel(): 'scalar' | 'avx2' | 'avx512'

/**
 * The HDF5 shuffle filter undone: byte b of element i was stored at b·n + i (n whole elements of `size` bytes;
 * trailing bytes copied as they are). src and dst are the same length and do not overlap.
 */
export function unshuffle(src: Uint8Array, dst: Uint8Array, size: number): void
/** The same on libuv's thread pool; both buffers are kept alive until it resolves. */
export function unshuffleAsync(src: Uint8Array, dst: Uint8Array, size: number): Promise<void>

/** A step of decodeChunk: deflate inflated (libdeflate), the HDF5 shuffle undone, HDF5's fletcher32 checked and dropped. */
export type ChunkStep =
  | { op: 'inflate'; wrap: 'raw' | 'zlib' | 'gzip' }
  | { op: 'unshuffle'; size: number }
  | { op: 'fletcher32' }

/**
 * A chunk's stored bytes through the steps, in order, the last writing into output; returns the output bytes
 * used. Throws an Error whose code is 'BAD_DATA' (a stream that does not inflate), 'TOO_LARGE' (a result larger
 * than output: a deflate bomb or a damaged chunk), 'CHECKSUM' (fletcher32 fails) or 'NO_INFLATER' (an inflate
 * step in a build without libdeflate: see inflaterVersion).
 */
export function decodeChunk(input: Uint8Array, output: Uint8Array, steps: ChunkStep[]): number
/** The same on libuv's thread pool; both buffers are kept alive until it resolves. */
export function decodeChunkAsync(input: Uint8Array, output: Uint8Array, steps: ChunkStep[]): Promise<number>
/** 'libdeflate 1.14' when the addon was built with libdeflate, null when not (inflate steps then throw). */
export const inflaterVersion: string | null
/**
 * A blosc frame (any compressor inside, any shuffle) decompressed by c-blosc into output, whose length must be the
 * frame's decoded size; returns that length. Throws an Error whose code is 'BAD_DATA' (a header that is invalid,
 * says more compressed bytes than the input has or another decoded size, or a frame that does not decode) or
 * 'NO_BLOSC' (a build without c-blosc: see bloscVersion).
 */
export function bloscDecompress(input: Uint8Array, output: Uint8Array): number
/** The same on libuv's thread pool; both buffers are kept alive until it resolves. */
export function bloscDecompressAsync(input: Uint8Array, output: Uint8Array): Promise<number>
/**
 * A chunk read, decoded and written into the open file dst (a chunk grid's temporary copy). The chunk is a file of
 * its own (a Zarr folder store's chunk object: file is its path), or the bytes range = [offset, length] of a file
 * (an HDF5 chunk: file a path or an open descriptor, which needs the range). codec: 'blosc', 'none' (stored as
 * is) or chunk steps (decodeChunk's: HDF5's filters undone). runs holds [copy offset, chunk offset, length]
 * triples; an all-zero run is skipped (a hole). size is the decoded chunk's length. Returns the bytes written.
 * Throws an Error whose code is 'BAD_DATA', 'TOO_LARGE', 'CHECKSUM' or 'SIZE' (the chunk's bytes: message says
 * what), 'READ' or 'TRUNCATED' (the chunk's file), 'WRITE' (dst), 'NO_BLOSC', 'NO_INFLATER' or 'UNSUPPORTED'
 * (Windows). Nothing of JS is touched on the pool thread.
 */
export function fillChunkFile(
  file: string | number,
  dst: number,
  codec: 'blosc' | 'none' | ChunkStep[],
  size: number,
  runs: Float64Array,
  range?: [offset: number, length: number]
): number
/**
 * The same on libuv's thread pool (dst, and file when a descriptor, must stay open until it settles); with
 * background true on the addon's own threads instead (a fill ahead of a scan), which yieldBackground nices.
 */
export function fillChunkFileAsync(
  file: string | number,
  dst: number,
  codec: 'blosc' | 'none' | ChunkStep[],
  size: number,
  runs: Float64Array,
  range?: [offset: number, length: number] | undefined,
  background?: boolean
): Promise<number>
/**
 * Nices the background fillChunkFileAsync jobs running now (a table window's chunk is about to be decoded on
 * the pool and should get a core first); their threads end after them, so later jobs run at full priority.
 * Returns how many were niced (0 off Linux).
 */
export function yieldBackground(): number
/** 'c-blosc 1.21.3' when the addon was built with c-blosc, null when not (the codec workers' WebAssembly then). */
export const bloscVersion: string | null
/** Element types a text array's values are parsed into (numpy codes; c8/c16 complex). */
export type TextElem = 'b1' | 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8' | 'f2' | 'f4' | 'f8' | 'c8' | 'c16'

/** How a text file is read (text_parse.cc): numpy.fromfile(sep=…), or rows as np.loadtxt reads them. */
export interface TextParseSpec {
  path: string
  /** The copy the values are written to, from byte outOffset (it must exist); parseTextSync ignores it. */
  out?: string
  /** Where the values start in out (default 0): after an .npy header written once the shape is known. */
  outOffset?: number
  elem: TextElem
  /** Write the values in non-native byte order. */
  swap: boolean
  /** numpy's separator: whitespace in it matches any run of whitespace. */
  sep: string
  /** Lines are rows (np.loadtxt): a newline ends a row, blank lines skipped, every row the same length. */
  table?: boolean
  /** Lines skipped first (a header). */
  skip?: number
  /** With table: a line's text from this string on is ignored. */
  comments?: string
  /** One index point per this many values (default 65536). */
  every?: number
  /** Stop after this many values. */
  maxValues?: number
  /** The byte to start at (an index point or numpy's offset) and its line. */
  start?: number
  startLine?: number
}

export interface TextParseResult {
  count: number
  /** Table rows; without table, the lines that hold values. */
  rows: number
  /** Values per row (table), or per line when every line holding values has as many (else -1). */
  cols: number
  lines: number
  bytesRead: number
  /** Index points, three numbers each: the value's index, its first byte, its line. */
  index: Float64Array
  /** parseTextSync: the values parsed (native byte order unless swap). */
  values: Uint8Array
}

/**
 * One pass over a text file on its own thread, writing its values into spec.out in order. status() says how far
 * it is: bytes of text read, values written to the copy (a mapping of it sees them), table rows complete
 * (their values all written).
 * Rejects with code EPARSE (a value or separator that does not parse: the message names its line and column),
 * ERAGGED (a table row of another length), EIO or ECANCELLED.
 */
export function parseText(spec: TextParseSpec): {
  promise: Promise<TextParseResult>
  cancel(): void
  /** cols: values per table row once the first row is read (-1 before, and without table). */
  status(): { bytes: number; written: number; rows: number; cols: number }
}
/** The same on the calling thread, the values kept in memory (for a bounded part: give maxValues). */
export function parseTextSync(spec: TextParseSpec): TextParseResult

export const napiVersion: number
