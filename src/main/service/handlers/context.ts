// What the channel handlers (one module per concern, composed in index.ts) need of the ArrayService: its stores
// and the session helpers it keeps private. ArrayService builds one of these for its dispatch table.
import type { AppInfo, Channel, EditState, Request, Response, SessionInfo } from '../../../shared/contract'
import type { ArrayView } from '../../../shared/slice'
import type { CompareSide } from '../compare'
import type { ContainerCache } from '../containers'
import type { ExportOptions, ExportTarget } from '../export'
import type { OpenContext } from '../open'
import type { PathPolicy } from '../path-policy'
import type { Bookmarks, RecentFiles, WorkspaceFile } from '../recent'
import type { StreamMake } from '../stream-fill'
import type { ScanJob, ScanRegistry, ScanSource } from '../scan'
import type { Session } from '../session'
import type { TileCache, TileQueue } from '../tiles'

/** One handler per channel: the request validated, the response (or its promise). */
export type HandlerTable = { [K in Channel]: (r: Request<K>) => Response<K> | Promise<Response<K>> }

/** The handlers of some channels: what each concern's module returns. */
export type Handlers<K extends Channel> = Pick<HandlerTable, K>

export type Progress = ((done: number, total: number) => void) | undefined

export interface ServiceContext {
  readonly paths: PathPolicy
  readonly recent: RecentFiles | null
  readonly workspace: WorkspaceFile | null
  readonly bookmarks: Bookmarks | null
  readonly containers: ContainerCache
  readonly opening: OpenContext
  readonly scans: ScanRegistry
  /** What app:info reports besides the version (the service's options). */
  appInfo(): Omit<AppInfo, 'version'> | undefined
  session(id: string): Session
  /** Keeps a session just opened; what its client sees of it. */
  register(s: Session): SessionInfo
  close(id: string, unflushed: 'flush' | 'discard'): { closed: true }
  /** A session that may be edited: arrays whose bytes are not their values refuse with the reason. */
  editable(id: string): Session
  /** In r+ and w+: refuses when the path no longer names the mapped file. */
  writable(s: Session): Session
  /** Tells every view of the session what changed. */
  edited(state: EditState): EditState
  /** The view a scan request names: slice, then the fixed indices. */
  scanTarget(r: { session: string; slice?: string; fixed?: (number | null)[]; field?: string }): ArrayView
  scannable(id: string): ScanSource
  /** A scan of a session's view, after a chunked dataset's chunks under it are read. */
  /** make's scans report to the progress it is given (the fill's and theirs on one bar). */
  afterFill<T>(id: string, view: ArrayView, progress: Progress, make: (progress: Progress) => ScanJob<T>): ScanJob<T>
  /**
   * A scan of a session's view reading a chunked dataset's chunks as they are decoded, or a remote object's
   * blocks as they arrive (stream-fill.ts). early: the job may end before the fill; onePass: it reads its view
   * once, forwards (a remote object larger than the copy may hold then streams through a private copy); from:
   * the byte it starts at (a find's), nothing before it fetched.
   */
  streamFill<T>(
    id: string,
    view: ArrayView,
    progress: Progress,
    make: StreamMake<T>,
    options?: { early?: boolean; onePass?: boolean; from?: number }
  ): ScanJob<T>
  comparePair(aId: string, bId: string, slice?: string): { a: CompareSide; b: CompareSide }
  /** Image tiles already computed, and the queue that runs new ones (scan:tile). */
  readonly tiles: TileCache
  readonly tileQueue: TileQueue
  /** For a chunked HDF5 dataset: reads the chunks a view touches into its copy. */
  fillFor(id: string, view: ArrayView): Promise<void>
  /** What a view of a session was sent, and how to read it again (a followed file's content check). */
  shown(s: Session, key: string, bytes: Uint8Array, read: () => Uint8Array): void
  exportOf(
    id: string,
    view: ArrayView,
    options: ExportOptions,
    replace: Omit<ExportTarget, 'sources'>,
    onProgress?: (done: number, total: number) => void
  ): ScanJob<{ out: string; bytes: number }>
}
