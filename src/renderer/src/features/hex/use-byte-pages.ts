// Pages of a session's bytes for the hex view: fetched over the contract as they come into view and kept in an
// LRU cache. An edit of the session drops the cache; each request carries the generation it was made in, so a
// reply that left before the edit is not kept (as use-tiles does for the table's windows). Another program's
// write to a followed file keeps the pages shown until their new versions come, and the bytes that differ
// flash (value-flash.ts).
import { useEffect, useMemo, useRef, useState } from 'react'
import { LruCache } from '../../../../shared/lru'
import { api } from '../../transport'
import { Flashes, FLASH_MS } from '../../../../shared/value-flash'

export const PAGE = 4096
const CAPACITY = 64

export interface BytePages {
  /** The byte at offset o; undefined while its page is on its way, null past the end of the file. */
  byteAt(o: number): number | null | undefined
  /** A page that could not be read (the file changed on disk, a closed session): said, not swallowed. */
  /** Whether the byte at o changed in another program's write a moment ago. */
  flashing(o: number): boolean
  error: string | null
}

/** The bytes of session (none: every byte is undefined). */
export function useBytePages(session: string | undefined): BytePages {
  const cache = useMemo(() => new LruCache<number, Uint8Array>(CAPACITY), [session]) // eslint-disable-line react-hooks/exhaustive-deps
  const inflight = useRef(new Set<number>())
  const stale = useRef(new Map<number, Uint8Array>())
  const flashes = useMemo(() => new Flashes(), [session]) // eslint-disable-line react-hooks/exhaustive-deps
  const generation = useRef(0)
  const [, setVersion] = useState(0)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    if (!session) return
    return api.on('session:edited', (e) => {
      if (e.session !== session) return
      generation.current++
      stale.current.clear()
      if (e.external) for (const [page, data] of cache.entries()) stale.current.set(page, data)
      cache.clear()
      inflight.current.clear()
      setVersion((v) => v + 1)
    })
  }, [session, cache])

  const fetchPage = (page: number): void => {
    if (!session || inflight.current.has(page)) return
    inflight.current.add(page)
    const gen = generation.current
    api
      .invoke('bytes:get', { session, offset: page * PAGE, length: PAGE })
      .then((r) => {
        if (gen !== generation.current) return // read before an edit: stale
        inflight.current.delete(page)
        const before = stale.current.get(page)
        if (before) {
          stale.current.delete(page)
          const now = performance.now()
          let any = false
          for (let i = 0; i < Math.min(before.length, r.bytes.length); i++) {
            if (before[i] !== r.bytes[i]) {
              flashes.mark(String(page * PAGE + i), now)
              any = true
            }
          }
          if (any) setTimeout(() => setVersion((v) => v + 1), FLASH_MS + 20)
        }
        cache.set(page, r.bytes)
        setError(null)
        setVersion((v) => v + 1)
      })
      .catch((e: Error) => {
        if (gen !== generation.current) return
        inflight.current.delete(page)
        setError(`bytes from ${page * PAGE} could not be read: ${e.message}`)
      })
  }

  const byteAt = (o: number): number | null | undefined => {
    const page = Math.floor(o / PAGE)
    const data = cache.get(page) ?? stale.current.get(page)
    if (!cache.has(page)) fetchPage(page)
    if (!data) return undefined
    const i = o - page * PAGE
    return i < data.length ? data[i]! : null
  }

  const flashing = (o: number): boolean => flashes.size > 0 && flashes.has(String(o), performance.now())

  return { byteAt, flashing, error }
}
