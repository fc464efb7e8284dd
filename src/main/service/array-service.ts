// ArrayService: sessions over memory mappings — open, windows, bytes, close. Imports no Electron: it runs in
// Electron's main process, in serve mode and in the CLI. Every request is validated against the contract's
// schema here, whichever transport carried it.
import { runFind } from './find'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import pathModule from 'node:path'
import {
  ApiError,
  parseRequest,
  type AppInfo,
  type EditState,
  type Channel,
  type Events,
  type EventName,
  type LayoutInfo,
  type LayoutSpecMsg,
  type Request,
  type Response,
  type SessionInfo,
  type View
} from '../../shared/contract'
import { formatShape, resolveLayout, type Layout } from '../../shared/layout'
import { applySlice, parseSlice, type ArrayView } from '../../shared/slice'
import { parseNpyHeader, writeNpyHeader } from '../../shared/npy'
import type { PyValue } from '../../shared/py-literal'
import { dtypeDescr, parseDType } from '../../shared/structured'
import { toApiError } from './errors'
import { EditLog } from './edit-log'
import { runBlocks, runBuckets, runStats, ScanRegistry, f64Bytes } from './scan'
import { Bookmarks, RecentFiles } from './recent'
import { proposeLayouts } from '../../shared/solver'
import { probeFile } from './file-probe'
import { exportView, sidecarPath } from './export'
import { checkExportTarget } from './export-target'
import { identityOf, sameFile, type FileIdentity } from './file-identity'
import { native, type Mapping } from './native'
import { PathPolicy } from './path-policy'

export interface Session {
  id: string
  mapping: Mapping
  edits: EditLog
  layout: Layout
  info: SessionInfo
  stat: { size: number; mtimeMs: number }
  /** The mapped file's device and inode: is the path still this file? */
  identity: FileIdentity
}

export interface ServiceOptions {
  /** What app:info reports. */
  appInfo?: Omit<AppInfo, 'version'>
  /** Called for events pushed to the renderer. */
  emit?: <E extends EventName>(event: E, payload: Events[E]) => void
  /** Where recent files are remembered (a JSON file); none: not remembered. */
  recentFile?: string
  /** How often open files are checked for changes by other processes (ms); 0 disables the timer. */
  watchIntervalMs?: number
  /** Serve mode's --root: requests reach only paths under this folder (null or absent: any path). */
  root?: string | null
}

export const VERSION = '0.1.0'

function layoutInfo(l: Layout): LayoutInfo {
  return {
    dtype: l.dtype.str,
    shape: l.shape,
    strides: l.strides,
    offset: l.offset,
    order: l.order,
    itemsize: l.dtype.itemsize,
    size: l.size,
    nbytes: l.nbytes
  }
}

export class ArrayService {
  private readonly sessions = new Map<string, Session>()
  private timer: NodeJS.Timeout | undefined
  private readonly recent: RecentFiles | null
  private readonly bookmarks: Bookmarks | null
  private readonly exports = new Map<string, () => void>()
  /** The sessions each client (a WebSocket, a window) opened, closed when it goes. */
  private readonly owned = new Map<string, Set<string>>()
  readonly paths: PathPolicy
  private readonly scans = new ScanRegistry((id, done, total) =>
    this.options.emit?.('scan:progress', { scanId: id, done, total })
  )

  constructor(private readonly options: ServiceOptions = {}) {
    this.paths = new PathPolicy(options.root)
    this.recent = options.recentFile ? new RecentFiles(options.recentFile) : null
    this.bookmarks = options.recentFile
      ? new Bookmarks(pathModule.join(pathModule.dirname(options.recentFile), 'bookmarks.json'))
      : null
    const every = options.watchIntervalMs ?? 2000
    if (every > 0) {
      this.timer = setInterval(() => this.checkForChanges(), every)
      this.timer.unref()
    }
  }

