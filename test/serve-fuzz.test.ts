// A bounded fuzzer against a real `arrayscope serve` process: malformed HTTP request lines (with and without
// the token), then WebSocket traffic at both levels — well-formed frames carrying bad messages, which must each
// be answered with their own id, and frames that break the protocol (unmasked, unknown opcodes, reserved bits,
// invalid UTF-8, oversize), which must close that connection with the right code. The server must answer a
// normal request at the end: nothing a client sends may end it.
import net from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeFrame } from '../src/shared/wire'
import { py, tempDir } from './helpers/numpy'
import { closeCode, connect, rawSocket, seeded, startServed, wsFrame, type Served } from './helpers/served'

const tmp = tempDir()
const FILE = path.join(tmp.dir, 'a.bin')
let served: Served

beforeAll(async () => {
  py(`np.arange(100, dtype='<f4').tofile(${JSON.stringify(FILE)}); print(1)`)
  served = await startServed([FILE, '--dtype', '<f4'])
})
afterAll(async () => {
  await served.stop()
  tmp.cleanup()
})

/** Sends raw bytes on a fresh TCP connection; resolves with the status line (or '' when closed without one). */
function rawHttp(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(served.port, '127.0.0.1')
    let got = ''
    const done = (): void => {
      socket.destroy()
      resolve(got.split('\r\n')[0] ?? '')
    }
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1')
      if (got.includes('\r\n')) done()
    })
    socket.on('error', done)
    socket.on('close', done)
    socket.setTimeout(3000, done)
    socket.write(bytes)
  })
}

/** The server still does its job: the page with the token, and a window over the WebSocket. */
async function stillServing(): Promise<void> {
  expect(served.alive()).toBe(true)
  expect((await fetch(`http://127.0.0.1:${served.port}/?token=${served.token}`)).status).toBe(200)
  const c = await connect(served)
  const open = await c.call('session:open', {
    path: FILE,
    layout: { dtype: '<f4', shape: null, offset: 0, order: 'C' },
    mode: 'r'
  })
  expect(open).toMatchObject({ ok: true })
  await c.close()
}

describe('HTTP request lines', () => {
  it('the request lines of the report get 400, and the server lives', async () => {
    const host = `Host: 127.0.0.1:${served.port}\r\n`
    expect(await rawHttp(`GET /%E0%A4%A HTTP/1.1\r\n${host}\r\n`)).toBe('HTTP/1.1 400 Bad Request')
    expect(await rawHttp(`GET //[ HTTP/1.1\r\n${host}\r\n`)).toBe('HTTP/1.1 400 Bad Request')
    expect(
      await rawHttp(
        `GET //[/ws HTTP/1.1\r\n${host}Upgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`
      )
    ).toBe('HTTP/1.1 400 Bad Request')
    expect(await rawHttp(`GET /%00 HTTP/1.1\r\n${host}\r\n`)).toBe('HTTP/1.1 400 Bad Request')
    await stillServing()
  })

  it('600 random request lines: every one answered or closed, never a crash', async () => {
    const rnd = seeded(12)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
    const garbage = (n: number): string =>
      Array.from({ length: n }, () => String.fromCharCode(Math.floor(rnd() * 256))).join('')
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS', 'CONNECT', 'TRACE', 'GÉT', '', 'get', 'GET GET']
    const pieces = [
      '/',
      '//[',
      '/%E0%A4%A',
      '/%',
      '/%zz',
      '/%00',
      '/%C0%AF',
      '/..%2f..%2fetc%2fpasswd',
      '/assets/../../x',
      'http://[',
      '*',
      '/?token=%',
      '/ws',
      '//[/ws',
      '/ws?token=' + served.token,
      '/?token=' + served.token,
      '/index.html?token=%E0%A4%A',
      '/\u00e9\u4e2d',
      '/assets/%2e%2e/%2e%2e/',
      '/a?b#c',
      '/' + 'x'.repeat(9000),
      '%',
      ''
    ]
    const versions = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', '', 'XYZ/1.1', 'HTTP/1.1 extra']
    const hosts = [`127.0.0.1:${served.port}`, `localhost:${served.port}`, 'evil.example', '', '[', '[::1', null]
    for (let k = 0; k < 600; k++) {
      let text: string
      if (rnd() < 0.1) text = garbage(1 + Math.floor(rnd() * 200))
      else {
        const target = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(pieces)).join('')
        const host = pick(hosts)
        const upgrade =
          rnd() < 0.3
            ? 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
              (rnd() < 0.5 ? `Origin: http://localhost:${Math.floor(rnd() * 65536)}\r\n` : '')
            : ''
        const eol = rnd() < 0.1 ? '\n' : '\r\n'
        text = `${pick(methods)} ${target} ${pick(versions)}${eol}${host === null ? '' : `Host: ${host}${eol}`}${upgrade}${eol}`
      }
      const status = await rawHttp(Buffer.from(text, 'latin1'))
      // an HTTP status line, or the connection closed (the parser refusing bytes that are not HTTP)
      expect([k, status === '' || /^HTTP\/1\.1 \d{3} /.test(status)]).toEqual([k, true])
      if (/ 101 /.test(status)) expect(text).toContain(served.token)
      if (k % 100 === 99) expect(served.alive()).toBe(true)
    }
    await stillServing()
  })
})

