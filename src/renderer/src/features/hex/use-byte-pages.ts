// Pages of a session's bytes for the hex view: fetched over the contract as they come into view and kept in an
// LRU cache. An edit of the session drops the cache; each request carries the generation it was made in, so a
// reply that left before the edit is not kept (as use-tiles does for the table's windows).
import { useEffect, useMemo, useRef, useState } from 'react'
import { LruCache } from '../../../../shared/lru'
import { api } from '../../transport'

export const PAGE = 4096
const CAPACITY = 64

export interface BytePages {
  /** The byte at offset o; undefined while its page is on its way, null past the end of the file. */
  byteAt(o: number): number | null | undefined
  /** A page that could not be read (the file changed on disk, a closed session): said, not swallowed. */
  error: string | null
}

/** The bytes of session (none: every byte is undefined). */
export function useBytePages(session: string | undefined): BytePages {
  const cache = useMemo(() => new LruCache<number, Uint8Array>(CAPACITY), [session]) // eslint-disable-line react-hooks/exhaustive-deps
  const inflight = useRef(new Set<number>())
  const generation = useRef(0)
  const [, setVersion] = useState(0)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    if (!session) return
    return api.on('session:edited', (e) => {
      if (e.session !== session) return
      generation.current++
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
    const data = cache.get(page)
    if (!data) {
      fetchPage(page)
      return undefined
    }
    const i = o - page * PAGE
    return i < data.length ? data[i]! : null
  }

  return { byteAt, error }
}
