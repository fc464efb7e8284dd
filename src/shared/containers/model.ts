// The container model (docs/architecture.md#a-container-is-a-list-of-arrays): a file that holds many arrays is a
// list of entries. A format module detects itself from magic bytes, reads header bytes only (through
// ParseContext.read over the mapping), and returns entries; each entry is then an ordinary mapped array — or says
// why it cannot be mapped.
//
// Built to carry the scientific formats of part 2 as well: `path` gives groups as folders (HDF5 "/a/b/x"),
// `metadata` holds per-entry attributes, `strides` a strided view (NetCDF record variables), `decoding` the
// values' transformation (GGUF dequantization now; BSCALE/scale_factor scaling later), `via` a read through a
// temporary decompressed copy, and `unmappable` the reason an entry is only listed.
import { LayoutMismatchError } from '../errors'
import type { JsonValue } from '../json-value'
import type { NativeChunks } from './hdf5/native-chunks'
import type { TiffChunks } from './tiff-chunks'
import type { FitsTiles } from './fits-tile-layout'
import type { AsciiField } from './fits-tile-layout'
import type { ZarrArray } from './zarr-meta'

/** How the values are made from the stored bytes, when they are not the bytes themselves. */
export type Decoding = {
  kind: 'dequantize'
  /** GGML's name of the block format: Q4_0, Q6_K … */
  quant: string
  /** GGML's type id (what the native dequantizer takes). */
  ggmlType: number
  /** Elements per block and bytes per block. */
  blockElems: number
  blockBytes: number
}

/**
 * Values computed from stored numbers by a linear scaling (FITS BSCALE/BZERO, NIfTI scl_slope/scl_inter, NetCDF
 * scale_factor/add_offset), or the FITS unsigned-integer convention. The entry's bytes stay the stored values (a
 * toggle away); the scaled values are computed per window and per scan chunk, exactly as the reference reader
 * rounds. A separate field from `decoding` because it is optional: both views of the same bytes are valid.
 */
export interface Scaling {
  /**
   * f32: in float32 with two roundings, float32(float32(raw)·float32(slope)) + float32(inter) (astropy, 8/16-bit
   * and float32 data); f64: float64(raw)·slope + inter in float64 (astropy 32/64-bit, nibabel, NetCDF where
   * numpy promotes to float64); signflip: the sign bit flipped, read as the unsigned type (FITS BZERO = 2^(n-1)),
   * or for 8 bits as int8 (BZERO = -128).
   */
  rule: 'f32' | 'f64' | 'signflip'
  /** The stored numbers' dtype (numpy spelling, byte order included). */
  stored: string
  /** The values' dtype ('<f4', '<f8', '<u2' …): what the scaled view shows. */
  dtype: string
  /** Multiplied in when it is not 1, added when it is not 0 (f32: each first rounded to float32). */
  slope: number
  inter: number
  /** Stored values equal to this become NaN (FITS BLANK, NetCDF _FillValue); NaN: stored NaNs stay NaN. */
  blank?: number
  /** What the app and the CLI show first: the reference reader's default. */
  initial: 'scaled' | 'stored'
  /** Where the scaling comes from, for people ('BSCALE = 0.5, BZERO = 10'). */
  source: string
}

/**
 * How a deflate stream is wrapped: raw deflate (a ZIP member of an .npz), zlib (a MATLAB -v7 compressed variable),
 * gzip (a .nii.gz, an .img.gz). One inflate path reads all three (src/main/service/inflate.ts).
 */
export type InflateStream = 'raw' | 'zlib' | 'gzip'

