// The tiles the image view holds: fetched once (scan:tile), kept in an LRU (values and their coloured
// canvas), recoloured lazily when the shading changes. A sampled preview of a tile (one element per pixel) is
// shown until the exact one arrives.
import { LruCache } from '../../../../shared/lru'
import { shadeTile, shadingKey, type Shading } from './shade'

export const TILE = 256

export interface TileData {
  level: number
  ty: number
  tx: number
  rows: number
  cols: number
  /** rows × cols × {min, max, mean, flags} */
  px: Float32Array
  sample: boolean
  /** From the file's own level reduced by this factor (scan:tile's stored). */
  stored?: number
}

interface Held {
  data: TileData
  canvas: HTMLCanvasElement | null
  colored: string
}

export type FetchTile = (level: number, ty: number, tx: number, sample: boolean) => Promise<TileData>

export class TileSet {
  private readonly held: LruCache<string, Held>
  private readonly inflight = new Set<string>()
  private generation = 0
  /** Requests made (for the benchmark and the tests: a colour change makes none). */
  requests = 0

  constructor(
    private readonly fetch: FetchTile,
    private readonly onArrive: () => void,
    capacity = 64
  ) {
    this.held = new LruCache(capacity)
  }

  private static key(level: number, ty: number, tx: number, sample: boolean): string {
    return `${level}|${ty}|${tx}|${sample ? 's' : 'x'}`
  }

  /** The exact tile when held, else its sampled preview, else undefined. */
  get(level: number, ty: number, tx: number): Held | undefined {
    return this.held.get(TileSet.key(level, ty, tx, false)) ?? this.held.get(TileSet.key(level, ty, tx, true))
  }

  exact(level: number, ty: number, tx: number): boolean {
    return this.held.has(TileSet.key(level, ty, tx, false))
  }

  /** Asks for a tile unless held or on its way: its exact reduction, or (sample) its sampled preview only. */
  request(level: number, ty: number, tx: number, sample = false): void {
    const key = TileSet.key(level, ty, tx, sample)
    if (this.held.has(key) || this.inflight.has(key)) return
    if (sample && this.held.has(TileSet.key(level, ty, tx, false))) return
    this.inflight.add(key)
    this.requests++
    const gen = this.generation
    this.fetch(level, ty, tx, sample)
      .then((data) => {
        if (gen !== this.generation) return
        this.inflight.delete(key)
        this.held.set(key, { data, canvas: null, colored: '' })
        this.onArrive()
      })
      .catch(() => this.inflight.delete(key))
  }

  pending(): number {
    return this.inflight.size
  }

  /** The tile's colours for a shading, recomputed only when the shading changed since. */
  canvas(h: Held, s: Shading): HTMLCanvasElement {
    const key = shadingKey(s)
    if (h.canvas && h.colored === key) return h.canvas
    const { rows, cols } = h.data
    const canvas = h.canvas ?? Object.assign(document.createElement('canvas'), { width: cols, height: rows })
    const ctx = canvas.getContext('2d')!
    const img = ctx.createImageData(cols, rows)
    shadeTile(h.data.px, new Uint32Array(img.data.buffer), s)
    ctx.putImageData(img, 0, 0)
    h.canvas = canvas
    h.colored = key
    return canvas
  }

  clear(): void {
    this.generation++
    this.held.clear()
    this.inflight.clear()
  }
}
