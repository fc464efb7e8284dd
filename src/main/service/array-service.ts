// ArrayService: sessions over memory mappings — open, windows, bytes, close. Imports no Electron: it runs in
// Electron's main process, in serve mode and in the CLI. Every request is validated against the contract's
// schema here, whichever transport carried it.
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
import { runTile, TileCache, tileRegion } from './tiles'
import {
  compareRun,
  derivedInfo,
  derivedLayout,
  diffSummary,
  DerivedSource,
  windowMask,
  type CompareSide
} from './compare'
import { listFolder, shortened, type ContainerEntry, type Decoding } from '../../shared/containers'
import { contiguousStrides, formatShape, resolveLayout, type Layout } from '../../shared/layout'
import type { ArrayView } from '../../shared/slice'
import { parseDType } from '../../shared/structured'
import { ContainerCache } from './containers'
import { DequantSource, type ByteSource } from './dequant-source'
import { EditLog } from './edit-log'
import { toApiError } from './errors'
import { exportView, sidecarPath } from './export'
import { checkExportTarget } from './export-target'
import { identityOf, sameFile, type FileIdentity } from './file-identity'
import { probeFile } from './file-probe'
import { previewOf, proposeFor } from './file-preview'
import { runCondition, runProfile } from './along'
import { runFind } from './find'
import { refreshHeader, rewriteHeader } from './header-edit'
import { inflateMember, removeTemp } from './inflate'
import { layoutInfo } from './layout-info'
import { native, type Mapping } from './native'
import { PathPolicy } from './path-policy'
import { progressMeter } from './progress'
import { Bookmarks, RecentFiles, WorkspaceFile } from './recent'
import { runBlocks, runBuckets, runStats, ScanRegistry, f64Bytes, type ScanSource } from './scan'
import { sliced, viewGeometry } from './view-geometry'

export interface Session {
  id: string
  mapping: Mapping
  /** Where elements are read: the mapping, or for a quantized tensor its dequantization. */
  source: ByteSource
  edits: EditLog
  layout: Layout
  info: SessionInfo
  stat: { size: number; mtimeMs: number }
  /** The mapped file's device and inode: is the path still this file? */
  identity: FileIdentity
  /** A quantized tensor: its blocks, which windows and scans dequantize. */
  decoding?: Decoding
  /** A temporary decompressed copy this session owns (removed on close). */
  temp?: string
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

export class ArrayService {
  private readonly sessions = new Map<string, Session>()
  private timer: NodeJS.Timeout | undefined
  private readonly recent: RecentFiles | null
  private readonly workspace: WorkspaceFile | null
  private readonly bookmarks: Bookmarks | null
  private readonly exports = new Map<string, () => void>()
  /** Decompressions of .npz members under way, by scanId: their cancel. */
  private readonly inflations = new Map<string, () => void>()
  private readonly containers = new ContainerCache()
  /** The sessions each client (a WebSocket, a window) opened, closed when it goes. */
  private readonly owned = new Map<string, Set<string>>()
  readonly paths: PathPolicy
  private readonly tiles = new TileCache()
  private readonly scans = new ScanRegistry((progress) => this.options.emit?.('scan:progress', progress))