/** A member stored compressed: read through a temporary decompressed copy of the member, read-only. */
export interface Via {
  kind: 'inflate'
  stream: InflateStream
  /** First byte of the compressed stream in the container (or in `file`). */
  dataOffset: number
  /** Its compressed bytes; 0: to the end of the file (a gzip file). */
  compressedSize: number
  /**
   * The bytes the copy holds. A ZIP member (with its CRC-32) must inflate to exactly this; a zlib or gzip stream
   * to at least this (what lies after — a gzip file's padding — is not copied): its own header says how much the
   * array needs, and the stream checks itself (Adler-32, gzip's CRC-32).
   */
  uncompressedSize: number
  /** CRC-32 of the uncompressed member (a ZIP member: checked after decompressing). */
  crc32?: number
  /** What the compressed stream is, for messages ('member', 'compressed variable', 'gzip file'). */
  what?: string
}

/**
 * Values written into a temporary copy from stored bytes laid out otherwise (after `via`'s inflate when there is
 * one; offsets are then in the inflated stream): MATLAB's complex arrays, whose real and imaginary parts are
 * stored apart (combined into numpy's interleaved complex, each part converted to the output's float type), and
 * MATLAB's char arrays (code units, or UTF-8), written as numpy's fixed-width text along the last dimension, as
 * scipy.io.loadmat returns them. The entry's dtype, shape, offset (0) and nbytes describe the copy.
 */
export type Recode =
  | {
      kind: 'planes'
      count: number
      real: { offset: number; dtype: string }
      imag: { offset: number; dtype: string }
    }
  | {
      /** A MATLAB sparse matrix (compressed sparse columns) written out dense, as loadmat's .toarray() gives it. */
      kind: 'sparse'
      rows: number
      cols: number
      /** Row index of each stored value (int32), and each column's first value's index (cols + 1 int32s). */
      ir: { offset: number; count: number; dtype: string }
      jc: { offset: number; dtype: string }
      /** The values (nzmax of them); pi the imaginary parts of a complex matrix. */
      pr: { offset: number; count: number; dtype: string }
      pi?: { offset: number; count: number; dtype: string }
    }
  | {
      /**
       * A MATLAB level 4 sparse matrix: an n × 3 (or × 4, complex) matrix of (row, column, value[, imaginary])
       * with 1-based indices, column-major, whose last row gives the dims; written dense (duplicates summed).
       */
      kind: 'triplets'
      offset: number
      dtype: string
      n: number
      complex: boolean
    }
  | {
      /** ONNX's int32_data / int64_data / uint64_data: protobuf varints, each written as the dtype's low bytes. */
      kind: 'varints'
      offset: number
      nbytes: number
      count: number
    }
  | {
      /**
       * A MINC image as nibabel reads it: the stored integers (as the signtype views them) clipped to the valid
       * range [dmin, dmax] and mapped onto [image-min, image-max] of their slice (one pair per slice of the
       * leading dims; one for the whole image when slices is 1), in float64.
       */
      kind: 'minc'
      offset: number
      dtype: string
      count: number
      slices: number
      imax: { offset: number; dtype: string }
      imin: { offset: number; dtype: string }
      dmin: number
      dmax: number
    }
  | {
      /** A FITS ASCII table's rows, each field's text parsed as astropy parses it (fits-ascii.ts). */
      kind: 'ascii-table'
      offset: number
      rowBytes: number
      rows: number
      fields: AsciiField[]
    }
  | {
      kind: 'chars'
      offset: number
      nbytes: number
      /** The code units' numpy dtype ('<u2', '|u1', '>f8' for a v4 text matrix), or 'utf8'. */
      stored: string
      /** Strings (the product of every dim but the last) and characters per string (the last dim). */
      strings: number
      width: number
    }

