// Serve mode: the same contract as the Electron IPC, bound over HTTP (the renderer's files) and a WebSocket
// (requests, responses and events as binary frames). Bound to 127.0.0.1 only; every WebSocket needs the
// random token printed in the URL, and Host/Origin must be loopback names (no DNS rebinding).
import { randomBytes, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { isChannel, ApiError } from '../../shared/contract'
import { decodeFrame, encodeFrame, type ClientMessage, type ServerMessage } from '../../shared/wire'
import type { ArrayService } from '../service/array-service'
import { toApiError } from '../service/errors'

export interface ServeOptions {
  service: ArrayService
  /** Folder of the built renderer (index.html and assets/). */
  rendererDir: string
  /** 0 picks a free port. */
  port?: number
  token?: string
}

export interface Server {
  url: string
  port: number
  token: string
  /** Sends an event to every connected page. */
  broadcast(event: string, payload: unknown): void
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json'
}

/** The same policy as the Electron window's (see src/renderer/index.html), plus the WebSocket. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

function hostIsLoopback(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false
  const name = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0]!
  return LOOPBACK.has(name)
}

function originIsLoopback(origin: string | undefined): boolean {
  if (origin === undefined) return true // not a browser (CLI clients, tests)
  try {
    return LOOPBACK.has(new URL(origin).hostname)
  } catch {
    return false
  }
}

function tokenMatches(given: string | null, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

export async function startServer(options: ServeOptions): Promise<Server> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const root = path.resolve(options.rendererDir)
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(`the app is not built (${root}/index.html is missing): run \`npm run build\``)
  }

  const httpServer = http.createServer((req, res) => {
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff' })
      res.end(body)
    }
    if (!hostIsLoopback(req.headers.host)) return send(403, 'forbidden host')
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed')
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    let rel = decodeURIComponent(url.pathname)
    if (rel === '/' || rel === '/index.html') {
      if (!tokenMatches(url.searchParams.get('token'), token)) {
        return send(403, 'ArrayScope: this page needs the token printed by `arrayscope serve` (…/?token=…)')
      }
      rel = '/index.html'
    }
    const file = path.resolve(root, '.' + rel)
    if (!file.startsWith(root + path.sep)) return send(404, 'not found')
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) return send(404, 'not found')
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Content-Length': st.size,
        'Content-Security-Policy': CSP,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': rel === '/index.html' ? 'no-store' : 'max-age=3600'
      })
      if (req.method === 'HEAD') return res.end()
      fs.createReadStream(file).pipe(res)
    })
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 })
  httpServer.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (
      url.pathname !== '/ws' ||
      !hostIsLoopback(req.headers.host) ||
      !originIsLoopback(req.headers.origin) ||
      !tokenMatches(url.searchParams.get('token'), token)
    ) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data, isBinary) => {
      void handleMessage(ws, data as Buffer, isBinary)
    })
  })

  async function handleMessage(ws: WebSocket, data: Buffer, isBinary: boolean): Promise<void> {
    let id = -1
    let reply: ServerMessage
    try {
      if (!isBinary) throw new ApiError('bad-request', 'messages must be binary frames')
      const msg = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) as ClientMessage
      if (!msg || typeof msg !== 'object' || typeof msg.id !== 'number')
        throw new ApiError('bad-request', 'malformed message')
      id = msg.id
      if (!isChannel(msg.channel)) throw new ApiError('bad-request', `unknown channel ${String(msg.channel)}`)
      const value = await options.service.handle(msg.channel, msg.request)
      reply = { id, ok: true, value }
    } catch (error) {
      const e = toApiError(error)
      reply = { id, ok: false, error: { code: e.code, message: e.message } }
    }
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(reply))
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject)
    httpServer.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (httpServer.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    broadcast(event, payload) {
      const frame = encodeFrame({ event, payload } satisfies ServerMessage)
      for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(frame)
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        httpServer.close(() => resolve())
        httpServer.closeAllConnections()
      })
  }
}
