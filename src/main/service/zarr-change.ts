// The change check of a remote Zarr array (a folder of objects, not one object with one validator). A session
// watches what its values come from: the metadata documents that define the array (its .zarray or zarr.json,
// and the root's consolidated metadata) with the validators they were fetched with, and the chunk objects it
// read (their validators, or that there was none: the fill value). Each check (remote-service.ts, every 5 s)
// asks the documents again and a few of the chunks in turn — headers only, never a body — so a replaced
// document is told at the next check, and a replaced chunk within a round of the chunks read.
import { ApiError } from '../../shared/contract'
import { readHead } from './remote-fetch'
import { underPrefix } from './remote-url'
import type { SeenObject } from './zarr-remote'

/** Chunks asked at each check (in turn), beside the documents. */
const CHUNKS_PER_CHECK = 4
/** Chunks remembered: past this, the first ones read are the ones asked. */
const MOST_CHUNKS = 4096
/** The validator of a chunk with no object (its values the fill value). */
const ABSENT = '\0absent'

/** What checkRemoteSessions asks: a remote object (RemoteStore) or a remote Zarr array (ZarrWatch). */
export interface RemoteCheck {
  changed: boolean
  stillCurrent(): Promise<boolean>
}

export class ZarrWatch implements RemoteCheck {
  changed = false
  /** Chunk URLs read, with their validator (ABSENT: no object there, the fill value). */
  private readonly chunks = new Map<string, string>()
  private next = 0

  constructor(
    private readonly docs: { url: string; validator: string }[],
    private readonly prefixes: readonly string[] | null
  ) {}

  /** Records a chunk read (one read again under another validator is a change at once). */
  readonly seen: SeenObject = (url, validator) => {
    // an object without a validator (a server without ETag or Last-Modified) cannot be checked
    if (validator === '') return
    const v = validator ?? ABSENT
    const had = this.chunks.get(url)
    if (had !== undefined && had !== v) this.changed = true
    else if (had === undefined && this.chunks.size < MOST_CHUNKS) this.chunks.set(url, v)
  }

  /** The validator an object has now: ABSENT when there is none, '' when it has no validator. */
  private async now(url: string): Promise<string> {
    const p = this.prefixes
    try {
      const h = await readHead(url, 1, {
        headersOnly: true,
        ...(p ? { allows: (u: string) => underPrefix(u, p) } : {})
      })
      return h.validator ?? ''
    } catch (e) {
      if (e instanceof ApiError && e.code === 'not-found') return ABSENT
      throw e
    }
  }

  /** Whether the documents, and the next few chunks read (in turn), still have their validators. */
  async stillCurrent(): Promise<boolean> {
    const chunks = [...this.chunks]
    const asked: [string, string][] = this.docs.map((d) => [d.url, d.validator])
    for (let i = 0; i < Math.min(CHUNKS_PER_CHECK, chunks.length); i++) {
      asked.push(chunks[(this.next + i) % chunks.length]!)
    }
    this.next = chunks.length ? (this.next + CHUNKS_PER_CHECK) % chunks.length : 0
    const now = await Promise.all(asked.map(([url]) => this.now(url)))
    // an object there now without a validator is taken as unchanged unless it was absent
    return asked.every(([, was], i) => was === now[i] || (now[i] === '' && was !== ABSENT))
  }
}

/** The watches of remote Zarr arrays' chunk grids (the session's source knows its grid, not the watch). */
const watches = new WeakMap<object, ZarrWatch>()

export function watchZarr(grid: object, watch: ZarrWatch): void {
  watches.set(grid, watch)
}

export function zarrWatchOf(grid: object | undefined): ZarrWatch | undefined {
  return grid ? watches.get(grid) : undefined
}