describe('WebSocket messages (well-formed frames, bad contents)', () => {
  it('a bad binary reference is answered with the request id', async () => {
    const c = await connect(served)
    const json = Buffer.from(
      JSON.stringify({
        id: 7,
        channel: 'edit:apply',
        request: { session: 'x', writes: [{ offset: 0, bytes: { $bin: 5 } }] }
      })
    )
    const frame = Buffer.alloc(4 + json.length + 4)
    frame.writeUInt32LE(json.length, 0)
    json.copy(frame, 4)
    frame.writeUInt32LE(0, 4 + json.length)
    expect(await c.sendRaw(frame)).toMatchObject({
      id: 7,
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/bad binary reference 5/) }
    })
    // a text frame says it must be binary, to the id it carried
    expect(await c.sendRaw(JSON.stringify({ id: 8, channel: 'app:info', request: {} }), false)).toMatchObject({
      id: 8,
      ok: false,
      error: { code: 'bad-request' }
    })
    await c.close()
  })

  it('2000 fuzzed messages: each answered once, with its id when it has one; the socket stays open', async () => {
    const rnd = seeded(34)
    const c = await connect(served)
    const channels = [
      'session:open',
      'window:get',
      'bytes:get',
      'edit:apply',
      'scan:stats',
      'export:run',
      'nope',
      '',
      'session:close'
    ]
    const values: unknown[] = [
      null,
      true,
      0,
      -1,
      1e308,
      'x',
      '',
      [],
      {},
      { $bin: 0 },
      { $bin: 99 },
      { $bin: 'a' },
      [[[[]]]],
      'ö',
      '\u0000'
    ]
    const randomValue = (depth: number): unknown => {
      const r = rnd()
      if (depth > 3 || r < 0.5) return values[Math.floor(rnd() * values.length)]
      if (r < 0.75) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(depth + 1))
      const o: Record<string, unknown> = {}
      for (const key of [
        'session',
        'path',
        'layout',
        'mode',
        'offset',
        'length',
        'writes',
        'bytes',
        'view',
        'scanId',
        '__proto__'
      ]) {
        if (rnd() < 0.3) o[key] = randomValue(depth + 1)
      }
      return o
    }
    for (let k = 0; k < 2000; k++) {
      const id = 1000 + k
      const kind = rnd()
      let bytes: Uint8Array
      let expectId: number | null = id
      if (kind < 0.2) {
        bytes = Uint8Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256))
        expectId = null
      } else if (kind < 0.35) {
        // a valid frame cut short, or with a length field pointing past the end
        const whole = encodeFrame({
          id,
          channel: 'bytes:get',
          request: { session: 'x', offset: 0, length: 4, blob: new Uint8Array(8) }
        })
        bytes = whole.subarray(0, Math.floor(rnd() * whole.length))
        expectId = null
      } else {
        bytes = encodeFrame({ id, channel: channels[Math.floor(rnd() * channels.length)], request: randomValue(0) })
        if (rnd() < 0.2) {
          // a JSON part whose $bin points nowhere, or invalid UTF-8 inside the JSON
          const blob = new Uint8Array(bytes)
          blob[4 + Math.floor(rnd() * (blob.length - 8))] = 0xff
          bytes = blob
          expectId = null
        }
      }
      const reply = await c.sendRaw(bytes)
      expect(reply).toHaveProperty('ok')
      // bad input is the client's error, said as such: 'internal' would mean a bug
      if (reply.ok === false) expect([k, (reply.error as { code: string }).code]).not.toEqual([k, 'internal'])
      if (expectId !== null) expect([k, reply.id]).toEqual([k, expectId])
      else expect([k, reply.id === id || reply.id === -1]).toEqual([k, true])
    }
    expect(c.ws.readyState).toBe(c.ws.OPEN)
    await c.close()
    await stillServing()
  })
})

