// A small HTTP proxy in front of a real server (nginx), in a child process (a synchronous read blocks the test's
// thread), that adds what networks do: the first path segment says what, the rest is forwarded upstream.
//   /delay-MS/…   every request waits MS milliseconds first
//   /503-N/…      the first N requests of that path answer 503 Service Unavailable
//   /drop-N/…     the first N requests of that path send their headers and half their body, then drop the connection
//   /stall-N/…    the first N requests of that path never answer (the client's timeout must end them)
//   /dropnth-K/…, /stallnth-K/…   only the K-th request of that path (a fault in the middle of a scan)
// It counts the requests it forwards per path (GET /__count?path=… answers the number).
import { spawn } from 'node:child_process'

const SCRIPT = `
const http = require('node:http')
const upstream = new URL(process.argv[1])
const seen = new Map()
const count = new Map()
const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x')
  if (u.pathname === '/__count') { res.end(String(count.get(u.searchParams.get('path')) || 0)); return }
  const m = /^\\/(delay|503|drop|stall|dropnth|stallnth)-(\\d+)(\\/.*)$/.exec(u.pathname)
  const kind = m ? m[1] : 'pass'
  const n = m ? Number(m[2]) : 0
  const rest = m ? m[3] : u.pathname
  const key = kind + ' ' + rest
  const k = (seen.get(key) || 0) + 1
  seen.set(key, k)
  count.set(u.pathname, (count.get(u.pathname) || 0) + 1)
  const forward = (cut) => {
    const p = http.request({ host: upstream.hostname, port: upstream.port, path: rest + u.search, method: req.method,
      headers: { ...req.headers, host: upstream.host } }, (up) => {
      res.writeHead(up.statusCode, up.headers)
      if (!cut) { up.pipe(res); return }
      const half = Math.floor(Number(up.headers['content-length'] || 0) / 2)
      let sent = 0
      up.on('data', (d) => {
        if (sent >= half) return
        const part = d.subarray(0, half - sent)
        sent += part.length
        res.write(part)
        if (sent >= half) { up.destroy(); res.socket.destroy() }
      })
    })
    p.on('error', () => res.destroy())
    req.pipe(p)
  }
  if (kind === 'delay') return void setTimeout(() => forward(false), n)
  if (kind === '503' && k <= n) { res.writeHead(503); res.end('busy'); return }
  if ((kind === 'stall' && k <= n) || (kind === 'stallnth' && k === n)) return
  forward((kind === 'drop' && k <= n) || (kind === 'dropnth' && k === n))
})
server.keepAliveTimeout = 1000
server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port))
`

export interface FaultProxy {
  url: string
  /** Requests forwarded for a path (with its fault prefix), as the proxy counted them. */
  count(path: string): Promise<number>
  stop(): Promise<void>
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const child = spawn(process.execPath, ['-e', SCRIPT, upstream], { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /PORT (\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child.once('exit', (code) => reject(new Error(`the proxy exited with ${code}: ${err}`)))
  })
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    count: async (path) => Number(await (await fetch(`${url}/__count?path=${encodeURIComponent(path)}`)).text()),
    stop: async () => {
      if (child.exitCode !== null) return
      const gone = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await gone
    }
  }
}