  /**
   * Validates and runs one request; rejects only with ApiError. client names the connection or window asking:
   * the sessions it opens are closed by closeClient(client) when it goes.
   */
  async handle<C extends Channel>(channel: C, payload: unknown, client?: string): Promise<Response<C>> {
    try {
      const request = parseRequest(channel, payload)
      const response = await this.dispatch(channel, request)
      if (client !== undefined && channel === 'session:open') {
        const id = (response as Response<'session:open'>).session
        const set = this.owned.get(client) ?? new Set<string>()
        set.add(id)
        this.owned.set(client, set)
      }
      return response
    } catch (error) {
      throw toApiError(error)
    }
  }

  /**
   * Closes every session a client opened (its WebSocket closed, its window went): nobody is left to ask, so
   * unflushed r+ edits are discarded — the file is put back as it was at the last flush, as closing a tab and
   * choosing Discard does (a page reload warns first, and its "changes may not be saved" is then true).
   */
  closeClient(client: string): void {
    const ids = this.owned.get(client)
    this.owned.delete(client)
    for (const id of ids ?? []) {
      try {
        this.close(id, 'discard')
      } catch {
        // the bytes could not be put back (the file was truncated meanwhile): nobody is left to tell
        const s = this.sessions.get(id)
        if (s) this.drop(s)
      }
    }
  }

  /** closeClient for every client (serve mode stopping: its pages lose their connection either way). */
  closeClients(): void {
    for (const client of [...this.owned.keys()]) this.closeClient(client)
  }

  /** Flushes every session of a client with unflushed edits (a window closing after "Flush"). */
  flushClient(client: string): void {
    for (const id of this.owned.get(client) ?? []) {
      const s = this.sessions.get(id)
      if (s?.edits.unsaved && s.mapping.mode !== 'c') this.edited(this.writable(s).edits.flush())
    }
  }

  /** Whether a client has sessions whose edits closing would lose. */
  clientHasUnsaved(client: string): boolean {
    return [...(this.owned.get(client) ?? [])].some((id) => this.sessions.get(id)?.edits.unsaved)
  }

  /**
   * A session about to write its file (an edit, undo, redo, flush): in r+ and w+ the path must still name the
   * mapped file. Replaced (a rename over it) or deleted, the mapping still writes the old inode, and edits would
   * vanish with it; they are refused instead, before any byte moves.
   */
  private writable(s: Session): Session {
    if (s.mapping.mode !== 'r+' && s.mapping.mode !== 'w+') return s
    const now = identityOf(s.info.path)
    if (now && sameFile(now, s.identity)) return s
    s.edits.externallyChanged = true
    throw new ApiError(
      'changed',
      `${s.info.path} was ${now ? 'replaced by another file' : 'deleted or renamed'} since it was opened: ` +
        `edits would go to the old file, which no longer has that name. Close it and open the path again`
    )
  }

  /** Rewrites a .npy header in place, through the edit log (so undo restores it). */
  private rewriteHeader(r: Request<'npy:header'>): EditState {
    const s = this.session(r.session)
    if (s.info.format !== 'npy') throw new ApiError('bad-request', 'only .npy files have a header to edit')
    const dtype = parseDType(r.dtype)
    const nbytes = r.shape.reduce((a, b) => a * b, 1) * dtype.itemsize
    const dataBytes = s.mapping.size - s.layout.offset
    if (nbytes !== dataBytes) {
      throw new ApiError(
        'layout',
        `shape ${formatShape(r.shape)} of ${dtype.str} needs ${nbytes} bytes; the file holds ${dataBytes} bytes of data after its header`
      )
    }
    let header: Uint8Array
    try {
      header = writeNpyHeader(dtypeDescr(dtype) as PyValue, r.fortranOrder, r.shape, s.layout.offset)
    } catch (e) {
      throw new ApiError('layout', `${(e as Error).message}: export as .npy to write a new file instead`)
    }
    return s.edits.apply([{ offset: 0, bytes: header }])
  }

  /** Reads a .npy session's header again after its bytes changed (an edit, an undo). */
  private refreshHeader(s: Session): SessionInfo | undefined {
    const head = new Uint8Array(Math.min(s.mapping.size, s.layout.offset))
    s.mapping.read(0, head)
    const h = parseNpyHeader(head)
    const spec = {
      dtype: typeof h.descr === 'string' ? h.descr : JSON.stringify(h.descr),
      shape: h.shape,
      offset: h.dataOffset,
      order: h.fortranOrder ? ('F' as const) : ('C' as const)
    }
    s.layout = resolveLayout(spec, s.mapping.size, s.mapping.mode)
    s.info = { ...s.info, layout: layoutInfo(s.layout) }
    return s.info
  }

