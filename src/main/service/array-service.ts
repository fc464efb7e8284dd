// ArrayService: sessions over memory mappings — open, windows, bytes, close. Imports no Electron: it runs in
// Electron's main process, in serve mode and in the CLI. Every request is validated against the contract's
// schema here, whichever transport carried it.
import pathModule from 'node:path'
import {
  ApiError,
  parseRequest,
  type AppInfo,
  type EditState,
  type Channel,
  type Events,
  type EventName,
  type Request,
  type Response,
  type SessionInfo
} from '../../shared/contract'
import { handlerTable, type HandlerTable, type ServiceContext } from './handlers'
import { TileCache, TileQueue } from './tiles'
import type { CompareSide } from './compare'
import type { ArrayView } from '../../shared/slice'
import { ContainerCache } from './containers'
import { toApiError } from './errors'
import { exportJob, type ExportOptions, type ExportTarget } from './export'
import { textExportJob } from './text-export'
import type { LayoutSpec, TextLayout } from '../../shared/layout'
import { identityOf, sameFile, type FileIdentity } from './file-identity'
import { refreshHeader } from './header-edit'
import { sweepStaleTemps } from './temp-files'
import { ChangeCheck } from './change-check'
import { growSession, untilParsed } from './text-growth'
import { PathPolicy } from './path-policy'
import { prepareRequest } from './remote-service'
import { prepareGzipCopy } from './gzip-copies'
import { Bookmarks, RecentFiles, WorkspaceFile } from './recent'
import { statsJob } from './stats-job'
import { ScanJob, ScanRegistry, type ScanSource, type Stats } from './scan'
import { sliced } from '../../shared/slice'
import { fieldView } from '../../shared/field-view'
import type { OpenContext } from './open'
import type { Session } from './session'

export type { Session } from './session'

export interface ServiceOptions {
  /** What app:info reports. */
  appInfo?: Omit<AppInfo, 'version'>
  /** Called for events pushed to the renderer. */
  emit?: <E extends EventName>(event: E, payload: Events[E]) => void
  /** Where recent files are remembered (a JSON file); none: not remembered. */
  recentFile?: string
  /**
   * How often open files are polled for changes by other processes (ms; default 250, or slower for a low
   * followRate); 0 disables polling and notifications (a test then calls checkForChanges itself).
   */
  watchIntervalMs?: number
  /** At most this many change checks a second, however many file-system notifications come (default 20). */
  followRate?: number
  /** Serve mode's --root: requests reach only paths under this folder (null or absent: any path). */
  root?: string | null
  /** Serve mode's --remote: the URL prefixes requests may name (null or absent: any URL; []: none). */
  remote?: string[] | null
}

export { VERSION } from './version'

export class ArrayService {
  private readonly sessions = new Map<string, Session>()
  /** Notices other programs' changes to open files and tells the views (change-check.ts). */
  private readonly changes: ChangeCheck
  private readonly recent: RecentFiles | null
  private readonly workspace: WorkspaceFile | null
  private readonly bookmarks: Bookmarks | null
  /** Parsed containers; every file one names is read only where the path policy allows. */
  private readonly containers = new ContainerCache(8, (f) => this.paths.allows(f))
  /** The sessions each client (a WebSocket, a window) opened, closed when it goes. */
  private readonly owned = new Map<string, Set<string>>()
  readonly paths: PathPolicy
  private readonly tiles = new TileCache()
  private readonly tileQueue = new TileQueue()
  private readonly scans = new ScanRegistry((event, progress) => this.options.emit?.(event, progress))
  /** What opening a session needs of the service. */
  private readonly opening: OpenContext

  constructor(private readonly options: ServiceOptions = {}) {
    this.paths = new PathPolicy(options.root, options.remote ?? null)
    sweepStaleTemps()
    this.recent = options.recentFile ? new RecentFiles(options.recentFile) : null
    this.workspace = options.recentFile
      ? new WorkspaceFile(pathModule.join(pathModule.dirname(options.recentFile), 'workspace.json'))
      : null
    this.bookmarks = options.recentFile
      ? new Bookmarks(pathModule.join(pathModule.dirname(options.recentFile), 'bookmarks.json'))
      : null
    this.opening = {
      paths: this.paths,
      containers: this.containers,
      recent: this.recent,
      run: (id, start) => this.scans.run(id, start)
    }
    this.changes = new ChangeCheck(
      {
        sessions: () => this.sessions.values(),
        isOpen: (id) => this.sessions.has(id),
        opening: this.opening,
        invalidate: (id) => this.tiles.invalidate(id),
        grow: (s) => this.grow(s),
        emit: options.emit
      },
      options
    )
  }

