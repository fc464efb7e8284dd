// `arrayscope serve` in a child process (the built command, as users run it), and clients that speak to it:
// the WebSocket contract, raw TCP for request lines and frames no well-behaved client would send.
import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import WebSocket from 'ws'
import { decodeFrame, encodeFrame } from '../../src/shared/wire'

const BIN = path.join(__dirname, '..', '..', 'bin', 'arrayscope.js')

export interface Served {
  child: ChildProcess
  port: number
  token: string
  /** Everything the server printed on stdout. */
  stdout: string
  /** Everything it printed on stderr. */
  stderr: string
  alive(): boolean
  stop(): Promise<void>
}

/**
 * `arrayscope serve ARGS` (or another command that ends up serving: `open` without Electron); env is added to
 * the process's, and a name set to undefined is removed from it.
 */
export async function startServed(
  args: string[],
  env: Record<string, string | undefined> = {},
  command = 'serve'
): Promise<Served> {
  const childEnv = { ...process.env, ...env }
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k]
  const child = spawn(process.execPath, [BIN, command, ...args, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv
  })
  let stdout = ''
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const [port, token] = await new Promise<[number, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL: ${stdout}${stderr}`)), 15_000)
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString()
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]+)/.exec(stdout)
      if (m && stdout.includes('Open that URL')) {
        clearTimeout(timer)
        resolve([Number(m[1]), m[2]!])
      }
    })
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)))
  })
  return {
    child,
    port,
    token,
    get stdout() {
      return stdout
    },
    get stderr() {
      return stderr
    },
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      })
  }
}

export interface Client {
  ws: WebSocket
  /** One request; resolves with the reply whose id is the request's. */
  call(channel: string, request: unknown): Promise<Record<string, unknown>>
  /** Sends raw frame bytes as one binary message and resolves with the next reply. */
  sendRaw(bytes: Uint8Array | string, binary?: boolean): Promise<Record<string, unknown>>
  close(): Promise<void>
}

export function connect(served: Served, headers: Record<string, string> = {}): Promise<Client> {
  return connectUrl(`ws://127.0.0.1:${served.port}/ws?token=${served.token}`, headers)
}

/** A client of any serve-mode WebSocket URL; rejects with the server's refusal (e.g. 403) when it is refused. */
export async function connectUrl(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const ws = new WebSocket(url, { headers })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  const waiting: ((m: Record<string, unknown>) => void)[] = []
  const byId = new Map<number, (m: Record<string, unknown>) => void>()
  ws.on('message', (data: Buffer) => {
    const msg = decodeFrame(new Uint8Array(data)) as Record<string, unknown>
    if ('event' in msg) return
    const f = byId.get(msg.id as number)
    if (f) {
      byId.delete(msg.id as number)
      return f(msg)
    }
    waiting.shift()?.(msg)
  })
  let id = 0
  return {
    ws,
    call: (channel, request) =>
      new Promise((resolve) => {
        const my = ++id
        byId.set(my, resolve)
        ws.send(encodeFrame({ id: my, channel, request }))
      }),
    sendRaw: (bytes, binary = true) =>
      new Promise((resolve) => {
        waiting.push(resolve)
        ws.send(bytes, { binary })
      }),
    close: () =>
      new Promise((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve()
        ws.once('close', () => resolve())
        ws.close()
      })
  }
}

/** The HTTP status of a WebSocket upgrade with these headers: 101 when accepted, else the refusal's status. */
export function upgradeStatus(served: Served, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${served.port}/ws?token=${served.token}`, { headers })
    ws.once('open', () => {
      ws.close()
      resolve(101)
    })
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.once('error', () => resolve(0))
  })
}

/** A raw TCP connection after a WebSocket handshake, for frames the ws client would refuse to send. */
export async function rawSocket(
  served: Served,
  extraHeaders = ''
): Promise<{ socket: net.Socket; received: () => Buffer }> {
  const socket = net.connect(served.port, '127.0.0.1')
  let buf = Buffer.alloc(0)
  socket.on('data', (d: Buffer) => (buf = Buffer.concat([buf, d])))
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('error', reject)
  })
  socket.on('error', () => undefined)
  socket.write(
    `GET /ws?token=${served.token} HTTP/1.1\r\nHost: 127.0.0.1:${served.port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`
  )
  const deadline = Date.now() + 5000
  while (!buf.includes('\r\n\r\n')) {
    if (Date.now() > deadline) throw new Error('no handshake answer')
    await new Promise((r) => setTimeout(r, 5))
  }
  const head = buf.subarray(0, buf.indexOf('\r\n\r\n') + 4).toString()
  if (!head.startsWith('HTTP/1.1 101')) throw new Error(`handshake refused: ${head}`)
  const start = head.length
  return { socket, received: () => buf.subarray(start) }
}

/** A WebSocket frame as a client would build it, or breaking the rules on purpose. */
export function wsFrame(
  opcode: number,
  payload: Uint8Array,
  o: { fin?: boolean; mask?: boolean; rsv?: number; claimedLength?: number } = {}
): Buffer {
  const length = o.claimedLength ?? payload.length
  const mask = o.mask ?? true
  const head: number[] = [((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode]
  const m = mask ? 0x80 : 0
  if (length < 126) head.push(m | length)
  else if (length < 65536) head.push(m | 126, length >> 8, length & 255)
  else {
    head.push(m | 127)
    const big = BigInt(length)
    for (let k = 7; k >= 0; k--) head.push(Number((big >> BigInt(8 * k)) & 255n))
  }
  const key = [0x12, 0x34, 0x56, 0x78]
  if (mask) head.push(...key)
  const body = Buffer.from(payload)
  if (mask) for (let k = 0; k < body.length; k++) body[k] = body[k]! ^ key[k % 4]!
  return Buffer.concat([Buffer.from(head), body])
}

/** The close code in the server's close frame among bytes received, or null when none came. */
export function closeCode(bytes: Buffer): number | null {
  let o = 0
  while (o + 2 <= bytes.length) {
    const opcode = bytes[o]! & 0x0f
    let len = bytes[o + 1]! & 0x7f
    let p = o + 2
    if (len === 126) {
      len = bytes.readUInt16BE(p)
      p += 2
    } else if (len === 127) {
      len = Number(bytes.readBigUInt64BE(p))
      p += 8
    }
    if (opcode === 0x8) return len >= 2 ? bytes.readUInt16BE(p) : 1005
    o = p + len
  }
  return null
}

/** A seeded generator (mulberry32): the fuzzers are repeatable. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