export interface ContainerEntry {
  /** What --array takes: safetensors/GGUF tensor names as stored, .npz keys as np.load gives them. */
  name: string
  /** Other names --array accepts for it (an HDF5 path with its slash, a FITS EXTNAME, a second hard link). */
  aliases?: string[]
  /**
   * Folders and leaf label for the tree, when the name does not give them through the container's separator
   * (part 2: HDF5 groups). Usually absent: "model.layers.0.weight" is model / layers / 0 / weight by its name
   * (splitting 100,000 names up front would cost more than listing them).
   */
  path?: string[]
  /** The dtype of the values (numpy spelling); for a decoded entry, the decoded dtype ('<f4'). */
  dtype: string
  shape: number[]
  order: 'C' | 'F'
  /** First stored byte of the array in its file (with `via`: in the decompressed member). */
  offset: number
  /** Stored bytes (quantized: the blocks). */
  nbytes: number
  /** Byte strides when the array is not contiguous (part 2); contiguous in `order` when absent. */
  strides?: number[]
  /** The file holding the bytes, when another than the container (a shard), relative to the container's folder. */
  file?: string
  /** The type as the format names it (F32, BF16, Q4_0, <f4 …). */
  storedType: string
  decoding?: Decoding
  /** Values scaled from the stored numbers; dtype/offset/strides above describe the stored numbers. */
  scaling?: Scaling
  via?: Via
  recode?: Recode
  /**
   * A chunked or filtered HDF5 dataset: decoded natively (native set) or by the HDF5 library (h5wasm) into a
   * temporary copy, filled a chunk at a time as windows and scans need them. offset/nbytes are then the copy's.
   */
  hdf5?: {
    path: string
    dims: number[]
    chunks: number[]
    filters: string[]
    /** False when no chunk was ever written: every value is the fill value, the library need not be asked. */
    allocated?: boolean
    /** The fill value's bytes (the dataset's datatype), when one is defined and not all zeros. */
    fill?: number[]
    /** Set when its chunks are decoded without the library: the chunk index and filters (hdf5/chunk-index.ts). */
    native?: NativeChunks
  }
  /** An array of a Zarr store: its chunks decoded into a temporary copy like a chunked HDF5 dataset's. */
  zarr?: ZarrArray
  /** A TIFF series not stored as one run: its strips or tiles decoded into a temporary copy, chunk by chunk. */
  tiff?: TiffChunks
  /** A FITS tile-compressed image: its tiles decoded into a temporary copy, chunk by chunk (fits-tiles.ts). */
  fitsTiles?: FitsTiles
  /** Entries holding this array reduced by powers of two (TIFF SubIFDs, OME-Zarr levels): the image overviews. */
  levels?: string[]
  /** Why editing in place (r+) is refused though the bytes are the values (mode c still works). */
  refuseInPlace?: string
  /** Set when the entry is listed but cannot be opened: why, and what can be done instead. */
  unmappable?: { reason: string; remedy: string }
  /** Per-entry metadata (attributes). */
  metadata?: Record<string, JsonValue>
}

/**
 * A format as people and the app see it. Each module declares one per format its parse() returns; the registry
 * (registry.ts) derives from them the ContainerFormat union, the sidebar's and the open form's texts, the lists in
 * messages and the single-array decisions, so no list of formats is kept by hand anywhere else.
 */
export interface FormatDescriptor {
  /** Its short name: the sidebar's header ('HDF5', 'sharded safetensors') and the lists in messages. */
  label: string
  /** The open form's "This is …" ('an HDF5 file'). */
  description: string
  /** The file holds one array: commands and the app open it without --array (its header gives the layout). */
  singleArray: boolean
  /** The names its files usually end with, for people; detection reads magic bytes, never the name alone. */
  extensions: readonly string[]
  /** The reference reader (its Python package) that Copy as code calls and the tests compare against. */
  reader: string
  /** Copy as code: the reference reader's call that binds `a` to the array (the view's indexing follows it). */
  recipe(r: RecipeArray): string
}