  /** Tells every view of the session (other windows too) what changed; our own writes are not external changes. */
  private edited(state: EditState): EditState {
    const s = this.sessions.get(state.session)
    if (s && s.info.format === 'npy' && state.changed.some((c) => c.offset < s.layout.offset)) {
      try {
        state = { ...state, info: this.refreshHeader(s) }
      } catch (e) {
        throw new ApiError('layout', `the edited header does not parse: ${(e as Error).message} (undo restores it)`)
      }
    }
    if (s && s.mapping.mode !== 'c') {
      try {
        s.stat = s.mapping.stat()
      } catch {
        /* closed meanwhile */
      }
    }
    this.options.emit?.('session:edited', state)
    return state
  }

  /** The view a scan request names: slice, then the fixed indices (null keeps an axis). */
  private scanTarget(r: { session: string; slice?: string; fixed?: (number | null)[] }): ArrayView {
    const s = this.session(r.session)
    let view: ArrayView = r.slice ? sliced(s.layout, r.slice) : s.layout
    if (r.fixed) {
      if (r.fixed.length !== view.shape.length) {
        throw new ApiError('bad-request', `fixed has ${r.fixed.length} entries, the view has ${view.shape.length} axes`)
      }
      view = sliced(view, r.fixed.map((i) => (i === null ? ':' : String(i))).join(', '))
    }
    return view
  }

  private dispatch<C extends Channel>(channel: C, request: Request<C>): Response<C> {
    // One entry per channel; the casts are sound because the key selects both sides.
    const table: { [K in Channel]: (r: Request<K>) => Response<K> | Promise<Response<K>> } = {
      'app:info': () => ({ version: VERSION, transport: 'serve', initial: null, ...this.options.appInfo }),
      'file:probe': (r) => {
        const p = probeFile(this.paths.resolve(r.path), (f) => this.paths.allows(f))
        return { ...p, recent: this.recent?.match(p.path, p.size, p.mtimeMs) ?? null }
      },
      'file:propose': (r) => this.propose(this.paths.resolve(r.path)),
      'file:preview': (r) => this.preview(this.paths.resolve(r.path), r.layout),
      'recent:list': () => ({ files: (this.recent?.list() ?? []).filter((f) => this.paths.allows(f.path)) }),
      'session:open': (r) => this.open(r),
      'session:close': (r) => this.close(r.session, r.unflushed ?? 'discard'),
      'window:get': (r) => this.window(r),
      'bytes:get': (r) => this.bytes(r),
      'dialog:openFile': () => {
        throw new ApiError('unavailable', 'the open-file dialog exists only in the desktop app: type a path instead')
      },
      'scan:stats': (r) =>
        this.scans.run(r.scanId, (progress) =>
          runStats(this.session(r.session).mapping, this.scanTarget(r), { bins: r.bins, onProgress: progress })
        ),
      'scan:line': (r) =>
        this.scans
          .run(r.scanId, () =>
            runBuckets(this.session(r.session).mapping, this.scanTarget(r), r.start, r.stop, r.buckets)
          )
          .then((b) => ({
            start: r.start,
            stop: r.stop,
            buckets: b.min.length,
            min: f64Bytes(b.min),
            max: f64Bytes(b.max)
          })),
      'scan:image': (r) =>
        this.scans
          .run(r.scanId, () =>
            runBlocks(this.session(r.session).mapping, this.scanTarget(r), r.outRows, r.outCols, r.reduce)
          )
          .then((b) => ({ rows: b.rows, cols: b.cols, values: f64Bytes(b.values) })),
      'scan:cancel': (r) => ({ cancelled: this.scans.cancel(r.scanId) }),
      'find:run': ({ session, scanId, ...query }) =>
        this.scans.run(scanId, (progress) => {
          const s = this.session(session)
          return runFind(s.mapping, s.layout, query, progress)
        }),
      'export:run': async (r) => {
        const s = this.session(r.session)
        let view = this.scanTarget(r)
        if (r.ranges) view = sliced(view, r.ranges.map(([a, b]) => `${a}:${b}`).join(', '))
        let cancelled = false
        this.exports.set(r.scanId, () => (cancelled = true))
        try {
          const out = this.paths.resolve(r.out)
          const source = { path: s.info.path, identity: s.identity }
          checkExportTarget(out, source, r.overwrite === true, 'confirm')
          if (r.sidecar && r.as === 'raw') checkExportTarget(sidecarPath(out), source, r.overwrite === true, 'confirm')
          const { bytes } = await exportView(
            s.mapping,
            view,
            { as: r.as, out, sep: r.sep, fmt: r.fmt, toDtype: r.toDtype, sidecar: r.sidecar },
            {
              cancelled: () => cancelled,
              onProgress: (done, total) => this.options.emit?.('export:progress', { scanId: r.scanId, done, total })
            }
          )
          return { out, bytes }
        } finally {
          this.exports.delete(r.scanId)
        }
      },
      'export:cancel': (r) => {
        const cancel = this.exports.get(r.scanId)
        cancel?.()
        return { cancelled: Boolean(cancel) }
      },
      'npy:header': (r) => {
        this.writable(this.session(r.session))
        return this.edited(this.rewriteHeader(r))
      },
      'bookmarks:get': (r) => ({ bookmarks: this.bookmarks?.get(this.paths.resolve(r.path)) ?? [] }),
      'bookmarks:set': (r) => {
        if (!this.bookmarks) throw new ApiError('unavailable', 'bookmarks are not kept in this mode')
        this.bookmarks.set(this.paths.resolve(r.path), r.bookmarks)
        return { bookmarks: r.bookmarks }
      },
      'edit:apply': (r) => this.edited(this.writable(this.session(r.session)).edits.apply(r.writes)),
      'edit:undo': (r) => this.edited(this.writable(this.session(r.session)).edits.undo()),
      'edit:redo': (r) => this.edited(this.writable(this.session(r.session)).edits.redo()),
      // edited() re-reads the file's stat: our own write is not "changed by another process"
      'edit:flush': (r) => this.edited(this.writable(this.session(r.session)).edits.flush())
    }
    return (table[channel] as (r: Request<C>) => Response<C> | Promise<Response<C>>)(request) as Response<C>
  }

