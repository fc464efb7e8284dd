// A range of a plain-http object read over a raw keep-alive socket, for streamed scans only: the socket reads
// into one reused buffer (net's onread) and the body goes straight to the scan's sink, without Node's HTTP client
// (its parser, a new Buffer per 64 KiB read, streams, and the garbage they make cost 2.3× the socket's own time on
// loopback: docs/architecture.md, "Remote sources"). Only the plain answer is taken here — 206 with the
// Content-Length and Content-Range asked for, no Transfer-Encoding, the validator expected; anything else (a
// redirect, 412, 5xx, 200, chunked) is 'other', and the caller reads the range again through node:http, which
// handles it. https stays on node:https.
import net from 'node:net'
import { ApiError } from '../../shared/contract'
import { timeoutMs } from './remote-http'

interface Conn {
  socket: net.Socket
  key: string
  /** Where the socket's bytes go while a request is answered. */
  got: (bytes: Uint8Array) => void
  /** Called when the socket ends or fails. */
  lost: (e: Error) => void
}

/** Idle keep-alive sockets by host:port, dropped after idleMs (before a server's keep-alive timeout). */
const idle = new Map<string, Conn[]>()
export const rawPool = { idleMs: 4_000 }
const HEAD_MAX = 64 << 10

function connect(host: string, port: number, key: string): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const buffer = Buffer.allocUnsafe(1 << 20)
    const c: Conn = {
      socket: undefined as unknown as net.Socket,
      key,
      got: () => undefined,
      lost: () => undefined
    }
    c.socket = net.connect({
      host,
      port,
      onread: {
        buffer,
        callback: (n, b) => {
          c.got(b.subarray(0, n))
          return true
        }
      }
    })
    c.socket.setNoDelay(true)
    c.socket.once('connect', () => resolve(c))
    c.socket.on('timeout', () => c.lost(new ApiError('unavailable', `no answer for ${timeoutMs() / 1000} s`)))
    c.socket.on('error', (e) => {
      reject(e)
      c.lost(e)
    })
    c.socket.on('close', () => c.lost(new ApiError('unavailable', 'the connection closed before the answer ended')))
  })
}

function release(c: Conn): void {
  const list = idle.get(c.key) ?? []
  // only while it is idle: taken again meanwhile, the socket is another request's
  const drop = (): void => {
    const at = list.indexOf(c)
    if (at < 0) return
    list.splice(at, 1)
    c.socket.destroy()
  }
  // bytes while idle are no answer to anything; a socket the server closes leaves the pool
  c.got = drop
  c.lost = drop
  list.push(c)
  idle.set(c.key, list)
  setTimeout(drop, rawPool.idleMs).unref()
  c.socket.unref()
}

/** Ranges read over raw sockets, and answers handed back to node:http (tests count them). */
export const rawStats = { done: 0, other: 0 }

export interface RawRange {
  url: URL
  headers: Record<string, string>
  offset: number
  length: number
  /** Whether the answer's headers (lower-case names) show the version expected. */
  current: (header: (name: string) => string | null) => boolean
  sink: (piece: Uint8Array, at: number) => void
  signal: AbortSignal | undefined
}

/** Reads a range over a raw socket: 'done' when the body went to the sink, 'other' for the caller to handle. */
export async function rawRange(r: RawRange): Promise<'done' | 'other'> {
  const host = r.url.hostname.replace(/^\[|\]$/g, '')
  const port = Number(r.url.port || 80)
  const key = `${host}:${port}`
  const reused = idle.get(key)?.pop()
  try {
    return await once(reused ?? (await connect(host, port, key)), r)
  } catch (e) {
    // a kept socket the server closed meanwhile: once more on a new one, at once
    if (reused && !(e as { answered?: boolean }).answered && !r.signal?.aborted)
      return once(await connect(host, port, key), r)
    throw e
  }
}

function once(c: Conn, r: RawRange): Promise<'done' | 'other'> {
  c.socket.ref()
  return new Promise((resolve, reject) => {
    let head: string | null = ''
    let at = 0
    let answered = false
    const fail = (e: Error): void => {
      r.signal?.removeEventListener('abort', abort)
      c.socket.destroy()
      reject(Object.assign(e instanceof ApiError ? e : new ApiError('unavailable', e.message), { answered }))
    }
    const abort = (): void => fail(new ApiError('cancelled', 'cancelled'))
    if (r.signal?.aborted) return abort()
    r.signal?.addEventListener('abort', abort, { once: true })
    c.lost = fail
    c.socket.setTimeout(timeoutMs())
    let keep = true
    const body = (bytes: Uint8Array): void => {
      if (at + bytes.length > r.length) return fail(new ApiError('unavailable', 'the answer is longer than asked'))
      r.sink(bytes, at)
      at += bytes.length
      if (at < r.length) return
      r.signal?.removeEventListener('abort', abort)
      c.socket.setTimeout(0)
      rawStats.done++
      if (keep) release(c)
      else c.socket.destroy()
      resolve('done')
    }
    c.got = (bytes) => {
      answered = true
      if (head === null) {
        try {
          body(bytes)
        } catch (e) {
          fail(e as Error)
        }
        return
      }
      // the headers are text at the start of the answer: at most HEAD_MAX bytes of a read are looked at
      const before = head.length
      const look = bytes.subarray(0, Math.min(bytes.length, HEAD_MAX))
      head += Buffer.from(look.buffer, look.byteOffset, look.length).toString('latin1')
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) {
        if (head.length > HEAD_MAX) fail(new ApiError('unavailable', 'the answer has no end of headers'))
        return
      }
      const lines = head.slice(0, end).split('\r\n')
      // where the body starts in this read (the headers ended in it)
      const start = end + 4 - before
      head = null
      const fields = new Map<string, string>()
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':')
        if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
      }
      const header = (name: string): string | null => fields.get(name) ?? null
      keep = !/close/i.test(header('connection') ?? '') && /^HTTP\/1\.1 /.test(lines[0]!)
      const plain =
        /^HTTP\/1\.[01] 206 /.test(lines[0]! + ' ') &&
        !header('transfer-encoding') &&
        Number(header('content-length')) === r.length &&
        (header('content-range') ?? '').startsWith(`bytes ${r.offset}-`) &&
        r.current(header)
      if (!plain) {
        // not ours to handle: the socket is dropped (its body unread), the caller asks again through node:http
        r.signal?.removeEventListener('abort', abort)
        c.lost = () => undefined
        c.socket.destroy()
        rawStats.other++
        return resolve('other')
      }
      try {
        if (start < bytes.length || r.length === 0) body(bytes.subarray(start))
      } catch (e) {
        fail(e as Error)
      }
    }
    const lines = [`GET ${r.url.pathname}${r.url.search} HTTP/1.1`, `Host: ${r.url.host}`]
    for (const [k, v] of Object.entries(r.headers)) lines.push(`${k}: ${v}`)
    c.socket.write(lines.join('\r\n') + '\r\n\r\n')
  })
}
