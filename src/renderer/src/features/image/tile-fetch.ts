// How the image view fetches one tile of its pyramid (scan:tile). An RGB(A) view asks for one tile per channel
// (the channel axis fixed at 0, 1, 2 (, 3)) and packs them as the lanes of one tile.
import { api } from '../../transport'
import type { ScanScope } from '../stats/stats-panel'
import type { FetchTile, TileData } from './tile-set'

export function tileFetcher(
  session: string,
  scope: ScanScope,
  transpose: boolean,
  rgb: { axis: number; channels: 3 | 4 } | null
): FetchTile {
  const one = (level: number, ty: number, tx: number, sample: boolean, fixed = scope.fixed) =>
    api
      .invoke('scan:tile', {
        session,
        ...scope,
        ...(fixed ? { fixed } : {}),
        transpose,
        level,
        ty,
        tx,
        ...(sample ? { sample } : {})
      })
      .then((t) => ({
        rows: t.rows,
        cols: t.cols,
        px: new Float32Array(t.pixels.buffer.slice(t.pixels.byteOffset, t.pixels.byteOffset + t.pixels.byteLength)),
        ...(t.stored ? { stored: t.stored } : {})
      }))
  return async (level: number, ty: number, tx: number, sample: boolean): Promise<TileData> => {
    if (!rgb) return { level, ty, tx, sample, ...(await one(level, ty, tx, sample)) }
    // lane c of a pixel is channel c's block mean
    const fixed = scope.fixed ?? []
    const parts = await Promise.all(
      Array.from({ length: rgb.channels }, (_, c) =>
        one(
          level,
          ty,
          tx,
          sample,
          fixed.map((v, k) => (k === rgb.axis ? c : v))
        )
      )
    )
    const { rows: r, cols: c } = parts[0]!
    const px = new Float32Array(r * c * 4).fill(NaN)
    parts.forEach((p, ch) => {
      for (let k = 0; k < r * c; k++) px[4 * k + ch] = p.px[4 * k + 2]!
    })
    return { level, ty, tx, sample, rows: r, cols: c, px }
  }
}