  open(r: Request<'session:open'>): SessionInfo {
    const path = this.paths.resolve(r.path)
    let mapping: Mapping
    let layout: Layout
    let format: SessionInfo['format'] = 'raw'
    if (r.mode === 'w+') {
      const spec = r.layout
      if (!spec) throw new ApiError('layout', 'mode w+ creates a file: give its dtype and shape')
      if (spec.shape === null) throw new ApiError('layout', 'mode w+ needs a shape for the new file')
      layout = resolveLayout(spec, 0, 'w+')
      // w+ truncates: an existing file is replaced only when the request says so (the UI asks first)
      if (!r.overwrite && fs.existsSync(path)) {
        throw new ApiError(
          'exists',
          `${path} exists: mode w+ would replace it with a new zero-filled file; confirm the replacement ` +
            `(overwrite), open it with r+ to edit it, or choose another name`
        )
      }
      mapping = new (native().Mapping)(path, 'w+', layout.offset + layout.nbytes)
    } else {
      // a missing file or a folder is reported as such, before anything else; the probe also reads the
      // .npy header and any export sidecar
      const { npy, sidecar } = probeFile(path, (f) => this.paths.allows(f))
      // Map before any layout check: a file that cannot be opened in this mode (permissions) says so first.
      mapping = new (native().Mapping)(path, r.mode)
      // Browsing reads small scattered windows: readahead around every fault would only cost.
      mapping.advise('random')
      try {
        const spec = r.layout ?? npy ?? sidecar
        if (!spec) {
          throw new ApiError(
            'layout',
            `${path} has no header ArrayScope can read: give its layout (dtype, shape, offset, order)`
          )
        }
        if (npy) format = 'npy'
        layout = resolveLayout(spec, mapping.size, r.mode)
      } catch (e) {
        mapping.close()
        throw e
      }
    }
    const id = randomUUID()
    const info: SessionInfo = {
      session: id,
      path,
      fileSize: mapping.size,
      mode: r.mode,
      format,
      layout: layoutInfo(layout)
    }
    const { size, mtimeMs, ino, dev } = mapping.stat()
    const stat = { size, mtimeMs }
    const identity = { ino, dev }
    this.sessions.set(id, { id, mapping, layout, info, stat, identity, edits: new EditLog(id, mapping) })
    this.recent?.record({
      path,
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      layout: { dtype: layout.dtype.str, shape: layout.shape, offset: layout.offset, order: layout.order },
      mode: r.mode === 'w+' ? 'r+' : r.mode,
      openedAt: Date.now()
    })
    return info
  }

