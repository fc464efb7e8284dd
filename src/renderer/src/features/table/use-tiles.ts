// Tiles of a 2-D view: fetched as windows over the contract, each request tagged with the view's generation
// so that replies for an old view are dropped, and kept in an LRU cache (bounded, unlike glide's).
// Another program's write to a followed file (follow mode) refreshes softly: the tiles shown stay on screen
// until their new versions arrive (no flicker of placeholders at 10 writes a second), and the cells whose bytes
// differ between the two versions flash (value-flash.ts).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { SessionInfo, View } from '../../../../shared/contract'
import { decodeWindow, type DecodedWindow } from '../../../../shared/decode'
import type { Value } from '../../../../shared/structured'
import { api } from '../../transport'
import { LruCache } from '../../../../shared/lru'
import { changedElements, Flashes, FLASH_MS } from '../../../../shared/value-flash'

/** A decoded window and the bytes it came from (compared with the next version's to find what changed). */
interface Tile {
  window: DecodedWindow
  bytes: Uint8Array
}

export const TILE_ROWS = 64
export const TILE_COLS = 16
const CAPACITY = 512

export interface Tiles {
  /** Value of a cell, or undefined while its tile is loading. */
  value(row: number, col: number): Value | undefined
  /** Requests the tiles covering rows [r0, r1) × cols [c0, c1) that are neither cached nor on their way. */
  request(r0: number, r1: number, c0: number, c1: number): void
  /** Whether every tile covering the range is cached. */
  loaded(r0: number, r1: number, c0: number, c1: number): boolean
  /** Bumps whenever a tile arrives or the view changes. */
  version: number
  /**
   * Drops every cached tile (the data changed: an edit, an undo). external: another program wrote the file —
   * the old tiles are shown until the new ones arrive, and cells whose value changed flash.
   */
  refresh(external?: boolean): void
  /** Whether cell (row, col) changed value in another program's write less than FLASH_MS ago. */
  flashing(row: number, col: number): boolean
  error: string | null
}

export function useTiles(session: SessionInfo, view: View): Tiles {
  const cache = useMemo(() => new LruCache<string, Tile>(CAPACITY), [])
  /** The tiles shown before another program's write, until their new versions replace them. */
  const stale = useRef(new Map<string, Tile>())
  const flashes = useMemo(() => new Flashes(), [])
  const inflight = useRef(new Set<string>())
  const generation = useRef(0)
  const [version, setVersion] = useState(0)
  const [error, setError] = useState<string | null>(null)
  const viewKey = JSON.stringify(view)

  useEffect(() => {
    generation.current++
    cache.clear()
    stale.current.clear()
    flashes.clear()
    inflight.current.clear()
    setVersion((v) => v + 1)
  }, [viewKey, cache, flashes])

  const value = useCallback(
    (row: number, col: number): Value | undefined => {
      const tr = Math.floor(row / TILE_ROWS)
      const tc = Math.floor(col / TILE_COLS)
      const key = `${viewKey}|${tr},${tc}`
      const tile = (cache.get(key) ?? stale.current.get(key))?.window
      const i = row - tr * TILE_ROWS
      const j = col - tc * TILE_COLS
      return tile && i < tile.rows && j < tile.cols ? tile.value(i, j) : undefined
    },
    [cache, viewKey]
  )

  const loaded = useCallback(
    (r0: number, r1: number, c0: number, c1: number): boolean => {
      for (let tr = Math.floor(r0 / TILE_ROWS); tr * TILE_ROWS < r1; tr++) {
        for (let tc = Math.floor(c0 / TILE_COLS); tc * TILE_COLS < c1; tc++) {
          if (!cache.has(`${viewKey}|${tr},${tc}`)) return false
        }
      }
      return true
    },
    [cache, viewKey]
  )

  const request = useCallback(
    (r0: number, r1: number, c0: number, c1: number): void => {
      for (let tr = Math.floor(r0 / TILE_ROWS); tr * TILE_ROWS < r1; tr++) {
        for (let tc = Math.floor(c0 / TILE_COLS); tc * TILE_COLS < c1; tc++) {
          // keys carry the view: tiles of another view never answer for this one, even before the
          // effect below has cleared the cache
          const key = `${viewKey}|${tr},${tc}`
          if (cache.has(key) || inflight.current.has(key)) continue
          inflight.current.add(key)
          const gen = generation.current
          api
            .invoke('window:get', {
              session: session.session,
              generation: gen,
              view,
              row0: tr * TILE_ROWS,
              rows: TILE_ROWS,
              col0: tc * TILE_COLS,
              cols: TILE_COLS
            })
            .then((w) => {
              if (w.generation !== generation.current) return // stale: the view changed meanwhile
              inflight.current.delete(key)
              const before = stale.current.get(key)
              if (before) {
                stale.current.delete(key)
                const now = performance.now()
                let any = false
                changedElements(
                  { bytes: before.bytes, rows: before.window.rows, cols: before.window.cols },
                  w,
                  (i, j) => {
                    flashes.mark(`${tr * TILE_ROWS + i},${tc * TILE_COLS + j}`, now)
                    any = true
                  }
                )
                // drawn again when the flash is over, so that it ends without waiting for another change
                if (any) setTimeout(() => setVersion((v) => v + 1), FLASH_MS + 20)
              }
              cache.set(key, { window: decodeWindow(w.bytes, w.dtype, w.rows, w.cols), bytes: w.bytes })
              setVersion((v) => v + 1)
            })
            .catch((e: Error) => {
              inflight.current.delete(key)
              if (gen === generation.current) setError(e.message)
            })
        }
      }
    },
    [cache, session.session, view, viewKey, flashes]
  )

  const refresh = useCallback(
    (external?: boolean) => {
      generation.current++
      stale.current.clear()
      // kept on screen until replaced (only this view's tiles: keys carry the view)
      if (external) for (const [key, tile] of cache.entries()) stale.current.set(key, tile)
      cache.clear()
      inflight.current.clear()
      setVersion((v) => v + 1)
    },
    [cache]
  )

  const flashing = useCallback(
    (row: number, col: number): boolean => flashes.size > 0 && flashes.has(`${row},${col}`, performance.now()),
    [flashes]
  )

  return { value, request, loaded, version, error, refresh, flashing }
}
