// The heatmap viewer's tiles: a multi-resolution pyramid of a 2-D view computed on demand. A tile at level L
// has up to 256 × 256 pixels, each the min, max and mean (and NaN/±Inf flags) of a 2^L × 2^L block of
// elements; tile (ty, tx) covers element rows [ty·256·2^L, …) and columns [tx·256·2^L, …). Tiles are cached
// (LRU) per session and view until the session's data changes.
import type { ScanSpec } from './native'
import { ApiError } from '../../shared/contract'
import type { ArrayView } from '../../shared/slice'
import { LruCache } from '../../shared/lru'
import { ScanJob, sourceView, type ScanSource } from './scan'

export const TILE = 256

type TileSpec = Extract<ScanSpec, { op: 'tile' }>

/** Where a tile lies in the view: the native tile pass's region, with the block size (2^level) always given. */
export type TileRegion = Required<
  Pick<TileSpec, 'r0' | 'r1' | 'c0' | 'c1' | 'outRows' | 'outCols' | 'blockRows' | 'blockCols'>
>

/** The elements and pixels of tile (ty, tx) at a level of a rows × cols view; null when outside it. */
export function tileRegion(rows: number, cols: number, level: number, ty: number, tx: number): TileRegion | null {
  const span = TILE * 2 ** level
  const r0 = ty * span
  const c0 = tx * span
  if (r0 >= rows || c0 >= cols) return null
  const r1 = Math.min(rows, r0 + span)
  const c1 = Math.min(cols, c0 + span)
  const block = 2 ** level
  return {
    r0,
    r1,
    c0,
    c1,
    outRows: Math.ceil((r1 - r0) / block),
    outCols: Math.ceil((c1 - c0) / block),
    blockRows: block,
    blockCols: block
  }
}

export interface Tile {
  rows: number
  cols: number
  /** rows × cols × {min, max, mean, flags} */
  pixels: Float32Array
  /**
   * Read from the file's own reduced image (TIFF SubIFDs, OME-Zarr levels) reduced by this factor: its blocks'
   * statistics are those of the stored level's values (a level subsampled or averaged), not of the array's.
   */
  stored?: number
}

export function runTile(from: ScanSource, view: ArrayView, region: TileRegion, sample = false): ScanJob<Tile> {
  if (view.shape.length !== 2) throw new ApiError('bad-request', 'an image needs a 2-D view')
  // a quantized tensor reads its blocks, scaled values their stored numbers (scaled per piece)
  const spec = sourceView(from, view)
  return new ScanJob((track) =>
    track(from.mapping.scan({ op: 'tile', ...spec, ...region, ...(sample ? { sample } : {}) }))
  )
}

/**
 * Tile passes one at a time, newest first, quick previews before exact tiles: each pass already uses every
 * core, so running several at once only makes them all finish late (measured: 4 overview tiles of a 1 GiB view
 * came back after 145–393 ms at once; one after another each arrives as soon as it is done); the newest
 * request is what the view shows now; and a sampled preview reads one element per pixel, so it is drawn first.
 */
export class TileQueue {
  private readonly waiting: { quick: boolean; start: () => void }[] = []
  private busy = false

  run<T>(work: () => Promise<T>, quick = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.busy = true
        work()
          .then(resolve, reject)
          .finally(() => {
            this.busy = false
            this.next()
          })
      }
      if (this.busy) this.waiting.push({ quick, start })
      else start()
    })
  }

  private next(): void {
    let k = -1
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      if (this.waiting[i]!.quick) {
        k = i
        break
      }
    }
    if (k < 0) k = this.waiting.length - 1
    if (k >= 0) this.waiting.splice(k, 1)[0]!.start()
  }
}

/**
 * Tiles already computed, by session, view, level and position. A session's tiles go when its data changes (an
 * edit, an undo, the file on disk) and when it closes, so the cache holds only what an open session may show
 * again: 96 tiles of up to 1 MiB each stayed behind after their sessions closed (serve mode under load kept
 * ~100 MB of them after every client had left).
 */
export class TileCache {
  private readonly tiles = new LruCache<string, Tile>(96)
  /** The generation of each open session's data; a key names the generation it was computed for. */
  private readonly generations = new Map<string, number>()

  key(session: string, view: string, level: number, ty: number, tx: number, sample: boolean): string {
    if (!this.generations.has(session)) this.generations.set(session, 0)
    return `${session}|${this.generations.get(session)!}|${view}|${level}|${ty}|${tx}|${sample ? 's' : ''}`
  }
  get(key: string): Tile | undefined {
    return this.tiles.get(key)
  }
  /** Keeps a tile, unless its session changed or closed while it was computed (it would never be asked for). */
  set(key: string, tile: Tile): void {
    const [session, generation] = key.split('|', 2)
    if (this.generations.get(session!) !== Number(generation)) return
    this.tiles.set(key, tile)
  }
  /** The session's data changed: its tiles are stale. */
  invalidate(session: string): void {
    if (this.generations.has(session)) this.generations.set(session, this.generations.get(session)! + 1)
    this.tiles.deleteWhere((k) => k.startsWith(`${session}|`))
  }
  /** The session closed: its tiles and its generation go. */
  drop(session: string): void {
    this.generations.delete(session)
    this.tiles.deleteWhere((k) => k.startsWith(`${session}|`))
  }
  /** How many tiles are kept (for tests). */
  get size(): number {
    return this.tiles.size
  }
}
