// Serve mode: the same contract as the Electron IPC, bound over HTTP (the renderer's files) and a WebSocket
// (requests, responses and events as binary frames). Bound to 127.0.0.1 only; every page and WebSocket needs
// the random token printed in the URL, Host must be a loopback name (no DNS rebinding) and a browser's Origin
// must be this server's own (request-checks.ts). Whatever arrives — a malformed request line, a bad frame —
// is answered or the connection closed; it never ends the server.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { encodeFrame, type ServerMessage } from '../../shared/wire'
import type { ArrayService } from '../service/array-service'
import { serveConnection } from './connection'
import { hostIsLoopback, originMatchesHost, parseTarget, tokenMatches } from './request-checks'
import { CSP } from '../csp'

/**
 * The largest WebSocket message accepted: a paste of a million cells (edit:apply) fits; a bigger frame is
 * answered with close code 1009 (message too big) before it is buffered.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024

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

export async function startServer(options: ServeOptions): Promise<Server> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const root = path.resolve(options.rendererDir)
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(`the app is not built (${root}/index.html is missing): run \`npm run build\``)
  }

  const httpServer = http.createServer((req, res) => {
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      if (res.headersSent) return void res.destroy()
      res.writeHead(status, { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff' })
      res.end(body)
    }
    if (!hostIsLoopback(req.headers.host)) return send(403, 'forbidden host')
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed')
    const target = parseTarget(req.url)
    if (!target) return send(400, 'bad request: the path is not a valid URL')
    let rel = target.path
    if (rel === '/' || rel === '/index.html') {
      if (!tokenMatches(target.query.get('token'), token)) {
        return send(403, 'ArrayScope: this page needs the token printed by `arrayscope serve` (…/?token=…)')
      }
      rel = '/index.html'
    }
    const file = path.resolve(root, '.' + rel)
    if (!file.startsWith(root + path.sep)) return send(404, 'not found')
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) return send(404, 'not found')
      const stream = fs.createReadStream(file)
      // The file can vanish between stat and read (a rebuild): end the response, keep the server.
      stream.on('error', () => (res.headersSent ? res.destroy() : send(404, 'not found')))
      stream.once('open', () => {
        res.writeHead(200, {
          'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
          'Content-Length': st.size,
          'Content-Security-Policy': CSP,
          'X-Content-Type-Options': 'nosniff',
          'Referrer-Policy': 'no-referrer',
          'Cache-Control': rel === '/index.html' ? 'no-store' : 'max-age=3600'
        })
        if (req.method === 'HEAD') {
          stream.destroy()
          return void res.end()
        }
        stream.pipe(res)
      })
    })
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  wss.on('error', () => undefined)
  httpServer.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy())
    const target = parseTarget(req.url)
    if (
      !target ||
      target.path !== '/ws' ||
      !hostIsLoopback(req.headers.host) ||
      !originMatchesHost(req.headers.origin, req.headers.host) ||
      !tokenMatches(target.query.get('token'), token)
    ) {
      socket.write(`HTTP/1.1 ${target ? '403 Forbidden' : '400 Bad Request'}\r\nConnection: close\r\n\r\n`)
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  wss.on('connection', (ws: WebSocket) => serveConnection(ws, options.service))

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
