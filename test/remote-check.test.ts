// The change check of a remote object (remote-store.ts stillCurrent) against a server that ignores Range and
// sends the whole object: only the answer's headers are read (size, validator), the body is dropped — the new
// user's hour saw a followed URL downloaded whole every 5 s from such a server (Python's http.server).
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'

const SIZE = 64 << 20
let server: http.Server
let url = ''
/** Bytes the server managed to write for each request, in order. */
const sent: number[] = []
let etag = '"v1"'

beforeAll(async () => {
  const block = Buffer.alloc(1 << 16, 7)
  server = http.createServer((req, res) => {
    const k = sent.push(0) - 1
    // Range ignored: 200 with the whole object, written a block at a time as the socket takes it
    res.writeHead(200, { 'content-length': SIZE, etag, 'content-type': 'application/octet-stream' })
    let left = SIZE
    const more = (): void => {
      while (left > 0) {
        const n = Math.min(block.length, left)
        left -= n
        sent[k]! += n
        if (!res.write(block.subarray(0, n))) return void res.once('drain', more)
      }
      res.end()
    }
    res.on('close', () => (left = 0))
    more()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/obj.bin`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

describe('a remote object checked for changes on a server without ranges', () => {
  it('reads only the headers of the answer; a new validator is a change', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', {
        path: url,
        layout: { dtype: 'u1', shape: null, offset: 0, order: 'C' },
        mode: 'r'
      })
      const store = s.session(info.session).source.remoteObject!
      const before = sent.length
      expect(await store.stillCurrent()).toBe(true)
      // the check's answer was dropped after its headers: far less than the 64 MiB object went out
      const check = sent.slice(before)
      expect(check.length).toBe(1)
      expect(check[0]!).toBeLessThan(16 << 20)
      etag = '"v2"'
      expect(await store.stillCurrent()).toBe(false)
    } finally {
      s.closeAll()
    }
  })
})
