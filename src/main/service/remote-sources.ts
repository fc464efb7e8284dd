// The remote objects this process has open, by URL, and their preparation before a request uses them. Container
// parsers read synchronously (ParseContext.read); a network read cannot be. So before a request naming a URL
// runs, prepareRemote() opens the object (one request: its first block, size and validator) and parses its
// container once with a read that serves the copy's bytes and, for bytes not fetched yet, records what it needs
// and stops the parse (NeedBytes); those ranges are fetched asynchronously, coalesced, and the parse runs again —
// a few rounds at most (a safetensors header: its first block holds the 8-byte length and usually the whole
// JSON, else one more request). A shard named by an index is opened the same way. After that the synchronous
// paths (the container cache, the probe, open) find every byte they read in the copy; one that still misses
// some (a caller outside the service) is served by the blocking worker (remote-worker.ts).
import { ApiError } from '../../shared/contract'
import { ContainerError } from '../../shared/containers'
import { BLOCK, RemoteStore } from './remote-store'
import { remoteSibling } from './remote-url'

/** Rounds of a restartable parse before giving up (each round fetches what the last one found missing). */
const MAX_ROUNDS = 12
/** Objects kept open that no session uses (their copies are removed when they leave). */
const IDLE_KEPT = 8

interface Entry {
  store: RemoteStore
  refs: number
  used: number
}

const open = new Map<string, Entry>()
const opening = new Map<string, Promise<RemoteStore>>()

/** A parse stopped for bytes not fetched yet. */
export class NeedBytes extends Error {
  constructor(
    readonly store: RemoteStore,
    readonly ranges: [number, number][]
  ) {
    super('bytes not fetched yet')
  }
}

/** A parse stopped for an object not opened yet (a shard an index names). */
export class NeedObject extends Error {
  constructor(readonly url: string) {
    super(`${url} not opened yet`)
  }
}

/** The open object of a URL (prepared before), or an error saying it was not. */
export function remoteStore(url: string): RemoteStore {
  const e = open.get(url)
  if (!e) throw new NeedObject(url)
  e.used = Date.now()
  return e.store
}

/** A session holds the object while it is open; the last release lets it be evicted. */
export function holdRemote(store: RemoteStore): () => void {
  const e = open.get(store.url)
  if (!e || e.store !== store) return () => store.close()
  e.refs++
  let released = false
  return () => {
    if (released) return
    released = true
    e.refs--
    // an object replaced by its new version (opened again) goes with its last session
    if (e.refs === 0 && open.get(store.url) !== e) store.close()
    evict()
  }
}

function evict(): void {
  const idle = [...open.entries()].filter(([, e]) => e.refs === 0).sort((a, b) => a[1].used - b[1].used)
  while (idle.length > IDLE_KEPT) {
    const [url, e] = idle.shift()!
    open.delete(url)
    e.store.close()
  }
}

/** Closes every object (the service closes). */
export function closeRemotes(): void {
  for (const e of open.values()) e.store.close()
  open.clear()
}

async function openStore(url: string, prefixes: string[] | null): Promise<RemoteStore> {
  const have = open.get(url)
  // an object found changed is opened again: its new version, a new copy
  if (have && !have.store.changed) {
    have.used = Date.now()
    return have.store
  }
  let p = opening.get(url)
  if (!p) {
    p = RemoteStore.open(url, { prefixes })
    opening.set(url, p)
    p.then(
      (store) => {
        opening.delete(url)
        const old = open.get(url)
        if (old && old.refs === 0) old.store.close()
        open.set(url, { store, refs: 0, used: Date.now() })
        evict()
      },
      () => opening.delete(url)
    )
  }
  return p
}

/**
 * Opens a URL and fetches what parsing it reads, so the synchronous parse finds it all (rounds of a parse that
 * stops at the first missing bytes, each round's needs fetched together).
 */
export async function prepareRemote(
  url: string,
  prefixes: string[] | null,
  parse: (url: string) => unknown
): Promise<RemoteStore> {
  const store = await openStore(url, prefixes)
  for (let round = 0; round < MAX_ROUNDS; round++) {
    try {
      parseOffline(() => parse(url))
      return store
    } catch (e) {
      if (e instanceof NeedObject) {
        await openStore(e.url, prefixes)
        continue
      }
      if (e instanceof NeedBytes) {
        // the index's bytes, or a shard's
        await e.store.fillRanges(e.ranges, { most: 256 << 20 })
        continue
      }
      // the parse's own errors are the synchronous path's to report (the same parse runs there)
      return store
    }
  }
  return store
}

/** Whether reads must not block: set while a preparation parses, so a missing byte stops the parse instead. */
let offline = false

function parseOffline(run: () => unknown): void {
  offline = true
  try {
    run()
    // a parser that caught a read's stop and went on (an entry it marked unreadable) still needs the bytes; an
    // object it failed to open and did without (a pair's .img, then its .img.gz) is not asked for
    if (pending instanceof NeedBytes) throw pending
  } catch (e) {
    // a parser that wraps a read's error in its own still needs the bytes
    if (pending) {
      const need = pending
      pending = null
      throw need
    }
    throw e
  } finally {
    offline = false
    pending = null
  }
}

let pending: NeedBytes | NeedObject | null = null

/** Whether the parse under way stopped at bytes not fetched yet (its result, if any, is incomplete: not kept). */
export function parseStopped(): boolean {
  return offline && pending instanceof NeedBytes
}

/**
 * A parse context's read of a remote object: the copy's bytes; during a preparation, missing bytes stop the
 * parse (with a read-ahead of a block, so the next round's small reads are there too); otherwise the blocking
 * worker fetches them.
 */
export function remoteRead(store: RemoteStore): (offset: number, length: number) => Uint8Array {
  return (offset, length) => {
    const n = Math.max(0, Math.min(length, store.size - offset))
    if (offline && n && !store.has(offset, offset + n)) {
      pending = new NeedBytes(store, [[offset, Math.min(store.size, offset + n + BLOCK)]])
      throw pending
    }
    return store.readSync(offset, length)
  }
}

/** A sibling (a shard beside an index): its store, or a stop of the preparation's parse until it is opened. */
export function remoteSiblingStore(base: string, relative: string, allows: (url: string) => boolean): RemoteStore {
  const url = remoteSibling(base, relative)
  if (!allows(url)) {
    throw new ApiError('permission', `${url} is not under a prefix this server may read (--remote): it is not read`)
  }
  const e = open.get(url)
  if (e && !e.store.changed) return e.store
  if (offline) {
    pending = new NeedObject(url)
    throw pending
  }
  throw new ContainerError(`${url} was not opened: open the index again`)
}