/** What Copy as code's loading call needs of an array of a container. */
export interface RecipeArray {
  /** The container file, as a Python string literal. */
  file: string
  /** The file holding the array's bytes (a shard of a sharded index; else the container), as a literal. */
  dataFile: string
  /** The array's name, as a Python string literal. */
  name: string
  /** The stored numbers are asked for, not the scaled values. */
  stored: boolean
  /** The type as the format names it (F32, BF16, Q4_0, <f4 …). */
  storedType: string
  /** A quantized tensor's block type (shown dequantized). */
  quant?: string
  /** The values' shape as Python writes a tuple. */
  shape: string
  /** The array's own metadata (a PyTorch tensor's keys in nested dicts). */
  metadata?: Record<string, JsonValue>
}

/** A parsed container; F: the formats its module may return (index.ts exports it with F = ContainerFormat). */
export interface Container<F extends string = string> {
  format: F
  /** What splits entry names into folders for the tree ('.' for tensor names, '/' for .npz keys); none: flat. */
  separator?: string
  /** The container's own metadata (safetensors __metadata__, GGUF key/values, the .npz member list). */
  metadata: Record<string, JsonValue>
  entries: ContainerEntry[]
}

/** A malformed or hostile header: one message saying what is wrong. */
export class ContainerError extends LayoutMismatchError {}

export type ReadFn = (offset: number, length: number) => Uint8Array

/** What a format module may use: the file's bytes (header reads only), and for some formats a little more. */
export interface ParseContext {
  /** Reads up to length bytes at offset (fewer at the end of the file). */
  read: ReadFn
  size: number
  /** The file's name (for messages and for formats that are named, like *.index.json). */
  fileName: string
  /**
   * The first bytes (at most maxOut) of a deflate stream (raw by default; zlib or gzip) of compressedSize bytes at
   * offset (0: to the end of the file) — the .npy header of a compressed .npz member, a MATLAB variable's header,
   * a .nii.gz's header. Provided by the Node side (zlib); absent: compressed members list no shape.
   */
  inflatePrefix?: (offset: number, compressedSize: number, maxOut: number, stream?: InflateStream) => Uint8Array
  /** Opens a file beside the container (a shard of a sharded checkpoint). */
  openSibling?: (relativePath: string) => { size: number; read: ReadFn; close(): void }
  /**
   * A folder store (Zarr): its metadata documents by key ('a/b/.zarray'; null when absent) and the sub-folders
   * of a folder ('' the store's root). Keys are checked by the Node side: never outside the store.
   */
  store?: { text(key: string): string | null; folders(folder: string): string[] }
}

/**
 * A container format's reader: what the registry lists. F is inferred from the keys of `formats` (see
 * defineFormat): parse() can only return a format the module describes.
 */
export interface FormatModule<F extends string = string> {
  /** What detect() announces (HDF5's module announces 'hdf5' for NetCDF-4 and MATLAB v7.3 files too). */
  format: NoInfer<F>
  /** Every format parse() may return, described. */
  formats: { readonly [K in F]: FormatDescriptor }
  /** From the first bytes of the file (at least 64 when the file has them): is it this format? */
  detect(head: Uint8Array, size: number, fileName: string): boolean
  parse(ctx: ParseContext): Container<NoInfer<F>>
}

/** Declares a format module, its format names taken from the keys of `formats`. */
export function defineFormat<const F extends string>(m: FormatModule<F>): FormatModule<F> {
  return m
}

/** Bytes that must be there: a read that comes back short means the header claims more than the file has. */
export function readExact(
  ctx: { read: ReadFn; size: number },
  offset: number,
  length: number,
  what: string
): Uint8Array {
  if (offset < 0 || length < 0 || offset + length > ctx.size) {
    throw new ContainerError(
      `${what} at byte ${offset} (${length} bytes) runs past the end of the file (${ctx.size} bytes): the file is truncated or not what its header says`
    )
  }
  const b = ctx.read(offset, length)
  if (b.length < length) {
    throw new ContainerError(`${what} at byte ${offset}: the file ends after ${b.length} of ${length} bytes`)
  }
  return b
}

/** A u64 as a number, refused beyond 2^53 (no file is that large). */
export function safeU64(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ContainerError(`${what} is ${v}: more than any file can hold`)
  return Number(v)
}