  /** Ranked layouts for a file, from samples of its bytes (never the whole file). */
  propose(path: string): Response<'file:propose'> {
    const probe = probeFile(path)
    if (probe.size === 0) return { candidates: [] }
    const m = new (native().Mapping)(path, 'r')
    try {
      m.advise('random')
      const read = (offset: number, length: number): Uint8Array => {
        const out = new Uint8Array(Math.max(0, Math.min(length, m.size - offset)))
        m.read(offset, out)
        return out
      }
      return { candidates: proposeLayouts({ fileSize: m.size, fileName: path, read, npy: probe.npy as never }) }
    } finally {
      m.close()
    }
  }

  /** Up to 8×8 leading elements of the default view of a file read with a layout. */
  preview(path: string, spec: LayoutSpecMsg): Response<'file:preview'> {
    const m = new (native().Mapping)(path, 'r')
    try {
      const layout = resolveLayout(spec, m.size, 'r')
      const nd = layout.shape.length
      const view: View = {
        rowAxis: nd >= 1 ? Math.max(0, nd - 2) : null,
        colAxis: nd >= 2 ? nd - 1 : null,
        index: layout.shape.map(() => 0)
      }
      const g = viewGeometry(layout, view)
      const rows = Math.min(8, g.rowsTotal)
      const cols = Math.min(8, g.colsTotal)
      const bytes = new Uint8Array(rows * cols * layout.dtype.itemsize)
      if (bytes.length) {
        m.gather(
          { base: g.base, rows, cols, rowStride: g.rowStride, colStride: g.colStride, itemsize: layout.dtype.itemsize },
          bytes
        )
      }
      return { rows, cols, shape: layout.shape, dtype: layout.dtype.str, bytes }
    } finally {
      m.close()
    }
  }

  /**
   * Closes a session. Unflushed r+ / w+ edits are flushed, or discarded: every byte written since the last flush
   * is put back from the edit log first (c's private copy simply goes). The mapping is closed either way.
   */
  close(id: string, unflushed: 'flush' | 'discard' = 'discard'): { closed: true } {
    const s = this.sessions.get(id)
    if (!s) return { closed: true }
    // A flush or discard that fails (a full disk, a replaced file) leaves the session open, so the user can
    // choose again; nothing is closed on an error they have not seen.
    if (s.edits.unsaved && s.mapping.mode !== 'c') {
      if (unflushed === 'flush') this.writable(s).edits.flush()
      else s.edits.discard()
    }
    this.drop(s)
    return { closed: true }
  }

  /** Unmaps a session whatever state its edits are in. */
  private drop(s: Session): void {
    for (const set of this.owned.values()) set.delete(s.id)
    s.mapping.close()
    this.sessions.delete(s.id)
  }

