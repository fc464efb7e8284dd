// A range of a plain-http object read over a raw keep-alive socket: the socket reads its body straight into the
// caller's target (net's onread with a buffer function: each read lands where its bytes belong, in a streamed
// scan the very memory the kernels scan), without Node's HTTP client (its parser, a new Buffer per 64 KiB read,
// streams, and the garbage they make cost 2.3× the socket's own time on loopback; a copy of every byte from a
// socket buffer cost a third of the network's time: docs/architecture.md, "Remote sources"). Only the headers and
// the body bytes read with them land in a small buffer of the connection, and those body bytes are copied once. Only the plain answer is taken here — 206 with the
// Content-Length and Content-Range asked for, no Transfer-Encoding, the validator expected; anything else (a
// redirect, 412, 5xx, 200, chunked) is 'other', and the caller reads the range again through node:http, which
// handles it. https stays on node:https.
import net from 'node:net'
import { ApiError } from '../../shared/contract'
import { timeoutMs } from './remote-http'

interface Conn {
  socket: net.Socket
  key: string
  /** Where the socket reads next (net calls onread.buffer after every read): head, or the rest of a target. */
  next: Uint8Array
  /** The buffer for headers, and for whatever comes while no body is expected. */
  head: Uint8Array
  /** Called with each read's bytes (where they were read into) while a request is answered. */
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
    const head = Buffer.allocUnsafe(HEAD_MAX)
    const c: Conn = {
      socket: undefined as unknown as net.Socket,
      key,
      next: head,
      head,
      got: () => undefined,
      lost: () => undefined
    }
    c.socket = net.connect({
      host,
      port,
      onread: {
        buffer: () => c.next,
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
  c.next = c.head
  list.push(c)
  idle.set(c.key, list)
  setTimeout(drop, rawPool.idleMs).unref()
  c.socket.unref()
}

/** Ranges read over raw sockets, answers handed back to node:http, body bytes copied (tests count them). */
export const rawStats = { done: 0, other: 0, copied: 0 }

export interface RawRange {
  url: URL
  headers: Record<string, string>
  offset: number
  length: number
  /** Whether the answer's headers (lower-case names) show the version expected. */
  current: (header: (name: string) => string | null) => boolean
  /** Where the body goes: length bytes, written by place (a retry writes them again from the start). */
  target: Uint8Array
  signal: AbortSignal | undefined
}

/** Reads a range over a raw socket: 'done' when the body is in the target, 'other' for the caller to handle. */
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
      // no read may land in the target any more (destroyed, the socket reads nothing after)
      c.next = c.head
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
      // read in place (the read went into the target where these bytes belong), else copied once
      const inPlace = bytes.buffer === r.target.buffer && bytes.byteOffset === r.target.byteOffset + at
      if (!inPlace) {
        r.target.set(bytes, at)
        rawStats.copied += bytes.length
      }
      at += bytes.length
      // the next read into the rest of the body (exactly: a byte past the answer cannot land in the target)
      if (at < r.length) {
        c.next = r.target.subarray(at)
        return
      }
      c.next = c.head
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
        c.next = c.head
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
    if (r.target.length !== r.length) return fail(new ApiError('io', 'the target is not the range long'))
    c.next = c.head
    const lines = [`GET ${r.url.pathname}${r.url.search} HTTP/1.1`, `Host: ${r.url.host}`]
    for (const [k, v] of Object.entries(r.headers)) lines.push(`${k}: ${v}`)
    c.socket.write(lines.join('\r\n') + '\r\n\r\n')
  })
}
