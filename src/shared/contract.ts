// The API contract between the renderer and the Node side: every request/response pair and every event.
// Electron binds it with ipcMain.handle + the preload; serve mode binds the same table over a WebSocket.
// Requests are validated on the Node side with these schemas (never trusted from the renderer); responses are
// produced by our own service, so they are typed but not re-validated. Channel names are `noun:verb`.
import { z } from 'zod'
import { CASTINGS } from './casting'
import { CHANNEL_NAMES, EVENT_NAMES } from './channels'
import { CodedError, type ErrorCode } from './errors'
import type { DirListing } from './dir-listing'
import type { Candidate } from './solver'
import type { ContainerFormat, FolderListing } from './containers'
import type { JsonValue } from './json-value'

const int = z.number().int().finite()
const nonNeg = int.nonnegative()
/** Byte offsets and counts: safe integers (files up to 8 PiB). */
const byteCount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)

export const orderSchema = z.enum(['C', 'F'])
export const modeSchema = z.enum(['r', 'r+', 'c', 'w+'])

export const layoutSpecSchema = z
  .object({
    dtype: z.string().min(1).max(20_000),
    // entries are checked by resolveLayout, whose messages say what is wrong ("invalid entry -3")
    shape: z.array(int).max(32).nullable(),
    offset: byteCount,
    order: orderSchema
  })
  .strict()

export const sessionId = z.string().min(1).max(64)

/** A tab as it is saved to come back after a reload or restart: what to open, the table's view and cursor. */
const savedTabSchema = z
  .object({
    path: z.string().min(1).max(4096),
    layout: layoutSpecSchema.nullable(),
    mode: modeSchema,
    array: z.string().min(1).max(65_536).optional(),
    view: z
      .object({
        slice: z.string().max(2000),
        rowAxis: z.number().int().min(0).max(64).nullable(),
        colAxis: z.number().int().min(0).max(64).nullable(),
        index: z.array(z.number().int().nonnegative()).max(64),
        format: z
          .object({ mode: z.enum(['auto', 'fixed', 'sci', 'hex']), digits: z.number().int().min(0).max(30).optional() })
          .strict(),
        heat: z.boolean()
      })
      .strict(),
    cell: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])
  })
  .strict()

export const workspaceSchema = z
  .object({
    tabs: z.array(savedTabSchema).max(100),
    /** The active tab (-1: the open form). */
    active: z.number().int().min(-1).max(99),
    panels: z.object({ hex: z.boolean(), analysis: z.boolean() }).strict()
  })
  .strict()
export type Workspace = z.infer<typeof workspaceSchema>

/** Which two axes of the array a 2-D view shows, and the index of every other axis. */
export const viewSchema = z
  .object({
    /** Axis shown as rows (null: one row). */
    rowAxis: nonNeg.max(31).nullable(),
    /** Axis shown as columns (null: one column). */
    colAxis: nonNeg.max(31).nullable(),
    /** An index for every axis; entries for rowAxis/colAxis are ignored. */
    index: z.array(nonNeg).max(32),
    /** numpy basic indexing applied first ("2:10:2, 3, ..., -1"); axes above refer to its result. */
    slice: z.string().max(2000).optional()
  })
  .strict()

/**
 * What a scan reads: the array, or a slice of it, then optionally one index per axis (null keeps the axis)
 * — the table's current view is its slice with the fixed axes indexed.
 */
const scanTarget = {
  session: sessionId,
  scanId: z.string().min(1).max(64),
  slice: z.string().max(2000).optional(),
  fixed: z.array(nonNeg.nullable()).max(32).optional()
}

/** np.isclose's tolerances (assert_allclose's defaults when left out: rtol 1e-7, atol 0, equal_nan true). */
const diffTolerance = {
  rtol: z.number().nonnegative().finite().optional(),
  atol: z.number().nonnegative().finite().optional(),
  equalNan: z.boolean().optional()
}

