// A file's own pyramid (TIFF SubIFDs: series0.level1 …; an OME-Zarr image's multiscales datasets) as the image
// view's overview levels. A tile at level L covers 2^L × 2^L elements per pixel; when the file holds the image
// reduced by 2^k (k ≤ L, its plane's dims the base's divided by 2^k rounded up or down, its other dims the base's),
// the tile is computed at level L − k over that reduced image — its strips, tiles or chunks, not the whole base
// image's: an overview of a compressed slide decodes a few small tiles instead of every one. The pixels are then
// the block statistics of the file's reduced image (how its writer reduced it: a mean, a subsample), which the
// overview shows; zoomed in to level 0 the base image's own values are read. An edge tile the level covers with
// fewer pixels (a dim rounded down) is read from the base.
// The reduced images are opened read-only on first use and closed with the session.
import type { Layout } from '../../shared/layout'
import { reduction } from '../../shared/pyramid-reduction'
import type { ArrayView } from '../../shared/slice'
import type { ScanHandle } from './native'
import type { ScanSource } from './scan'

/** What a tile needs of a reduced image's source (an ArraySource; named here so the two modules form no circle). */
export interface LevelSource {
  readonly layout: Layout
  fill(view: ArrayView): ScanHandle<void> | undefined
  scanSource(): ScanSource
  close(): void
}

export interface PyramidLevel {
  /** The entry holding the reduced image. */
  name: string
  /** Its shape (the base's, the last two dims reduced). */
  shape: number[]
}

/** Where a tile is read from when the file's pyramid has its level. */
export interface LevelPick {
  source: LevelSource
  view: ArrayView
  level: number
}

export class Pyramid {
  private readonly opened = new Map<string, Promise<LevelSource>>()
  private closed = false

  constructor(
    private readonly levels: readonly PyramidLevel[],
    private readonly open: (name: string) => Promise<LevelSource>
  ) {}

  /**
   * The reduced image a tile at `level` of `view` can be read from, with the view and level there; null when the
   * view is not the base's last two axes whole (a slice, a transposed or a field view) or no level fits.
   */
  async pick(base: Layout, view: ArrayView, level: number): Promise<LevelPick | null> {
    if (this.closed || level < 1 || view.shape.length !== 2 || base.shape.length < 2) return null
    const nd = base.shape.length
    const [rows, cols] = [base.shape[nd - 2]!, base.shape[nd - 1]!]
    if (view.shape[0] !== rows || view.shape[1] !== cols) return null
    if (view.strides[0] !== base.strides[nd - 2] || view.strides[1] !== base.strides[nd - 1]) return null
    // the leading axes' indices the view fixes: its offset from the base's, over their (positive) strides
    const index: number[] = []
    let rest = view.offset - base.offset
    for (let k = 0; k < nd - 2; k++) {
      const s = base.strides[k]!
      if (!(s > 0)) return null
      const i = Math.floor(rest / s)
      if (i < 0 || i >= base.shape[k]!) return null
      index.push(i)
      rest -= i * s
    }
    if (rest !== 0) return null
    let best: { level: PyramidLevel; shift: number } | null = null
    for (const l of this.levels) {
      const shift = reduction(base.shape, l.shape)
      if (shift !== null && shift <= level && (!best || shift > best.shift)) best = { level: l, shift }
    }
    if (!best) return null
    const source = await this.source(best.level.name)
    if (!source) return null
    const lay = source.layout
    const offset = index.reduce((o, i, k) => o + i * lay.strides[k]!, lay.offset)
    return {
      source,
      view: { ...view, offset, shape: lay.shape.slice(-2), strides: lay.strides.slice(-2) },
      level: level - best.shift
    }
  }

  private source(name: string): Promise<LevelSource | null> {
    let p = this.opened.get(name)
    if (!p) {
      p = this.open(name)
      this.opened.set(name, p)
    }
    // a level that cannot be opened (damaged) leaves the tile to the base image
    return p.then(
      (s) => (this.closed ? null : s),
      () => null
    )
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    for (const p of this.opened.values()) p.then((s) => s.close()).catch(() => undefined)
  }
}