  constructor(private readonly options: ServiceOptions = {}) {
    this.paths = new PathPolicy(options.root)
    this.recent = options.recentFile ? new RecentFiles(options.recentFile) : null
    this.workspace = options.recentFile
      ? new WorkspaceFile(pathModule.join(pathModule.dirname(options.recentFile), 'workspace.json'))
      : null
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
      'session:open': (r) => (r.array !== undefined ? this.openArray(r) : this.open(r)),
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
            (progress) => compareRun(a, b, r, { onProgress: progress }),
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
      'dialog:openFile': () => {
        throw new ApiError('unavailable', 'the open-file dialog exists only in the desktop app: type a path instead')
      },
      'scan:stats': (r) => {
        const view = this.scanTarget(r)
        return this.scans.run(
          r.scanId,
          (progress) => runStats(this.scannable(r.session), view, { bins: r.bins, onProgress: progress }),
          view.dtype.itemsize
        )
      },
      'scan:line': (r) =>
        this.scans
          .run(r.scanId, () => runBuckets(this.scannable(r.session), this.scanTarget(r), r.start, r.stop, r.buckets))
          .then((b) => ({
            start: r.start,
            stop: r.stop,
            buckets: b.min.length,
            min: f64Bytes(b.min),
            max: f64Bytes(b.max)
          })),
      'scan:image': (r) =>
        this.scans
          .run(r.scanId, () => runBlocks(this.scannable(r.session), this.scanTarget(r), r.outRows, r.outCols, r.reduce))
          .then((b) => ({ rows: b.rows, cols: b.cols, values: f64Bytes(b.values) })),
      'scan:tile': (r) => this.tile(r),
      'find:condition': (r) => {
        const view = this.scanTarget(r)
        return this.scans.run(
          r.scanId,
          (progress) => runCondition(this.scannable(r.session), view, r, progress),
          view.dtype.itemsize
        )
      },
      'scan:profile': (r) => {
        const view = this.scanTarget(r)
        return this.scans.run(
          r.scanId,
          (progress) => runProfile(this.scannable(r.session), view, r.keep, progress),
          view.dtype.itemsize
        )
      },
      'scan:cancel': (r) => {
        const inflation = this.inflations.get(r.scanId)
        inflation?.()
        return { cancelled: this.scans.cancel(r.scanId) || Boolean(inflation) }
      },
      'find:run': ({ session, scanId, ...query }) =>
        this.scans.run(scanId, (progress) => {
          const s = this.session(session)
          if (s.decoding && query.kind === 'value') {
            throw new ApiError(
              'bad-request',
              `the values of this ${s.info.array?.storedType} tensor are not stored as bytes (they are dequantized from blocks): find a hex pattern or text in its blocks instead`
            )
          }
          return runFind(s.mapping, s.layout, query, progress)
        }),
      'export:run': async (r) => {
        const s = this.session(r.session)
        let view = this.scanTarget(r)
        if (r.ranges) view = sliced(view, r.ranges.map(([a, b]) => `${a}:${b}`).join(', '))
        let cancelled = false
        this.exports.set(r.scanId, () => (cancelled = true))
        const meter = progressMeter(r.scanId, view.dtype.itemsize)
        try {
          const out = this.paths.resolve(r.out)
          const sources = this.sourcesOf(s)
          checkExportTarget(out, sources, r.overwrite === true, 'confirm')
          if (r.sidecar && r.as === 'raw') checkExportTarget(sidecarPath(out), sources, r.overwrite === true, 'confirm')
          const { bytes } = await exportView(
            s.source,
            view,
            { as: r.as, out, sep: r.sep, fmt: r.fmt, toDtype: r.toDtype, casting: r.casting, sidecar: r.sidecar },
            {
              cancelled: () => cancelled,
              onProgress: (done, total) => this.options.emit?.('export:progress', meter(done, total))
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
      const { npy, sidecar, container } = probeFile(path, (f) => this.paths.allows(f))
      // Map before any layout check: a file that cannot be opened in this mode (permissions) says so first.
      mapping = new (native().Mapping)(path, r.mode)
      // Browsing reads small scattered windows: readahead around every fault would only cost.
      mapping.advise('random')
      try {
        const spec = r.layout ?? npy ?? sidecar
        if (!spec && container) {
          const c = this.containers.get(path)
          throw new ApiError(
            'layout',
            `${path} is a ${container} container holding ${c?.entries.length ?? 'several'} arrays: choose one (--array NAME; \`arrayscope ls\` lists them), or give a layout to read its bytes raw`
          )
        }
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
    this.sessions.set(id, {
      id,
      mapping,
      source: mapping,
      layout,
      info,
      stat,
      identity,
      edits: new EditLog(id, mapping)
    })
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

  /** What a scan of a session reads: its mapping, and for a quantized tensor its blocks (dequantized per chunk). */
  scannable(id: string): ScanSource {
    const s = this.session(id)
    if (s.info.derived) {
      throw new ApiError(
        'unavailable',
        `${s.info.derived.label} is computed per window from two arrays: its statistics and plots are not scanned; the compare panel's maps show it over the whole array`
      )
    }
    if (!s.decoding) return { mapping: s.mapping }
    return {
      mapping: s.mapping,
      quant: { type: s.decoding.ggmlType, offset: s.info.array!.stored.offset, count: s.layout.size }
    }
  }

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
      t = await runTile(this.scannable(r.session), view, region, r.sample).promise
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
    const { size, mtimeMs, ino, dev } = mapping.stat()
    this.sessions.set(id, {
      id,
      mapping,
      source,
      layout,
      info,
      stat: { size, mtimeMs },
      identity: { ino, dev },
      edits: new EditLog(id, mapping)
    })
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
  async openArray(r: Request<'session:open'>): Promise<SessionInfo> {
    const name = r.array!
    if (r.layout) {
      throw new ApiError(
        'bad-request',
        'an array of a container has its layout in the container: give no layout with --array'
      )
    }
    if (r.mode === 'w+')
      throw new ApiError('bad-request', 'mode w+ creates a raw file; it cannot create an array in a container')
    const path = this.paths.resolve(r.path)
    const { container, entry } = this.containers.entry(path, name)
    if (entry.unmappable) {
      throw new ApiError('layout', `'${name}' cannot be opened: ${entry.unmappable.reason}; ${entry.unmappable.remedy}`)
    }
    const readOnly = entry.decoding
      ? `its bytes are ${entry.decoding.quant} blocks, not the values (shown dequantized to float32): export it as .npy to edit a copy`
      : entry.via
        ? 'it is a temporary decompressed copy of a deflated .npz member: edits would never reach the archive; export it to edit a copy'
        : undefined
    if (readOnly && r.mode !== 'r') throw new ApiError('readonly', `'${name}' opens read-only (mode r): ${readOnly}`)
    if (container.format === 'npz' && r.mode === 'r+') {
      throw new ApiError(
        'readonly',
        `'${name}' is a member of a ZIP archive: editing it in place (r+) would break the archive's CRC-32 check, which np.load enforces; open it with mode c (a private copy) and export`
      )
    }
    let file = entry.file ? pathModule.join(pathModule.dirname(path), entry.file) : path
    let temp: string | undefined
    if (entry.via) {
      let cancelled = false
      const id = r.scanId
      if (id) this.inflations.set(id, () => (cancelled = true))
      try {
        const meter = id ? progressMeter(id, 1) : null
        temp = await inflateMember(path, entry.via, name, {
          cancelled: () => cancelled,
          onProgress: (done, total) => meter && this.options.emit?.('scan:progress', meter(done, total))
        })
      } finally {
        if (id) this.inflations.delete(id)
      }
      file = temp
    }
    let mapping: Mapping
    try {
      mapping = new (native().Mapping)(file, r.mode)
    } catch (e) {
      if (temp) removeTemp(temp)
      throw e
    }
    mapping.advise('random')
    let layout: Layout
    try {
      layout = entryLayout(entry, mapping.size, r.mode)
    } catch (e) {
      mapping.close()
      if (temp) removeTemp(temp)
      throw e
    }
    const id = randomUUID()
    const info: SessionInfo = {
      session: id,
      path: file,
      fileSize: mapping.size,
      mode: r.mode,
      format: container.format,
      layout: layoutInfo(layout),
      array: {
        container: path,
        format: container.format,
        name,
        storedType: entry.storedType,
        stored: { offset: entry.offset, nbytes: entry.nbytes },
        ...(entry.decoding
          ? {
              blocks: {
                quant: entry.decoding.quant,
                elems: entry.decoding.blockElems,
                bytes: entry.decoding.blockBytes
              }
            }
          : {}),
        ...(entry.via ? { decompressed: true } : {}),
        ...(readOnly ? { readOnly } : {})
      }
    }
    const source = entry.decoding ? new DequantSource(mapping, entry.decoding, entry.offset, layout.size) : mapping
    const { size, mtimeMs, ino, dev } = mapping.stat()
    this.sessions.set(id, {
      id,
      mapping,
      source,
      layout,
      info,
      stat: { size, mtimeMs },
      identity: { ino, dev },
      edits: new EditLog(id, mapping),
      ...(entry.decoding ? { decoding: entry.decoding } : {}),
      ...(temp ? { temp } : {})
    })
    return info
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

  /** Unmaps a session whatever state its edits are in (and removes its temporary copy). */
  private drop(s: Session): void {
    for (const set of this.owned.values()) set.delete(s.id)
    this.tiles.invalidate(s.id)
    s.mapping.close()
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
    for (const cancel of this.inflations.values()) cancel()
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
        this.tiles.invalidate(s.id)
        this.options.emit?.('session:changed', { session: s.id, size: now.size, mtimeMs: now.mtimeMs })
      }
    }
  }
}

export { sliced, viewGeometry } from './view-geometry'

/**
 * The layout of a container's entry in a file of fileSize bytes. A quantized entry is a virtual float32 array
 * (offset 0, C-contiguous) read through its dequantization; its blocks must lie inside the file.
 */
export function entryLayout(entry: ContainerEntry, fileSize: number, mode: 'r' | 'r+' | 'c' | 'w+'): Layout {
  if (entry.offset + entry.nbytes > fileSize) {
    throw new ApiError(
      'layout',
      `'${entry.name}' needs bytes [${entry.offset}, ${entry.offset + entry.nbytes}), the file has ${fileSize}: it was truncated`
    )
  }
  if (entry.decoding) {
    const dtype = parseDType('<f4')
    const size = entry.shape.reduce((a, b) => a * b, 1)
    return {
      dtype,
      shape: entry.shape,
      strides: contiguousStrides(entry.shape, 4, 'C'),
      offset: 0,
      order: 'C',
      size,
      nbytes: size * 4
    }
  }
  const layout = resolveLayout(
    { dtype: entry.dtype, shape: entry.shape, offset: entry.offset, order: entry.order },
    fileSize,
    mode
  )
  if (entry.strides) {
    // a strided entry (part 2: record variables): every element it reaches must be inside the file
    const reach = entry.shape.reduce((a, n, k) => a + (n > 0 ? (n - 1) * entry.strides![k]! : 0), entry.offset)
    if (entry.strides.some((x) => x < 0) || reach + layout.dtype.itemsize > fileSize) {
      throw new ApiError('layout', `'${entry.name}': its strides reach past the end of the file`)
    }
    return { ...layout, strides: entry.strides }
  }
  return layout
}