export const requestSchemas = {
  /** How the app was started: transport, version, and the file given on the command line (if any). */
  'app:info': z.object({}).strict(),
  /** Size, mtime and (for .npy) the header's layout of a file, for live validation of the open form. */
  'file:probe': z.object({ path: z.string().min(1).max(4096) }).strict(),
  /** Ranked candidate layouts for a file (layout solver): size factorizations, name hints, data plausibility. */
  'file:propose': z.object({ path: z.string().min(1).max(4096) }).strict(),
  /** The first rows and columns of a file read with a layout, for the open form's thumbnail. */
  'file:preview': z.object({ path: z.string().min(1).max(4096), layout: layoutSpecSchema }).strict(),
  /** Recently opened files with the layout and mode they were opened with, newest first. */
  'recent:list': z.object({}).strict(),
  /**
   * Maps a file with a layout (null: read it from the file's header) and mode; w+ creates the file, and replaces
   * an existing one only with overwrite (the UI asks first). With array, opens that array of a container
   * (safetensors, index.json, .npz, GGUF) — layout must be null; a deflated .npz member is decompressed to a
   * temporary copy first, with progress events and scan:cancel under scanId.
   */
  'session:open': z
    .object({
      path: z.string().min(1).max(4096),
      layout: layoutSpecSchema.nullable(),
      mode: modeSchema,
      overwrite: z.boolean().optional(),
      array: z.string().min(1).max(65_536).optional(),
      /** An array with a scaling (FITS BSCALE, NIfTI scl_slope, NetCDF scale_factor): which values to show. */
      values: z.enum(['scaled', 'stored']).optional(),
      scanId: z.string().min(1).max(64).optional()
    })
    .strict(),
  /**
   * The arrays of a container, a folder of its tree at a time (folder: path segments, [] the root), or with a
   * filter the matching arrays anywhere; limit caps the arrays listed. Also its format and metadata.
   */
  'container:list': z
    .object({
      path: z.string().min(1).max(4096),
      folder: z.array(z.string().max(65_536)).max(256).optional(),
      filter: z.string().max(1000).optional(),
      limit: z.number().int().min(1).max(100_000).optional()
    })
    .strict(),
  /**
   * Unmaps a session's file. Unflushed r+/w+ edits are flushed, or discarded (the default): every byte written
   * since the last flush is put back from the edit log. Mode c's private copy goes either way.
   */
  'session:close': z.object({ session: sessionId, unflushed: z.enum(['flush', 'discard']).optional() }).strict(),
  /**
   * Compares session a's view with session b's (the same slice applied to both; the same shape after it) with
   * np.isclose's rule (assert_allclose's defaults: rtol 1e-7, atol 0, equal_nan), in one native pass: the
   * figures, up to max mismatches (the first after `after`, or with last the last before `before`), and a
   * block map of rows × cols (with mapValues also max |A−B|, mean A−B, max ULP distance per block).
   */
  'diff:run': z
    .object({
      scanId: z.string().min(1).max(64),
      a: sessionId,
      b: sessionId,
      slice: z.string().max(2000).optional(),
      ...diffTolerance,
      max: z.number().int().min(0).max(10_000).optional(),
      after: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER).optional(),
      before: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
      last: z.boolean().optional(),
      map: z
        .object({ rows: z.number().int().min(1).max(2048), cols: z.number().int().min(1).max(2048) })
        .strict()
        .optional(),
      mapValues: z.boolean().optional()
    })
    .strict(),
  /** Which cells of a table window are not close between sessions a and b (the same view of both). */
  'diff:window': z
    .object({
      a: sessionId,
      b: sessionId,
      view: viewSchema,
      row0: byteCount,
      col0: byteCount,
      rows: z.number().int().min(0).max(1024),
      cols: z.number().int().min(0).max(1024),
      ...diffTolerance
    })
    .strict(),
  /**
   * Opens a derived, read-only float64 array of a's and b's views (the same slice of both): |A − B|, A − B or the
   * ULP distance (in A's float type), computed per window as it is read.
   */
  'session:derive': z
    .object({
      a: sessionId,
      b: sessionId,
      slice: z.string().max(2000).optional(),
      kind: z.enum(['absdiff', 'diff', 'ulp'])
    })
    .strict(),
  /** The raw bytes of a rows×cols window of a 2-D view, gathered row-major; decoded by the renderer. */
  'window:get': z
    .object({
      session: sessionId,
      generation: nonNeg,
      view: viewSchema,
      row0: byteCount,
      rows: nonNeg.max(4096),
      col0: byteCount,
      cols: nonNeg.max(4096)
    })
    .strict()
    .refine((r) => r.rows * r.cols <= 1 << 20, { message: 'a window holds at most 2^20 cells' }),
  /** Raw bytes of the file (any region, including headers and trailing bytes). */
  'bytes:get': z.object({ session: sessionId, offset: byteCount, length: nonNeg.max(1 << 24) }).strict(),
  /** Electron only: the native open-file dialog. */
  'dialog:openFile': z.object({}).strict(),
  /** One folder's folders and files for the open form's browser ('' : serve's --root, else the home folder). */
  'dir:list': z.object({ path: z.string().max(4096) }).strict(),
  /** All statistics of a view, natively, with progress events; a new scan with the same scanId supersedes. */
  'scan:stats': z.object({ ...scanTarget, bins: z.number().int().min(1).max(100_000).optional() }).strict(),
  /** min/max per bucket over [start, stop) of a 1-D view: ≤ 2 points per pixel for a line plot. */
  'scan:line': z
    .object({ ...scanTarget, start: byteCount, stop: byteCount, buckets: z.number().int().min(1).max(20_000) })
    .strict(),
  /** A 2-D view block-reduced to at most outRows × outCols (mean or max), for a heatmap. */
  'scan:image': z
    .object({
      ...scanTarget,
      outRows: z.number().int().min(1).max(4096),
      outCols: z.number().int().min(1).max(4096),
      reduce: z.enum(['mean', 'max'])
    })
    .strict(),
  /**
   * One tile of the image of a 2-D view (its slice, then fixed indices; transpose: rows are its second axis):
   * up to 256 × 256 pixels, each the min, max and mean (and NaN/±Inf flags) of a 2^level × 2^level block;
   * tile (ty, tx) covers element rows from ty·256·2^level and columns from tx·256·2^level. sample: a quick
   * preview, one element per pixel. Cached until the data changes.
   */
  'scan:tile': z
    .object({
      session: sessionId,
      slice: z.string().max(2000).optional(),
      fixed: z.array(nonNeg.nullable()).max(32).optional(),
      transpose: z.boolean().optional(),
      level: z.number().int().min(0).max(52),
      ty: nonNeg,
      tx: nonNeg,
      sample: z.boolean().optional()
    })
    .strict(),
  /**
   * Finds the next match (backwards: the previous one) from byte offset start, natively over the whole file:
   * a hex pattern with ?? wildcards, UTF-8 text, or a typed value ('3.5 as <f4'; the array's dtype when no
   * 'as') exactly or within a tolerance. aligned: only at element boundaries of the array. wrap: go on from
   * the other end. Progress events and scan:cancel use scanId.
   */
  'find:run': z
    .object({
      session: sessionId,
      scanId: z.string().min(1).max(64),
      kind: z.enum(['hex', 'text', 'value']),
      text: z.string().min(1).max(10_000),
      tolerance: z.number().nonnegative().finite().optional(),
      aligned: z.boolean().optional(),
      start: byteCount,
      backwards: z.boolean(),
      wrap: z.boolean().optional()
    })
    .strict(),
  /**
   * Finds the next element (backwards: the previous one) of a view from flat C-order index start that is NaN,
   * ±Inf, > value, < value, == value or |x| > value, natively over the whole view (value converted to the
   * array's float type first, as numpy compares with a Python float). wrap: go on from the other end. Progress
   * events and scan:cancel use scanId.
   */
  'find:condition': z
    .object({
      ...scanTarget,
      condition: z.enum(['nan', 'inf', 'gt', 'lt', 'eq', 'absgt']),
      value: z.number().finite().optional(),
      start: byteCount,
      backwards: z.boolean(),
      wrap: z.boolean().optional()
    })
    .strict(),
  /**
   * Statistics along an axis of a 2-D view: for every index of axis keep, the count, mean, min, max and
   * population std of the finite elements of that row or column, natively in one pass (a profile plot).
   */
  'scan:profile': z.object({ ...scanTarget, keep: z.union([z.literal(0), z.literal(1)]) }).strict(),
  /** Stops a running scan (it rejects with code 'cancelled'). */
  'scan:cancel': z.object({ scanId: z.string().min(1).max(64) }).strict(),
  /** Writes bytes at file offsets as one undoable edit (r+: the file's mapping; c: the private copy; r: refused). */
  'edit:apply': z
    .object({
      session: sessionId,
      writes: z
        .array(
          z
            .object({
              offset: byteCount,
              bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes must be a Uint8Array')
            })
            .strict()
        )
        .min(1)
        .max(1_000_000)
    })
    .strict(),
  /** Undoes the last edit (restores the bytes it replaced). */
  'edit:undo': z.object({ session: sessionId }).strict(),
  /** Redoes the last undone edit. */
  'edit:redo': z.object({ session: sessionId }).strict(),
  /** msync: r+ edits reach the disk. In mode c there is nothing to flush: the file is never written. */
  'edit:flush': z.object({ session: sessionId }).strict(),
  /**
   * Exports the array, a view or a selection with numpy's tofile semantics (raw, text, .npy, CSV), written to a
   * temporary file and renamed; progress events; cancel removes everything.
   */
  'export:run': z
    .object({
      ...scanTarget,
      /** [start, stop) per axis of the target, applied last (a selection). */
      ranges: z
        .array(z.tuple([byteCount, byteCount]))
        .max(32)
        .optional(),
      out: z.string().min(1).max(4096),
      as: z.enum(['raw', 'text', 'npy', 'csv']),
      sep: z.string().max(100).optional(),
      fmt: z.string().max(100).optional(),
      toDtype: z.string().max(100).optional(),
      /** How toDtype casts: numpy's names, or 'checked' (default: refuse a value that does not fit). */
      casting: z.enum(CASTINGS).optional(),
      sidecar: z.boolean().optional(),
      /** Replace an existing file (the UI asks first); otherwise an existing file is refused. */
      overwrite: z.boolean().optional()
    })
    .strict(),
  /**
   * Rewrites a .npy header in place (r+ or c, undoable): dtype, shape, fortran_order. The data must keep its
   * size and place: the header is re-padded to the same length (promoted to version 2 when needed).
   */
  'npy:header': z
    .object({
      session: sessionId,
      dtype: z.string().min(1).max(20_000),
      shape: z.array(nonNeg).max(32),
      fortranOrder: z.boolean()
    })
    .strict(),
  /** The named byte offsets remembered for a file. */
  'bookmarks:get': z.object({ path: z.string().min(1).max(4096) }).strict(),
  /** Replaces a file's bookmarks. */
  'bookmarks:set': z
    .object({
      path: z.string().min(1).max(4096),
      bookmarks: z.array(z.object({ name: z.string().min(1).max(200), offset: byteCount }).strict()).max(1000)
    })
    .strict(),
  /** Cancels a running export: no file is left behind. */
  'export:cancel': z.object({ scanId: z.string().min(1).max(64) }).strict(),
  /** The tabs, views, cursors and panels saved by the last page (restored after a reload or restart). */
  'workspace:get': z.object({}).strict(),
  /** Saves the page's tabs, views, cursors and panels. */
  'workspace:set': z.object({ workspace: workspaceSchema }).strict()
} as const

