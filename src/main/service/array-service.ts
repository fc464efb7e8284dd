// ArrayService: sessions over memory mappings — open, windows, bytes, close. Imports no Electron: it runs in
// Electron's main process, in serve mode and in the CLI. Every request is validated against the contract's
// schema here, whichever transport carried it.
import packageJson from '../../../package.json'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import pathModule from 'node:path'
import {
  ApiError,
  parseRequest,
  workspaceSchema,
  type AppInfo,
  type EditState,
  type Channel,
  type Events,
  type EventName,
  type Request,
  type Response,
  type SessionInfo
} from '../../shared/contract'
import { runTile, TileCache, TileQueue, tileRegion } from './tiles'
import {
  compareRun,
  derivedInfo,
  derivedLayout,
  diffSummary,
  DerivedSource,
  windowMask,
  type CompareSide
} from './compare'
import { describeScaling, listFolder, shortened } from '../../shared/containers'
import { formatShape } from '../../shared/layout'
import type { ArrayView } from '../../shared/slice'
import { ContainerCache } from './containers'
import { toApiError } from './errors'
import { exportJob, type ExportOptions, type ExportTarget } from './export'
import { identityOf, sameFile, type FileIdentity } from './file-identity'
import { probeFile } from './file-probe'
import { listDir } from './dir-list'
import { previewOf, proposeFor } from './file-preview'
import { runCondition, runProfile } from './along'
import { runFind } from './find'
import { refreshHeader, rewriteHeader } from './header-edit'
import { removeTemp } from './inflate'
import { native } from './native'
import { PathPolicy } from './path-policy'
import { Bookmarks, RecentFiles, WorkspaceFile } from './recent'
import {
  runBlocks,
  runBuckets,
  runStats,
  ScanJob,
  ScanRegistry,
  f64Bytes,
  scanStats,
  type ScanSource,
  type Stats
} from './scan'
import { sliced, viewGeometry } from '../../shared/slice'
import { openSession, type OpenContext } from './open'
import { newSession, type Session } from './session'

export type { Session } from './session'

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

/** The app's version: package.json's, the one source. */
export const VERSION: string = packageJson.version

export class ArrayService {
  private readonly sessions = new Map<string, Session>()
  private timer: NodeJS.Timeout | undefined
  private readonly recent: RecentFiles | null
  private readonly workspace: WorkspaceFile | null
  private readonly bookmarks: Bookmarks | null
  private readonly containers = new ContainerCache()
  /** The sessions each client (a WebSocket, a window) opened, closed when it goes. */
  private readonly owned = new Map<string, Set<string>>()
  readonly paths: PathPolicy
  private readonly tiles = new TileCache()
  private readonly tileQueue = new TileQueue()
  private readonly scans = new ScanRegistry((event, progress) => this.options.emit?.(event, progress))
  /** What opening a session needs of the service. */
  private readonly opening: OpenContext

