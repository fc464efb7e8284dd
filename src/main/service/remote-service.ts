// What the service does for remote objects around its handlers: before a request that names a URL runs, the
// object is opened and its container's header fetched (remote-sources.ts), so the synchronous handlers find the
// bytes they parse; and now and then (not at the 250 ms of local files: each check is a request) each open
// remote object is asked whether it still has the validator it was opened with — a replaced object reports
// "changed" like a local file.
import { isGzipFitsName } from './gzip-copies'
import { prepareRemote } from './remote-sources'
import { isRemote } from './remote-url'
import { zarrWatchOf, type RemoteCheck } from './zarr-change'
import { isZarrUrl, prepareZarr } from './zarr-remote'
import type { PathPolicy } from './path-policy'
import type { Session } from './session'

/** How often an open remote object's validator is checked. */
const CHECK_EVERY_MS = 5000

/** Opens and prepares the URL a request names (its `path`), after the policy allows it. */
export async function prepareRequest(
  request: unknown,
  paths: PathPolicy,
  parse: (url: string) => unknown
): Promise<void> {
  const path = (request as { path?: unknown }).path
  if (typeof path !== 'string' || !isRemote(path)) return
  const url = paths.resolve(path)
  await prepareUrl(url, paths.remote.prefixes ? [...paths.remote.prefixes] : null, parse)
}

/** Prepares a URL: a Zarr store's metadata documents fetched by key (a folder of objects), another object opened. */
export async function prepareUrl(
  url: string,
  prefixes: string[] | null,
  parse: (url: string) => unknown
): Promise<void> {
  if (isZarrUrl(url)) await prepareZarr(url, prefixes)
  // a .fits.gz is parsed from its decompressed copy, streamed next (gzip-copies.ts): here only opened
  else await prepareRemote(url, prefixes, isGzipFitsName(url) ? () => null : parse)
}

const lastCheck = new WeakMap<Session, number>()
const checking = new WeakSet<Session>()

/** Checks each remote session's object (at most every CHECK_EVERY_MS, one check at a time per session). */
export function checkRemoteSessions(sessions: Iterable<Session>, changed: (s: Session) => void): void {
  const now = Date.now()
  for (const s of sessions) {
    // a remote object, or a remote Zarr array's documents and chunks
    const store: RemoteCheck | undefined = s.source.remoteObject ?? zarrWatchOf(s.source.chunkGrid)
    if (!store || checking.has(s) || s.edits.externallyChanged) continue
    if (store.changed) {
      changed(s)
      continue
    }
    if (now - (lastCheck.get(s) ?? now - CHECK_EVERY_MS) < CHECK_EVERY_MS) continue
    lastCheck.set(s, now)
    checking.add(s)
    void store
      .stillCurrent()
      .then((current) => {
        if (!current) {
          store.changed = true
          changed(s)
        }
      })
      .catch(() => undefined) // a server down for a moment is not a change; the next check asks again
      .finally(() => checking.delete(s))
  }
}
