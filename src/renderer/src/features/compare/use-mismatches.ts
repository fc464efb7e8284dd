// Which cells of a table's view are not close between two arrays (np.isclose), fetched per tile like the
// values (diff:window), cached LRU and dropped when the view or the comparison changes.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { View } from '../../../../shared/contract'
import { api } from '../../transport'
import { LruCache } from '../../../../shared/lru'
import { TILE_COLS, TILE_ROWS } from '../table/use-tiles'

export interface Tolerance {
  rtol: number
  atol: number
  equalNan: boolean
}

export interface Marks {
  /** Whether the cell (row, element column) is not close; false while its tile is loading. */
  marked(row: number, col: number): boolean
  request(r0: number, r1: number, c0: number, c1: number): void
  version: number
}

interface Tile {
  rows: number
  cols: number
  mask: Uint8Array
}

export function useMismatches(a: string, b: string, view: View, tol: Tolerance): Marks {
  const cache = useMemo(() => new LruCache<string, Tile>(256), [])
  const inflight = useRef(new Set<string>())
  const [version, setVersion] = useState(0)
  const key = JSON.stringify([a, b, view, tol])
  useEffect(() => {
    cache.clear()
    inflight.current.clear()
    setVersion((v) => v + 1)
  }, [key, cache])

  const marked = useCallback(
    (row: number, col: number): boolean => {
      const tr = Math.floor(row / TILE_ROWS)
      const tc = Math.floor(col / TILE_COLS)
      const t = cache.get(`${key}|${tr},${tc}`)
      const i = row - tr * TILE_ROWS
      const j = col - tc * TILE_COLS
      return Boolean(t && i < t.rows && j < t.cols && t.mask[i * t.cols + j])
    },
    [cache, key]
  )

  const request = useCallback(
    (r0: number, r1: number, c0: number, c1: number): void => {
      for (let tr = Math.floor(r0 / TILE_ROWS); tr * TILE_ROWS < r1; tr++) {
        for (let tc = Math.floor(c0 / TILE_COLS); tc * TILE_COLS < c1; tc++) {
          const k = `${key}|${tr},${tc}`
          if (cache.has(k) || inflight.current.has(k)) continue
          inflight.current.add(k)
          api
            .invoke('diff:window', {
              a,
              b,
              view,
              row0: tr * TILE_ROWS,
              col0: tc * TILE_COLS,
              rows: TILE_ROWS,
              cols: TILE_COLS,
              ...tol
            })
            .then((w) => {
              inflight.current.delete(k)
              cache.set(k, { rows: w.rows, cols: w.cols, mask: w.mask })
              setVersion((v) => v + 1)
            })
            .catch(() => inflight.current.delete(k))
        }
      }
    },
    [a, b, view, tol, key, cache]
  )
  return { marked, request, version }
}
