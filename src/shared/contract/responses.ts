// The response types of the contract (contract.ts): what each channel answers, and the types they are made of.
import type { Candidate } from '../solver'
import type { ContainerFormat, FolderListing } from '../containers'
import type { DirListing } from '../dir-listing'
import type { JsonValue } from '../json-value'
import type { TextLayout } from '../layout'
import type { LayoutSpecMsg, ModeName } from './base'
import type { Workspace } from './workspace'

/** A layout resolved against the file: every number known. */
export interface LayoutInfo {
  dtype: string
  shape: number[]
  strides: number[]
  offset: number
  order: 'C' | 'F'
  itemsize: number
  size: number
  nbytes: number
}

/** A float that survives JSON: a number, or "nan" / "inf" / "-inf". */
export type JsonFloat = number | string

/** What diff:run reports; indices are N-D indices of the compared views. */
export interface DiffSummary {
  shape: number[]
  total: number
  mismatched: number
  nanMismatched: number
  infMismatched: number
  /** max |a − b| and max |a − b| / |b| among the violations (numpy assert_allclose's); null when none. */
  maxAbsDiff: JsonFloat | null
  maxRelDiff: JsonFloat | null
  maxAbsIndex: number[] | null
  maxRelIndex: number[] | null
  /** Mismatches (the first after `after`, or the last before `before`), values as numpy prints them. */
  mismatches: { index: number[]; a: string; b: string }[]
  /** |a − b| of every pair by binary exponent. */
  histogram: { firstExponent: number; counts: number[]; equal: number; nonFinite: number }
  /** Block maps (rows × cols, float64 bytes): mismatch counts, and with mapValues max |A−B|, mean A−B, max ULP. */
  map?: { rows: number; cols: number; counts: Uint8Array; abs?: Uint8Array; mean?: Uint8Array; ulp?: Uint8Array }
}

/** The array of a container a session shows. */
export interface ArrayInfo {
  /** The container file (index.json for a sharded checkpoint). */
  container: string
  format: ContainerFormat
  name: string
  /** The type as the format names it (F32, BF16, Q4_0, <f4 …). */
  storedType: string
  /** Where the stored bytes are in the session's file (quantized: the blocks). */
  stored: { offset: number; nbytes: number }
  /** Quantized: values are dequantized to float32 from blocks of `elems` elements in `bytes` bytes. */
  blocks?: { quant: string; elems: number; bytes: number }
  /** The session maps a temporary decompressed copy of a compressed member (or of a chunked HDF5 dataset). */
  decompressed?: boolean
  /** A chunked HDF5 dataset: its chunk shape and filters (its copy fills as windows and scans read). */
  chunks?: number[]
  filters?: string[]
  /**
   * The array has scaled values (FITS BSCALE/BZERO, NIfTI scl_slope/scl_inter, NetCDF scale_factor/add_offset):
   * applied says whether the session shows them (else the stored numbers); ratio is the values' itemsize over the
   * stored one (the layout's byte offsets are the stored ones times it).
   */
  scaling?: { source: string; stored: string; dtype: string; applied: boolean; ratio: number }
  /** The array's own metadata (attributes, header cards), long values shortened. */
  metadata?: Record<string, JsonValue>
  /** Why edits are refused, when they are. */
  readOnly?: string
}

/** A text array: the text file (path), how it is read, and what the pass found. */
export interface TextInfo extends TextLayout {
  path: string
  /** The text file's size in bytes. */
  size: number
  /** Bytes of the text skipped first (numpy.fromfile's offset). */
  offset: number
  /**
   * What the pass found: values; rows (table rows, else the lines holding values); values per row (-1: not
   * alike); lines read (once the pass ended).
   */
  found: { values: number; rows: number; cols: number; lines?: number }
  /** While the pass runs (the session grows as it goes, session:edited): bytes of text read of total. */
  loading?: { bytes: number; total: number }
  /** The pass's error, when it stopped at a bad value after the session opened (the rows before it stay). */
  error?: string
}

export interface SessionInfo {
  session: string
  /** The file mapped: the container, a shard, or a temporary decompressed copy. */
  path: string
  fileSize: number
  mode: ModeName
  format: 'raw' | 'npy' | 'text' | ContainerFormat
  layout: LayoutInfo
  /** Set when the session is a text array (format 'text'): the text file and how it was read. */
  text?: TextInfo
  /** Set when the session is an array of a container. */
  array?: ArrayInfo
  /** Set when the session is a derived array of two others (read-only, computed as it is read). */
  derived?: { kind: 'absdiff' | 'diff' | 'ulp'; label: string; a: string; b: string; pathB: string }
  /**
   * Follow mode (read-only sessions): another program's writes are shown as they come — rewritten bytes re-read,
   * an inferred axis or a rewritten .npy header reshaping the view — instead of being reported as a change.
   */
  following?: boolean
  /**
   * A raw file's axis the file's size gives (its layout said -1, or gave no shape): it grows with the file, and
   * Copy as code computes it from the file's size when it runs.
   */
  inferredAxis?: number
}

/** One folder of a container's tree (container:list). */
export interface ContainerListing extends FolderListing {
  path: string
  format: ContainerFormat
  fileSize: number
  /** The container's metadata, long values shortened. */
  metadata: Record<string, JsonValue>
}