export type Channel = keyof typeof requestSchemas
export type Request<C extends Channel> = z.infer<(typeof requestSchemas)[C]>
export type LayoutSpecMsg = z.infer<typeof layoutSpecSchema>
export type View = z.infer<typeof viewSchema>
export type ModeName = z.infer<typeof modeSchema>

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

export interface SessionInfo {
  session: string
  /** The file mapped: the container, a shard, or a temporary decompressed copy. */
  path: string
  fileSize: number
  mode: ModeName
  format: 'raw' | 'npy' | ContainerFormat
  layout: LayoutInfo
  /** Set when the session is an array of a container. */
  array?: ArrayInfo
  /** Set when the session is a derived array of two others (read-only, computed as it is read). */
  derived?: { kind: 'absdiff' | 'diff' | 'ulp'; label: string; a: string; b: string; pathB: string }
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
  initial: { path: string; layout: LayoutSpecMsg | null; mode: ModeName; array?: string } | null
}

export interface ProbeResult {
  path: string
  size: number
  mtimeMs: number
  /** The layout a .npy header gives, or null for a raw file. */
  npy: LayoutSpecMsg | null
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
  'scan:tile': { level: number; ty: number; tx: number; rows: number; cols: number; pixels: Uint8Array }
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
  'session:close': { closed: true }
  'window:get': WindowResult
  'bytes:get': { offset: number; bytes: Uint8Array }
  'dialog:openFile': { path: string | null }
  'dir:list': DirListing
  'container:list': ContainerListing
  'diff:run': DiffSummary
  'diff:window': { row0: number; col0: number; rows: number; cols: number; mask: Uint8Array }
  'session:derive': SessionInfo
}
export type Response<C extends Channel> = Responses[C]