  constructor(private readonly options: ServiceOptions = {}) {
    this.paths = new PathPolicy(options.root)
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
      'file:propose': (r) => proposeFor(this.paths.resolve(r.path)),
      'file:preview': (r) => previewOf(this.paths.resolve(r.path), r.layout),
      'recent:list': () => ({
        // the list is a file on disk: an entry without a path (edited by hand) is dropped, not trusted
        files: (this.recent?.list() ?? []).filter((f) => typeof f?.path === 'string' && this.paths.allows(f.path))
      }),
      'session:open': async (r) => this.register(await openSession(r, this.opening)),
      'container:list': (r) => {
        const path = this.paths.resolve(r.path)
        const c = this.containers.require(path)
        return {
          ...listFolder(c, r.folder ?? [], r.filter ?? '', r.limit ?? 2000),
          path,
          format: c.format,
          fileSize: fs.statSync(path).size,
          metadata: shortened(c.metadata) as Record<string, never>
        }
      },
      'session:close': (r) => this.close(r.session, r.unflushed ?? 'discard'),
      'diff:run': (r) => {
        const { a, b } = this.comparePair(r.a, r.b, r.slice)
        return this.scans
          .run(
            r.scanId,
            (progress) => {
              // chunked HDF5 datasets: their copies are filled where the views look first
              const sides = [
                [this.session(r.a), a.view],
                [this.session(r.b), b.view]
              ] as const
              if (!sides.some(([s]) => s.chunked)) return compareRun(a, b, r, { onProgress: progress })
              return new ScanJob(async (track) => {
                for (const [s, v] of sides) if (s.chunked) await track(s.chunked.fill(this.copyView(s, v), progress))
                return await track(compareRun(a, b, r, { onProgress: progress }))
              })
            },
            a.view.dtype.itemsize + b.view.dtype.itemsize
          )
          .then((report) => diffSummary(report, a.view, b.view))
      },
      'diff:window': (r) => {
        const { a, b } = this.comparePair(r.a, r.b, r.view.slice)
        return windowMask(a, b, r)
      },
      'session:derive': (r) => this.derive(r),
      'window:get': (r) => this.window(r),
      'bytes:get': (r) => this.bytes(r),
      'dir:list': (r) => listDir(this.paths, r.path),
      'dialog:openFile': () => {
        throw new ApiError('unavailable', 'the open-file dialog exists only in the desktop app: type a path instead')
      },
      'scan:stats': (r) => {
        const view = this.scanTarget(r)
        return this.scans
          .run(
            r.scanId,
            (progress) =>
              this.afterFill(r.session, view, progress, () =>
                runStats(this.scannable(r.session), view, { bins: r.bins, onProgress: progress })
              ),
            view.dtype.itemsize
          )
          .then(scanStats)
      },
      'scan:line': (r) =>
        this.scans
          .run(r.scanId, (progress) => {
            const view = this.scanTarget(r)
            return this.afterFill(r.session, view, progress, () =>
              runBuckets(this.scannable(r.session), view, r.start, r.stop, r.buckets)
            )
          })
          .then((b) => ({
            start: r.start,
            stop: r.stop,
            buckets: b.min.length,
            min: f64Bytes(b.min),
            max: f64Bytes(b.max)
          })),
      'scan:image': (r) =>
        this.scans
          .run(r.scanId, (progress) => {
            const view = this.scanTarget(r)
            return this.afterFill(r.session, view, progress, () =>
              runBlocks(this.scannable(r.session), view, r.outRows, r.outCols, r.reduce)
            )
          })
          .then((b) => ({ rows: b.rows, cols: b.cols, values: f64Bytes(b.values) })),
      'scan:tile': (r) => this.tile(r),
      'find:condition': (r) => {
        const view = this.scanTarget(r)
        return this.scans.run(
          r.scanId,
          (progress) =>
            this.afterFill(r.session, view, progress, () => runCondition(this.scannable(r.session), view, r, progress)),
          view.dtype.itemsize
        )
      },
      'scan:profile': (r) => {
        const view = this.scanTarget(r)
        return this.scans.run(
          r.scanId,
          (progress) =>
            this.afterFill(r.session, view, progress, () =>
              runProfile(this.scannable(r.session), view, r.keep, progress)
            ),
          view.dtype.itemsize
        )
      },
      'scan:cancel': (r) => ({ cancelled: this.scans.cancel(r.scanId) }),
      'find:run': ({ session, scanId, ...query }) =>
        this.scans.run(scanId, (progress) => {
          const s = this.session(session)
          if (s.decoding && query.kind === 'value') {
            throw new ApiError(
              'bad-request',
              `the values of this ${s.info.array?.storedType} tensor are not stored as bytes (they are dequantized from blocks): find a hex pattern or text in its blocks instead`
            )
          }
          if (s.scaled && query.kind === 'value') {
            throw new ApiError(
              'bad-request',
              `the values shown are scaled (${describeScaling(s.scaled.scaling)}), not stored: switch to the stored values to find a stored number, or find a hex pattern`
            )
          }
          return this.afterFill(session, s.layout, progress, () =>
            runFind(s.mapping, s.scaled?.stored ?? s.layout, query, progress)
          )
        }),
      'export:run': (r) => {
        let view = this.scanTarget(r)
        if (r.ranges) view = sliced(view, r.ranges.map(([a, b]) => `${a}:${b}`).join(', '))
        const { as, sep, fmt, toDtype, casting, sidecar } = r
        const options = { as, out: this.paths.resolve(r.out), sep, fmt, toDtype, casting, sidecar }
        const replace = { overwrite: r.overwrite === true, howToReplace: 'confirm' }
        return this.scans.run(
          r.scanId,
          (progress) => this.exportOf(r.session, view, options, replace, progress),
          view.dtype.itemsize,
          'export:progress'
        )
      },
      'export:cancel': (r) => ({ cancelled: this.scans.cancel(r.scanId) }),
      'npy:header': (r) => this.edited(rewriteHeader(this.writable(this.session(r.session)), r)),
      'workspace:get': () => {
        const saved = workspaceSchema.safeParse(this.workspace?.get())
        if (!saved.success) return { workspace: null }
        const w = saved.data
        // with serve --root, a saved path outside it is not reopened (the page could not open it either)
        const tabs = w.tabs.filter((t) => this.paths.allows(pathModule.resolve(t.path)))
        return { workspace: { ...w, tabs, active: w.active < tabs.length ? w.active : tabs.length - 1 } }
      },
      'workspace:set': (r) => {
        this.workspace?.set(r.workspace)
        return {}
      },
      'bookmarks:get': (r) => ({ bookmarks: this.bookmarks?.get(this.paths.resolve(r.path)) ?? [] }),
      'bookmarks:set': (r) => {
        if (!this.bookmarks) throw new ApiError('unavailable', 'bookmarks are not kept in this mode')
        this.bookmarks.set(this.paths.resolve(r.path), r.bookmarks)
        return { bookmarks: r.bookmarks }
      },
      'edit:apply': (r) => this.edited(this.writable(this.editable(r.session)).edits.apply(r.writes)),
      'edit:undo': (r) => this.edited(this.writable(this.editable(r.session)).edits.undo()),
      'edit:redo': (r) => this.edited(this.writable(this.editable(r.session)).edits.redo()),
      // edited() re-reads the file's stat: our own write is not "changed by another process"
      'edit:flush': (r) => this.edited(this.writable(this.session(r.session)).edits.flush())
    }
    return (table[channel] as (r: Request<C>) => Response<C> | Promise<Response<C>>)(request) as Response<C>
  }

  /** A view of a session in the bytes of its mapping (a scaled session's offsets are the stored ones × ratio). */
  private copyView(s: Session, view: ArrayView): ArrayView {
    if (!s.scaled) return view
    const { ratio } = s.scaled
    return { ...view, offset: view.offset / ratio, strides: view.strides.map((x) => x / ratio) }
  }

  /**
   * A scan of a session's view; for a chunked HDF5 dataset, after the chunks the view touches are read into its
   * copy (progress and cancel reach both steps).
   */
  private afterFill<T>(
    id: string,
    view: ArrayView,
    progress: ((done: number, total: number) => void) | undefined,
    make: () => ScanJob<T>
  ): ScanJob<T> {
    const s = this.session(id)
    const chunked = s.chunked
    if (!chunked) return make()
    const copy = this.copyView(s, view)
    return new ScanJob(async (track) => {
      await track(chunked.fill(copy, progress))
      return await track(make())
    })
  }

  /** For a chunked HDF5 dataset: reads the chunks a view touches into its copy (nothing to do for others). */
  async fillFor(id: string, view: ArrayView): Promise<void> {
    const s = this.session(id)
    if (s.chunked) await s.chunked.fill(this.copyView(s, view)).promise
  }

  /**
   * An export of a view of a session (export:run, the CLI's export): never over the files it reads, an existing
   * file only when replace says so, a chunked dataset's chunks under the view read first.
   */
  exportOf(
    id: string,
    view: ArrayView,
    options: ExportOptions,
    replace: Omit<ExportTarget, 'sources'>,
    onProgress?: (done: number, total: number) => void
  ): ScanJob<{ out: string; bytes: number }> {
    const s = this.session(id)
    const { chunked } = s
    return exportJob(
      s.source,
      view,
      options,
      { sources: this.sourcesOf(s), ...replace },
      onProgress,
      chunked && ((p) => chunked.fill(this.copyView(s, view), p))
    )
  }

  /** Statistics of a view of a session (the CLI's stats): as scan:stats computes them, without the registry. */
  statsOf(
    id: string,
    view: ArrayView,
    options: { bins?: number; range?: [number, number]; onProgress?: (done: number, total: number) => void } = {}
  ): ScanJob<Stats> {
    return this.afterFill(id, view, options.onProgress, () => runStats(this.scannable(id), view, options))
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
    if (s.scaled) {
      const { scaling, ratio } = s.scaled
      return { mapping: s.mapping, scale: { scaling, ratio } }
    }
    if (!s.decoding) return { mapping: s.mapping }
    return {
      mapping: s.mapping,
      quant: { type: s.decoding.ggmlType, offset: s.info.array!.stored.offset, count: s.layout.size }
    }
  }

  /** The name of the one array of a single-array container (NIfTI, NRRD, ENVI and its data file), if it is one. */
  /** A tile of the image of a 2-D view (see scan:tile), from the cache when it is there. */
  async tile(r: Request<'scan:tile'>): Promise<Response<'scan:tile'>> {
    let view = this.scanTarget({ session: r.session, slice: r.slice, fixed: r.fixed })
    if (view.shape.length !== 2)
      throw new ApiError('bad-request', `an image needs a 2-D view; this one is ${view.shape.length}-D`)
    if (r.transpose)
      view = { ...view, shape: [view.shape[1]!, view.shape[0]!], strides: [view.strides[1]!, view.strides[0]!] }
    const region = tileRegion(view.shape[0]!, view.shape[1]!, r.level, r.ty, r.tx)
    if (!region)
      throw new ApiError(
        'bad-request',
        `tile (${r.ty}, ${r.tx}) at level ${r.level} is outside the ${formatShape(view.shape)} view`
      )
    const key = this.tiles.key(
      r.session,
      JSON.stringify([r.slice, r.fixed, r.transpose]),
      r.level,
      r.ty,
      r.tx,
      r.sample ?? false
    )
    let t = this.tiles.get(key)
    if (!t) {
      // a chunked dataset's copy: the chunks under the tile first
      await this.fillFor(r.session, {
        ...view,
        offset: view.offset + region.r0 * view.strides[0]! + region.c0 * view.strides[1]!,
        shape: [region.r1 - region.r0, region.c1 - region.c0]
      })
      const source = this.scannable(r.session)
      t = await this.tileQueue.run(() => runTile(source, view, region, r.sample).promise, r.sample)
      this.tiles.set(key, t)
    }
    const bytes = new Uint8Array(t.pixels.buffer, t.pixels.byteOffset, t.pixels.byteLength)
    return { level: r.level, ty: r.ty, tx: r.tx, rows: t.rows, cols: t.cols, pixels: bytes }
  }

  /** Sessions a and b as the two sides of a comparison, the same slice applied to both. */
  comparePair(aId: string, bId: string, slice?: string): { a: CompareSide; b: CompareSide } {
    const one = (id: string): CompareSide => {
      const s = this.session(id)
      return { scan: this.scannable(id), source: s.source, view: slice ? sliced(s.layout, slice) : s.layout }
    }
    return { a: one(aId), b: one(bId) }
  }

  /** Opens a derived array (|A − B|, A − B, ULP distance) of two sessions' views as a session of its own. */
  derive(r: Request<'session:derive'>): SessionInfo {
    const { a, b } = this.comparePair(r.a, r.b, r.slice)
    const sa = a.view.shape
    const sb = b.view.shape
    if (sa.length !== sb.length || sa.some((n, k) => n !== sb[k])) {
      throw new ApiError(
        'bad-request',
        `shape mismatch: A has shape ${formatShape(sa)}, B has shape ${formatShape(sb)}`
      )
    }
    for (const [name, v] of [
      ['A', a.view],
      ['B', b.view]
    ] as const) {
      if (v.dtype.kind !== 'scalar' || v.dtype.type.kind === 'complex')
        throw new ApiError('bad-request', `a derived array needs real numbers; ${name} is ${v.dtype.str}`)
    }
    const A = this.session(r.a)
    const layout = derivedLayout(sa)
    const id = randomUUID()
    // its own read-only mapping of A's file: closing the derived tab must not close A
    const mapping = new (native().Mapping)(A.mapping.path, 'r')
    const info = derivedInfo(id, A.info, r.kind, layout, this.session(r.b).info)
    const source = new DerivedSource(() => this.comparePair(r.a, r.b, r.slice), r.kind, sa)
    this.register(newSession(mapping, source, layout, info))
    return info
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
    this.tiles.invalidate(s.id)
    if (s.chunked) s.chunked.close()
    else s.mapping.close()
    if (s.temp) removeTemp(s.temp)
    this.sessions.delete(s.id)
  }

  /** The files an export of a session must not replace: the mapped file, and the container it came from. */
  sourcesOf(s: Session): { path: string; identity: FileIdentity }[] {
    const sources = [{ path: s.info.path, identity: s.identity }]
    const container = s.info.array?.container
    const id = container ? identityOf(container) : null
    if (container && id) sources.push({ path: container, identity: id })
    return sources
  }

  /** Unmaps every session as it is (r+ edits stay in the file, as when numpy's process ends). */
  closeAll(): void {
    this.scans.cancelAll()
    for (const s of [...this.sessions.values()]) this.drop(s)
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  /** Keeps a session just opened; what its client sees of it. */
  private register(s: Session): SessionInfo {
    this.sessions.set(s.id, s)
    return s.info
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
    s.source.gather(
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
    s.chunked?.ensureRange(r.offset, r.offset + bytes.length)
    s.mapping.read(r.offset, bytes)
    return { offset: r.offset, bytes }
  }

  /** Emits session:changed for files another process has changed since the last check. */
  checkForChanges(): void {
    for (const s of this.sessions.values()) {
      let now: { size: number; mtimeMs: number }
      let replaced = false
      try {
        const watched = s.watch ?? s.info.path
        now = fs.statSync(watched)
        const id = identityOf(watched)
        replaced = !id || !sameFile(id, s.identity)
      } catch {
        now = { size: -1, mtimeMs: -1 }
      }
      if (replaced || now.size !== s.stat.size || now.mtimeMs !== s.stat.mtimeMs) {
        s.stat = { size: now.size, mtimeMs: now.mtimeMs }
        s.edits.externallyChanged = true
        this.tiles.invalidate(s.id)
        this.options.emit?.('session:changed', { session: s.id, size: now.size, mtimeMs: now.mtimeMs })
      }
    }
  }
}

export { sliced, viewGeometry } from '../../shared/slice'

export { entryLayout, scaledLayout } from './entry-layout'