  /** Unmaps every session as it is (r+ edits stay in the file, as when numpy's process ends). */
  closeAll(): void {
    this.scans.cancelAll()
    for (const s of [...this.sessions.values()]) this.drop(s)
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  session(id: string): Session {
    const s = this.sessions.get(id)
    if (!s) throw new ApiError('closed', `no open session ${id}: the file was closed; open it again`)
    return s
  }

  window(r: Request<'window:get'>): Response<'window:get'> {
    const s = this.session(r.session)
    const view = r.view.slice ? sliced(s.layout, r.view.slice) : s.layout
    const { base, rowStride, colStride, rowsTotal, colsTotal } = viewGeometry(view, r.view)
    if (r.row0 > rowsTotal || r.col0 > colsTotal) {
      throw new ApiError(
        'bad-request',
        `window starts at (${r.row0}, ${r.col0}), the view has ${rowsTotal}×${colsTotal}`
      )
    }
    const rows = Math.min(r.rows, rowsTotal - r.row0)
    const cols = Math.min(r.cols, colsTotal - r.col0)
    const itemsize = s.layout.dtype.itemsize
    const bytes = new Uint8Array(rows * cols * itemsize)
    if (bytes.length === 0) {
      return { generation: r.generation, row0: r.row0, col0: r.col0, rows, cols, dtype: s.layout.dtype.str, bytes }
    }
    s.mapping.gather(
      { base: base + r.row0 * rowStride + r.col0 * colStride, rows, cols, rowStride, colStride, itemsize },
      bytes
    )
    return { generation: r.generation, row0: r.row0, col0: r.col0, rows, cols, dtype: s.layout.dtype.str, bytes }
  }

  bytes(r: Request<'bytes:get'>): Response<'bytes:get'> {
    const s = this.session(r.session)
    const size = s.mapping.size
    if (r.offset > size)
      throw new ApiError('bad-request', `offset ${r.offset} is beyond the end of the file (${size} bytes)`)
    const bytes = new Uint8Array(Math.min(r.length, size - r.offset))
    s.mapping.read(r.offset, bytes)
    return { offset: r.offset, bytes }
  }

  /** Emits session:changed for files another process has changed since the last check. */
  checkForChanges(): void {
    for (const s of this.sessions.values()) {
      let now: { size: number; mtimeMs: number }
      let replaced = false
      try {
        now = fs.statSync(s.info.path)
        const id = identityOf(s.info.path)
        replaced = !id || !sameFile(id, s.identity)
      } catch {
        now = { size: -1, mtimeMs: -1 }
      }
      if (replaced || now.size !== s.stat.size || now.mtimeMs !== s.stat.mtimeMs) {
        s.stat = { size: now.size, mtimeMs: now.mtimeMs }
        s.edits.externallyChanged = true
        this.options.emit?.('session:changed', { session: s.id, size: now.size, mtimeMs: now.mtimeMs })
      }
    }
  }
}

/** A layout with numpy basic indexing applied; slice errors become bad requests. */
export function sliced(layout: ArrayView, expr: string): ArrayView {
  try {
    return applySlice(layout, parseSlice(expr))
  } catch (e) {
    throw new ApiError('bad-request', (e as Error).message)
  }
}

/** Where a 2-D view of an N-D array view starts and how it steps, with bounds checked. */
export function viewGeometry(
  layout: ArrayView,
  view: View
): { base: number; rowStride: number; colStride: number; rowsTotal: number; colsTotal: number } {
  const nd = layout.shape.length
  const { rowAxis, colAxis, index } = view
  if (index.length !== nd)
    throw new ApiError('bad-request', `view index has ${index.length} entries, the array has ${nd} axes`)
  for (const axis of [rowAxis, colAxis]) {
    if (axis !== null && axis >= nd)
      throw new ApiError('bad-request', `axis ${axis} does not exist: the array has ${nd} axes`)
  }
  if (rowAxis !== null && rowAxis === colAxis)
    throw new ApiError('bad-request', 'rows and columns must be different axes')
  let base = layout.offset
  for (let k = 0; k < nd; k++) {
    if (k === rowAxis || k === colAxis) continue
    const i = index[k]!
    if (i >= layout.shape[k]!) {
      throw new ApiError('bad-request', `index ${i} is out of bounds for axis ${k} with size ${layout.shape[k]}`)
    }
    base += i * layout.strides[k]!
  }
  return {
    base,
    rowStride: rowAxis === null ? 0 : layout.strides[rowAxis]!,
    colStride: colAxis === null ? 0 : layout.strides[colAxis]!,
    rowsTotal: rowAxis === null ? 1 : layout.shape[rowAxis]!,
    colsTotal: colAxis === null ? 1 : layout.shape[colAxis]!
  }
}