describe('WebSocket frames that break the protocol', () => {
  /** Sends bytes after a good handshake; resolves with the server's close code once it closes the socket. */
  async function violate(bytes: Buffer): Promise<number | null> {
    const { socket, received } = await rawSocket(served)
    socket.write(bytes)
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve())
      setTimeout(() => {
        socket.destroy()
        resolve()
      }, 3000)
    })
    return closeCode(received())
  }
  const msg = encodeFrame({ id: 1, channel: 'app:info', request: {} })

  it('each violation closes its connection with the matching code', async () => {
    expect(await violate(wsFrame(0x2, msg, { mask: false }))).toBe(1002) // unmasked client frame
    expect(await violate(wsFrame(0x3, msg))).toBe(1002) // reserved data opcode
    expect(await violate(wsFrame(0xb, Buffer.alloc(0)))).toBe(1002) // reserved control opcode
    expect(await violate(wsFrame(0x2, msg, { rsv: 4 }))).toBe(1002) // RSV1 without an extension
    expect(await violate(wsFrame(0x0, msg))).toBe(1002) // continuation with nothing to continue
    expect(await violate(wsFrame(0x9, Buffer.alloc(200)))).toBe(1002) // a ping over 125 bytes
    expect(await violate(wsFrame(0x9, Buffer.alloc(4), { fin: false }))).toBe(1002) // fragmented control frame
    expect(await violate(wsFrame(0x1, Buffer.from([0x7b, 0xc3, 0x28, 0x7d])))).toBe(1007) // invalid UTF-8 text
    expect(await violate(wsFrame(0x8, Buffer.from([0x03, 0xe7])))).toBe(1002) // close code 999
    // over the limit: refused from the header, before 64 MiB are buffered
    expect(await violate(wsFrame(0x2, Buffer.alloc(16), { claimedLength: 64 * 1024 * 1024 + 1 }))).toBe(1009)
    await stillServing()
  })

  it('300 random frames, each on its own connection, never end the server', async () => {
    const rnd = seeded(56)
    for (let k = 0; k < 300; k++) {
      const opcode = Math.floor(rnd() * 16)
      const payload = Buffer.from(Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256)))
      const frame = wsFrame(opcode, payload, {
        fin: rnd() < 0.8,
        mask: rnd() < 0.8,
        rsv: rnd() < 0.2 ? Math.floor(rnd() * 8) : 0,
        claimedLength: rnd() < 0.1 ? Math.floor(rnd() * 2 ** 40) : undefined
      })
      const { socket } = await rawSocket(served)
      socket.write(rnd() < 0.5 ? frame : Buffer.concat([frame, frame.subarray(0, Math.floor(rnd() * frame.length))]))
      await new Promise((r) => setTimeout(r, 5))
      socket.destroy()
      if (k % 50 === 49) expect(served.alive()).toBe(true)
    }
    await stillServing()
  })
})
