// One HTTP(S) GET through Node's http/https modules with keep-alive agents, its body read into one buffer or
// handed on piece by piece as the socket delivers it (a streamed scan writes the pieces where its pass reads
// them, with no buffer of the whole range in between). Measured on loopback (docs/architecture.md, "Remote
// sources"): node:http reads a body at about the speed of fetch/undici in Node 20 with fewer copies, and both
// stay behind curl by the cost of one JS callback per 64 KiB socket read.
import http from 'node:http'
import https from 'node:https'
import { ApiError } from '../../shared/contract'

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 16 })
}

/** An answer whose headers are in and whose body is read (or dropped) on demand. */
export interface Answer {
  status: number
  statusText: string
  header(name: string): string | null
  /** The body, into one buffer (`expected` bytes preallocated when known). */
  bytes(expected: number | null): Promise<Uint8Array>
  /** The body piece by piece (each piece with its place in the body); resolves with its length. */
  stream(sink: (piece: Uint8Array, at: number) => void): Promise<number>
  drop(): void
}

const cut = (): ApiError => new ApiError('unavailable', 'the connection closed before the answer ended')

/** How long a request may go without a byte before it is dropped and tried again (ARRAYSCOPE_REMOTE_TIMEOUT_MS). */
export const timeoutMs = (): number => Number(process.env.ARRAYSCOPE_REMOTE_TIMEOUT_MS) || 30_000

/** One GET; rejects on a network error or timeout (transient), or when signal aborts. */
export function get(url: string, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const mod = u.protocol === 'https:' ? https : http
    const req = mod.get(u, { agent: u.protocol === 'https:' ? agents.https : agents.http, headers, signal }, (res) => {
      let consumed = false
      const stream = (sink: (piece: Uint8Array, at: number) => void): Promise<number> =>
        new Promise<number>((done, fail) => {
          consumed = true
          let at = 0
          res.on('data', (d: Buffer) => {
            try {
              sink(d, at)
            } catch (e) {
              res.destroy()
              fail(e)
              return
            }
            at += d.length
          })
          res.on('end', () => (res.complete ? done(at) : fail(cut())))
          res.on('error', fail)
          res.on('aborted', () => fail(cut()))
        })
      resolve({
        status: res.statusCode ?? 0,
        statusText: res.statusMessage ?? '',
        header: (name) => {
          const v = res.headers[name.toLowerCase()]
          return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v
        },
        drop: () => {
          if (!consumed) res.destroy()
          consumed = true
        },
        stream,
        bytes: async (expected) => {
          const parts: Uint8Array[] = []
          let into = expected !== null ? new Uint8Array(expected) : null
          const n = await stream((d, at) => {
            if (into && at + d.length <= into.length) into.set(d, at)
            else {
              if (into) parts.push(into.slice(0, at))
              into = null
              parts.push(d)
            }
          })
          return into ? into.subarray(0, n) : new Uint8Array(Buffer.concat(parts))
        }
      })
    })
    const ms = timeoutMs()
    req.setTimeout(ms, () => req.destroy(new ApiError('unavailable', `no answer for ${ms / 1000} s`)))
    req.on('error', reject)
  })
}
