// Who may talk to serve mode: requests must name a loopback Host (no DNS rebinding), carry the random token,
// and — for WebSockets from a browser — come from a page of this very server: the Origin must equal
// http://<Host>, port included, so a page on another local port (another dev server, say) is refused.
import { timingSafeEqual } from 'node:crypto'

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

/** The host name of a Host header ("127.0.0.1:8080", "[::1]:80", "localhost"), lower-cased. */
function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase()
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1)
  return h.split(':')[0]!
}

export function hostIsLoopback(hostHeader: string | undefined): boolean {
  return hostHeader !== undefined && LOOPBACK.has(hostName(hostHeader))
}

/**
 * A browser's Origin for a page of this server is its scheme and the Host it was loaded from (an SSH forward
 * changes the port, so the Host the browser used is what counts, not the port we listen on). No Origin: not a
 * browser (the CLI, tests), which only the token guards.
 */
export function originMatchesHost(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true
  if (!hostHeader || !hostIsLoopback(hostHeader)) return false
  const o = origin.trim().toLowerCase()
  const h = hostHeader.trim().toLowerCase()
  return o === `http://${h}` || o === `https://${h}`
}

export function tokenMatches(given: string | null, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * The path and query of a request line's target, or null when it is not a URL at all ("//[", "/%E0%A4%A"):
 * such requests get a 400, never an exception.
 */
export function parseTarget(target: string | undefined): { path: string; query: URLSearchParams } | null {
  try {
    const url = new URL(target ?? '/', 'http://127.0.0.1')
    const path = decodeURIComponent(url.pathname)
    if (path.includes('\0')) return null
    return { path, query: url.searchParams }
  } catch {
    return null
  }
}