/**
 * Product of a shape with overflow checked: more than 2^53 elements is refused with the shape named. `what` names
 * the array only when there is an error (headers with 100,000 tensors call this 100,000 times).
 */
export function elementCount(shape: readonly number[], what: string | (() => string)): number {
  const name = (): string => (typeof what === 'string' ? what : what())
  let n = 1
  for (let k = 0; k < shape.length; k++) {
    const d = shape[k]!
    if (!Number.isSafeInteger(d) || d < 0) throw new ContainerError(`${name()} has an invalid dimension ${d}`)
    n *= d
    if (n > Number.MAX_SAFE_INTEGER) {
      throw new ContainerError(`${name()} has shape (${shape.join(', ')}): more than 2^53 elements, no file holds that`)
    }
  }
  return n
}

/** Entries in the order of their bytes in the file. */
export function byOffset(a: { offset: number; nbytes: number }, b: { offset: number; nbytes: number }): number {
  return a.offset - b.offset || a.nbytes - b.nbytes
}

/**
 * Refuses entries whose stored bytes overlap each other or lie outside [dataStart, dataEnd). Pass sorted when the
 * entries are already in byOffset order (no copy is sorted then).
 */
export function checkExtents(
  entries: readonly { name: string; offset: number; nbytes: number }[],
  dataStart: number,
  dataEnd: number,
  what: string,
  sorted = false
): void {
  if (!sorted) entries = [...entries].sort(byOffset)
  let prev: { name: string; end: number } | null = null
  for (const e of entries) {
    if (e.offset < dataStart) {
      throw new ContainerError(
        `${what} '${e.name}' starts at byte ${e.offset}, inside the header (data starts at ${dataStart})`
      )
    }
    if (e.offset + e.nbytes > dataEnd) {
      throw new ContainerError(
        `${what} '${e.name}' needs bytes [${e.offset}, ${e.offset + e.nbytes}), past the end of the data (${dataEnd}): the file is truncated or its header is wrong`
      )
    }
    if (prev && e.nbytes > 0 && e.offset < prev.end) {
      throw new ContainerError(
        `${what}s '${prev.name}' and '${e.name}' overlap (at byte ${e.offset}): the header is corrupt`
      )
    }
    if (e.nbytes > 0) prev = { name: e.name, end: e.offset + e.nbytes }
  }
}

/** Display form of metadata: long arrays keep their first items and say how many there are. */
export function shortened(v: JsonValue, maxItems = 32, maxChars = 4096): JsonValue {
  if (typeof v === 'string') return v.length > maxChars ? `${v.slice(0, maxChars)}… (${v.length} characters)` : v
  if (Array.isArray(v)) {
    // a parser may have shortened it already (its last item then says how many there were)
    const last = v[v.length - 1]
    if (v.length === maxItems + 1 && typeof last === 'string' && last.startsWith('… ')) {
      return v.map((x) => shortened(x, maxItems, maxChars))
    }
    const head = v.slice(0, maxItems).map((x) => shortened(x, maxItems, maxChars))
    return v.length > maxItems ? [...head, `… ${v.length} items in all`] : head
  }
  if (v && typeof v === 'object') {
    const out: Record<string, JsonValue> = {}
    for (const [k, x] of Object.entries(v)) out[k] = shortened(x, maxItems, maxChars)
    return out
  }
  return v
}

/** The CLI flags that open an unmappable entry's bytes as plain bytes. */
/** The folders and leaf of an entry in the tree. */
export function entryPath(c: Container, e: ContainerEntry): string[] {
  return e.path ?? (c.separator ? e.name.split(c.separator) : [e.name])
}

export function bytesRemedy(offset: number, nbytes: number, file?: string): string {
  return `its ${nbytes} stored bytes can be read as bytes: ${file ? `${file} ` : ''}--dtype u1 --offset ${offset} --shape ${nbytes}`
}