export interface AppInfo {
  transport: 'electron' | 'serve'
  version: string
  /** array: open that array of a container (a container without it shows its tree). */
  /** The file the command line named; follow false: opened unfollowed (`serve --no-follow`). */
  initial: { path: string; layout: LayoutSpecMsg | null; mode: ModeName; array?: string; follow?: false } | null
}

export interface ProbeResult {
  path: string
  size: number
  mtimeMs: number
  /** The layout a .npy header gives, or null for a raw file. */
  npy: LayoutSpecMsg | null
  /**
   * Why the file is no array without a layout: it starts with the .npy magic but np.load refuses its header, or
   * it is empty. Opening it needs a layout (its bytes read raw).
   */
  npyError?: string
  /** The layout an ArrayScope export sidecar (<file>.arrayscope.json) gives, or null. */
  sidecar: LayoutSpecMsg | null
  /** The layout this file was last opened with, when it is unchanged since (same size and mtime). */
  recent: RecentFile | null
  /** The container format the file's first bytes announce, or null. */
  container: ContainerFormat | null
}

export interface WindowResult {
  generation: number
  row0: number
  col0: number
  rows: number
  cols: number
  dtype: string
  bytes: Uint8Array
}

/** A layout the solver proposes (src/shared/solver.ts), with its score and the evidence for it. */
export type CandidateLayout = Candidate

export interface RecentFile {
  path: string
  size: number
  mtimeMs: number
  layout: LayoutSpecMsg
  mode: ModeName
  openedAt: number
}

export interface ScanStats {
  count: number
  min: number | null
  max: number | null
  mean: number | null
  std: number | null
  nan: number
  posinf: number
  neginf: number
  minExact?: string
  maxExact?: string
  histogram?: { edges: number[]; counts: number[] }
  /** The file's version (size, modification time) the statistics were computed from. */
  version?: FileVersion
}

/** A file's version: its size and modification time (ms since 1970), as another program's writes change them. */
export interface FileVersion {
  size: number
  mtimeMs: number
}

/** Where a session's edit log stands. */
export interface EditState {
  session: string
  /** Edits applied and not undone. */
  edits: number
  canUndo: boolean
  canRedo: boolean
  /** r+: edits not yet flushed to disk. */
  dirty: boolean
  /** Edits closing would lose: unflushed ones (r+, w+), or any in c's private copy. Closing asks first. */
  unsaved: boolean
  /** The byte ranges the last change touched, so views can refresh. */
  changed: { offset: number; length: number }[]
  /** Set when the change rewrote a .npy header: the session's new layout. */
  info?: SessionInfo
  /** Set when another program wrote the file (follow mode): views show what changed (changed cells flash). */
  external?: true
  /** With external: the file's version now. */
  version?: FileVersion
}

export interface Bookmark {
  name: string
  offset: number
}

export interface Responses {
  'workspace:get': { workspace: Workspace | null }
  'workspace:set': Record<string, never>
  'bookmarks:get': { bookmarks: Bookmark[] }
  'bookmarks:set': { bookmarks: Bookmark[] }
  'npy:header': EditState
  'export:run': { out: string; bytes: number }
  'export:cancel': { cancelled: boolean }
  'edit:apply': EditState
  'edit:undo': EditState
  'edit:redo': EditState
  'edit:flush': EditState
  'scan:stats': ScanStats
  /** min and max are float64 values as bytes (NaN survives; JSON would not). */
  'scan:line': { start: number; stop: number; buckets: number; min: Uint8Array; max: Uint8Array }
  'scan:image': { rows: number; cols: number; values: Uint8Array }
  /** pixels: rows × cols × {min, max, mean, flags} as float32 bytes (flags 1 NaN, 2 +Inf, 4 -Inf in the block). */
  /** stored: read from the file's own level reduced by this factor (its values, not the array's statistics). */
  'scan:tile': {
    level: number
    ty: number
    tx: number
    rows: number
    cols: number
    pixels: Uint8Array
    stored?: number
  }
  'scan:cancel': { cancelled: boolean }
  /** The flat C-order index of the element found in the view (null: none); wrapped: found past the end. */
  'find:condition': { index: number | null; wrapped: boolean }
  /** Per index of the kept axis, float64 values as bytes (NaN where a line has no finite element). */
  'scan:profile': {
    keep: 0 | 1
    length: number
    count: Uint8Array
    mean: Uint8Array
    min: Uint8Array
    max: Uint8Array
    std: Uint8Array
  }
  /** The match's file offset and length (null: none); wrapped: found only after going round the end. */
  'find:run': { offset: number | null; length: number; wrapped: boolean }
  'file:propose': { candidates: CandidateLayout[] }
  'file:preview': { rows: number; cols: number; shape: number[]; dtype: string; bytes: Uint8Array }
  'recent:list': { files: RecentFile[] }
  'app:info': AppInfo
  'file:probe': ProbeResult
  'session:open': SessionInfo
  'session:follow': { session: string; following: boolean }
  'session:close': { closed: true }
  'window:get': WindowResult
  'bytes:get': { offset: number; bytes: Uint8Array }
  'dialog:openFile': { path: string | null }
  'dir:list': DirListing
  'container:list': ContainerListing
  'container:metadata': { key: string; start: number; items: JsonValue[]; total: number }
  'diff:run': DiffSummary
  'diff:window': { row0: number; col0: number; rows: number; cols: number; mask: Uint8Array }
  'session:derive': SessionInfo
}