/** How far a long operation (a scan, a find, an export) has got. */
export interface Progress {
  scanId: string
  /** Units done and in all (elements; byte positions for find). */
  done: number
  total: number
  /** Bytes of the file read per second over the last seconds, once measurable. */
  bytesPerSecond?: number
  /** The time left at that rate, in seconds. */
  secondsLeft?: number
}

/** The desktop menu's commands (Electron only). */
export type MenuCommand = 'open' | 'closeTab' | 'recipe'

/** Events pushed from the Node side. */
export interface Events {
  /** A desktop menu item was chosen (Electron only; serve mode has no menu). */
  'menu:command': MenuCommand
  /** The file behind a session changed on disk (size or mtime), by another process. */
  'session:changed': { session: string; size: number; mtimeMs: number }
  /** A session's data was edited (or an edit undone): views refresh the changed ranges. */
  'session:edited': EditState
  /** How far an export has got. */
  'export:progress': Progress
  /** How far a scan has got. */
  'scan:progress': Progress
}
export type EventName = keyof Events

export const CHANNELS: readonly Channel[] = CHANNEL_NAMES
// Compile-time checks that channels.ts lists exactly the channels and events declared here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const channelsMatch: Same<(typeof CHANNEL_NAMES)[number], Channel> = true
const eventsMatch: Same<(typeof EVENT_NAMES)[number], EventName> = true
void channelsMatch
void eventsMatch

export type { ErrorCode } from './errors'

/** The one error type that crosses the contract: a code and a message meant for the user. */
export class ApiError extends CodedError {
  constructor(code: ErrorCode, message: string) {
    super(code, message)
    this.name = 'ApiError'
  }
}

/** The API as the renderer sees it, whichever the transport. */
export interface Api {
  invoke<C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>>
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
}

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value)
}

/** Validates a request against its channel's schema; throws ApiError('bad-request') naming what was wrong. */
export function parseRequest<C extends Channel>(channel: C, payload: unknown): Request<C> {
  const result = requestSchemas[channel].safeParse(payload)
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : ''
    throw new ApiError('bad-request', `invalid ${channel} request${where}: ${issue?.message ?? 'malformed'}`)
  }
  return result.data as Request<C>
}