  /**
   * Validates and runs one request; rejects only with ApiError. client names the connection or window asking:
   * the sessions it opens are closed by closeClient(client) when it goes.
   */
  async handle<C extends Channel>(channel: C, payload: unknown, client?: string): Promise<Response<C>> {
    try {
      const request = parseRequest(channel, payload)
      // a URL is opened, and what its container's parse reads fetched, before the synchronous handlers run
      await prepareRequest(request, this.paths, (url) => this.containers.get(url))
      // a .fits.gz is decompressed (a job with progress and Cancel when opened with one) before it is parsed
      await prepareGzipCopy(channel, request, this.paths, (id, start) => this.scans.run(id, start))
      await untilParsed(channel, request, this.sessions, (s) => this.grow(s))
      const response = await this.dispatch(channel, request)
      // a session a request opened (a file, an array, a derived |A-B|) belongs to the client that asked
      if (client !== undefined && (channel === 'session:open' || channel === 'session:derive')) {
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

  /** Tells every view of the session (other windows too) what changed; our own writes are not external changes. */
  private edited(state: EditState): EditState {
    this.tiles.invalidate(state.session)
    const s = this.sessions.get(state.session)
    if (s && s.info.format === 'npy' && state.changed.some((c) => c.offset < s.layout.offset)) {
      try {
        state = { ...state, info: refreshHeader(s) }
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

  /** The view a scan request names: slice, then the fixed indices (null keeps an axis), then a record's field. */
  private scanTarget(r: { session: string; slice?: string; fixed?: (number | null)[]; field?: string }): ArrayView {
    const s = this.session(r.session)
    let view: ArrayView = r.slice ? sliced(s.layout, r.slice) : s.layout
    if (r.fixed) {
      if (r.fixed.length !== view.shape.length) {
        throw new ApiError('bad-request', `fixed has ${r.fixed.length} entries, the view has ${view.shape.length} axes`)
      }
      view = sliced(view, r.fixed.map((i) => (i === null ? ':' : String(i))).join(', '))
    }
    return r.field === undefined ? view : fieldView(view, r.field)
  }

  /** The dispatch table (handlers/: one module per concern), built on the first request. */
  private table: HandlerTable | undefined

  private dispatch<C extends Channel>(channel: C, request: Request<C>): Response<C> {
    this.table ??= handlerTable(this.context())
    // The cast is sound because the key selects both sides.
    return (this.table[channel] as (r: Request<C>) => Response<C> | Promise<Response<C>>)(request) as Response<C>
  }

  /** What the channel handlers need of the service: its stores, and the session helpers it keeps private. */
  private context(): ServiceContext {
    return {
      paths: this.paths,
      recent: this.recent,
      workspace: this.workspace,
      bookmarks: this.bookmarks,
      containers: this.containers,
      opening: this.opening,
      scans: this.scans,
      appInfo: () => this.options.appInfo,
      session: (id) => this.session(id),
      register: (s) => this.register(s),
      close: (id, unflushed) => this.close(id, unflushed),
      editable: (id) => this.editable(id),
      writable: (s) => this.writable(s),
      edited: (state) => this.edited(state),
      scanTarget: (r) => this.scanTarget(r),
      scannable: (id) => this.scannable(id),
      afterFill: (id, view, progress, make) => this.afterFill(id, view, progress, make),
      streamFill: (id, view, progress, make, options) =>
        this.session(id).source.streamFill(view, progress, make, options),
      comparePair: (a, b, slice) => this.comparePair(a, b, slice),
      tiles: this.tiles,
      tileQueue: this.tileQueue,
      fillFor: (id, view) => this.fillFor(id, view),
      exportOf: (id, view, options, replace, onProgress) => this.exportOf(id, view, options, replace, onProgress),
      shown: (s, key, bytes, read) => this.changes.shown(s, key, bytes, read)
    }
  }

  /**
   * A scan of a session's view; for a chunked HDF5 dataset, after the chunks the view touches are read into its
   * copy (progress and cancel reach both steps).
   */
  private afterFill<T>(
    id: string,
    view: ArrayView,
    progress: ((done: number, total: number) => void) | undefined,
    make: (progress: ((done: number, total: number) => void) | undefined) => ScanJob<T>
  ): ScanJob<T> {
    return this.session(id).source.afterFill(view, progress, make)
  }

  /** For a chunked HDF5 dataset: reads the chunks a view touches into its copy (nothing to do for others). */
  async fillFor(id: string, view: ArrayView): Promise<void> {
    await this.session(id).source.fill(view)?.promise
  }

  /**
   * An export of a view of a session (export:run, the CLI's export): never over the files it reads, an existing
   * file only when replace says so, a chunked dataset's chunks under the view read first (a remote object's
   * contiguous bytes streamed to the file instead: remote-export.ts).
   */
  exportOf(
    id: string,
    view: ArrayView,
    options: ExportOptions,
    replace: Omit<ExportTarget, 'sources'>,
    onProgress?: (done: number, total: number) => void
  ): ScanJob<{ out: string; bytes: number }> {
    const s = this.session(id)
    const r = s.info.derived ? { source: s.source.reader } : s.source.exportReader(view)
    const target = { sources: this.sourcesOf(s), ...replace }
    const job = exportJob(r.source, view, options, target, onProgress, r.prepare, r.stream)
    if (r.close) void job.promise.then(r.close, r.close)
    return job
  }

  /**
   * A whole text array to .npy or raw in one pass, without a session (the CLI's export of a text): the open
   * request validated as session:open validates it, the pass writing straight into the export (text-export.ts).
   */
  exportText(
    open: Request<'session:open'>,
    options: ExportOptions,
    replace: Omit<ExportTarget, 'sources'>,
    onProgress?: (done: number, total: number) => void
  ): ScanJob<{ out: string; bytes: number }> {
    const r = parseRequest('session:open', open)
    if (!r.layout?.text || r.array !== undefined || r.mode !== 'r')
      throw new ApiError('bad-request', 'exportText converts a text file opened in mode r')
    const layout = r.layout as LayoutSpec & { text: TextLayout }
    return textExportJob(this.paths.resolve(r.path), layout, options, replace, onProgress)
  }

  /** Statistics of a view of a session (the CLI's stats): as scan:stats computes them, without the registry. */
  statsOf(
    id: string,
    view: ArrayView,
    options: { bins?: number; range?: [number, number]; onProgress?: (done: number, total: number) => void } = {}
  ): ScanJob<Stats> {
    const s = this.session(id)
    return statsJob(s.source, this.scannable(id), view, options, !!s.info.derived)
  }

  /** What a scan of a session reads: its mapping, and for a quantized tensor its blocks (dequantized per chunk). */
  scannable(id: string): ScanSource {
    const s = this.session(id)
    if (s.info.derived) {
      throw new ApiError(
        'unavailable',
        `${s.info.derived.label} is computed per window from two arrays: its statistics and plots are not scanned; the compare panel's maps show it over the whole array`
      )
    }
    return s.source.scanSource()
  }

  /** The name of the one array of a single-array container (NIfTI, NRRD, ENVI and its data file), if it is one. */
  /** Sessions a and b as the two sides of a comparison, the same slice applied to both. */
  comparePair(aId: string, bId: string, slice?: string): { a: CompareSide; b: CompareSide } {
    const one = (id: string): CompareSide => {
      const s = this.session(id)
      return { scan: this.scannable(id), source: s.source.reader, view: slice ? sliced(s.layout, slice) : s.layout }
    }
    return { a: one(aId), b: one(bId) }
  }

  /** A session that may be edited: arrays whose bytes are not their values refuse with the reason. */
  editable(id: string): Session {
    const s = this.session(id)
    if (s.info.derived)
      throw new ApiError(
        'readonly',
        `editing is refused: ${s.info.derived.label} is computed from two arrays; edit A or B`
      )
    if (s.info.array?.readOnly) throw new ApiError('readonly', `editing is refused: ${s.info.array.readOnly}`)
    return s
  }

  /** Opens one array of a container (safetensors, sharded index, .npz, GGUF) as a session. */
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

  /** Unmaps a session whatever state its edits are in (and removes its temporary copy). */
  private drop(s: Session): void {
    for (const set of this.owned.values()) set.delete(s.id)
    this.tiles.drop(s.id)
    s.source.close()
    this.sessions.delete(s.id)
    this.changes.forget(s.id)
  }

  /** The files an export of a session must not replace: the mapped file, and the container (or text) it is from. */
  sourcesOf(s: Session): { path: string; identity: FileIdentity }[] {
    const sources = [{ path: s.info.path, identity: s.identity }]
    const container = s.info.array?.container ?? s.info.text?.path
    const id = container ? identityOf(container) : null
    if (container && id) sources.push({ path: container, identity: id })
    return sources
  }

  /** Unmaps every session as it is (r+ edits stay in the file, as when numpy's process ends). */
  closeAll(): void {
    this.scans.cancelAll()
    for (const s of [...this.sessions.values()]) this.drop(s)
    this.changes.close()
  }

  /** Keeps a session just opened; what its client sees of it. */
  private register(s: Session): SessionInfo {
    this.sessions.set(s.id, s)
    this.changes.watchFiles()
    return s.info
  }

  session(id: string): Session {
    const s = this.sessions.get(id)
    if (!s) throw new ApiError('closed', `no open session ${id}: the file was closed; open it again`)
    return s
  }

  /** A text array opened before its pass ended: its next layout, told to its views (text-growth.ts). */
  private grow(s: Session): void {
    const next = growSession(s)
    if (next?.grown) this.tiles.invalidate(s.id)
    if (next) this.options.emit?.('session:edited', next.state)
  }

  /** Tells the views of sessions whose file another program changed since the last check (change-check.ts). */
  checkForChanges(): void {
    this.changes.check()
  }
}

export { sliced, viewGeometry } from '../../shared/slice'

export { entryLayout, scaledLayout } from './entry-layout'
