// ArrayService on real files and the real addon, and serve mode's WebSocket transport end to end.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SessionInfo } from '../src/shared/contract'
import { decodeWindow } from '../src/shared/decode'
import { ArrayService } from '../src/main/service/array-service'
import { startServer, type Server } from '../src/main/serve/server'
import { rejection } from './helpers/errors'
import { py, tempDir } from './helpers/numpy'
import { connectUrl } from './helpers/served'

const tmp = tempDir()
const RAW = path.join(tmp.dir, 'f-order.bin')
const NPY = path.join(tmp.dir, 'cube.npy')
let service: ArrayService

beforeAll(() => {
  // A 1000×800 '>f8' Fortran-order array behind a 128-byte header, and a 3-D .npy.
  py(`
rng = np.random.default_rng(3)
a = rng.standard_normal((1000, 800)).astype('>f8')
with open(${JSON.stringify(RAW)}, 'wb') as f:
    f.write(bytes(range(128)))
    f.write(a.tobytes(order='F'))
np.save(${JSON.stringify(NPY)}, np.arange(2*3*4, dtype='<i2').reshape(2, 3, 4))
print(1)`)
  service = new ArrayService({ watchIntervalMs: 0 })
})
afterAll(() => {
  service.closeAll()
  tmp.cleanup()
})

describe('ArrayService', () => {
  let raw: SessionInfo
  it('opens a raw file with a layout', async () => {
    raw = await service.handle('session:open', {
      path: RAW,
      layout: { dtype: '>f8', shape: [1000, 800], offset: 128, order: 'F' },
      mode: 'r'
    })
    expect(raw.layout).toMatchObject({
      dtype: '>f8',
      shape: [1000, 800],
      strides: [8, 8000],
      offset: 128,
      nbytes: 6_400_000
    })
    expect(raw.format).toBe('raw')
  })

  it('serves windows whose decoded values equal numpy', async () => {
    const corners: [number, number][] = [
      [0, 0],
      [999, 799],
      [500, 3],
      [37, 612]
    ]
    const ref = py<number[][][]>(`
a = np.memmap(${JSON.stringify(RAW)}, dtype='>f8', mode='r', offset=128, shape=(1000, 800), order='F')
print(json.dumps([a[r:r+5, c:c+4].tolist() for r, c in ${JSON.stringify(corners)}]))`)
    for (const [k, [r, c]] of corners.entries()) {
      const w = await service.handle('window:get', {
        session: raw.session,
        generation: 7,
        view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
        row0: r,
        rows: 5,
        col0: c,
        cols: 4
      })
      expect(w.generation).toBe(7)
      const d = decodeWindow(w.bytes, w.dtype, w.rows, w.cols)
      const got = Array.from({ length: w.rows }, (_, i) => Array.from({ length: w.cols }, (_, j) => d.value(i, j)))
      expect(got).toEqual(ref[k])
    }
  })

  it('serves transposed views and header bytes', async () => {
    const w = await service.handle('window:get', {
      session: raw.session,
      generation: 1,
      view: { rowAxis: 1, colAxis: 0, index: [0, 0] },
      row0: 10,
      rows: 2,
      col0: 20,
      cols: 2
    })
    const ref = py<number[][]>(`
a = np.memmap(${JSON.stringify(RAW)}, dtype='>f8', mode='r', offset=128, shape=(1000, 800), order='F')
print(json.dumps(a.T[10:12, 20:22].tolist()))`)
    const d = decodeWindow(w.bytes, w.dtype, 2, 2)
    expect([
      [d.value(0, 0), d.value(0, 1)],
      [d.value(1, 0), d.value(1, 1)]
    ]).toEqual(ref)
    const b = await service.handle('bytes:get', { session: raw.session, offset: 0, length: 4 })
    expect([...b.bytes]).toEqual([0, 1, 2, 3])
  })

  it('opens .npy files from their header, with N-D views', async () => {
    const s = await service.handle('session:open', { path: NPY, layout: null, mode: 'r' })
    expect(s.format).toBe('npy')
    expect(s.layout).toMatchObject({ dtype: '<i2', shape: [2, 3, 4], order: 'C' })
    const w = await service.handle('window:get', {
      session: s.session,
      generation: 0,
      view: { rowAxis: 0, colAxis: 2, index: [0, 2, 0] },
      row0: 0,
      rows: 10,
      col0: 0,
      cols: 10
    })
    expect([w.rows, w.cols]).toEqual([2, 4]) // clipped to the view
    const d = decodeWindow(w.bytes, w.dtype, w.rows, w.cols)
    expect(d.value(1, 3)).toBe(1 * 12 + 2 * 4 + 3)
  })

  it('rejects bad requests with typed errors, never a crash', async () => {
    expect((await rejection(service.handle('session:open', { path: RAW, layout: null, mode: 'r' }))).message).toMatch(
      /no header ArrayScope can read: give its layout/
    )
    expect(
      (
        await rejection(
          service.handle('session:open', {
            path: RAW,
            layout: { dtype: '>f8', shape: [1000, 801], offset: 128, order: 'F' },
            mode: 'r'
          })
        )
      ).message
    ).toBe('shape (1000, 801) of >f8 needs 6408000 bytes after offset 128, the file has 6400000')
    expect(
      (await rejection(service.handle('session:open', { path: '/nonexistent/x', layout: null, mode: 'r' }))).code
    ).toBe('not-found')
    expect((await rejection(service.handle('window:get', { session: 'nope', generation: 0 }))).code).toBe('bad-request')
    const e = await rejection(
      service.handle('window:get', {
        session: raw.session,
        generation: 0,
        view: { rowAxis: 0, colAxis: 0, index: [0, 0] },
        row0: 0,
        rows: 1,
        col0: 0,
        cols: 1
      })
    )
    expect(e.message).toMatch(/different axes/)
    expect((await rejection(service.handle('session:open', { path: RAW, layout: null, mode: 'rw' }))).message).toMatch(
      /invalid session:open request at mode/
    )
  })

  it('closes sessions at once', async () => {
    await service.handle('session:close', { session: raw.session })
    expect((await rejection(service.handle('bytes:get', { session: raw.session, offset: 0, length: 1 }))).code).toBe(
      'closed'
    )
  })

  it('reports a file changed by another process', async () => {
    const p = path.join(tmp.dir, 'changing.bin')
    fs.writeFileSync(p, new Uint8Array(4096))
    const events: unknown[] = []
    const watched = new ArrayService({ watchIntervalMs: 0, emit: (name, payload) => events.push([name, payload]) })
    const s = await watched.handle('session:open', {
      path: p,
      layout: { dtype: 'u1', shape: null, offset: 0, order: 'C' },
      mode: 'r'
    })
    watched.checkForChanges()
    expect(events).toEqual([])
    fs.truncateSync(p, 100)
    watched.checkForChanges()
    expect(events).toEqual([['session:changed', expect.objectContaining({ session: s.session, size: 100 })]])
    const err = await rejection(watched.handle('bytes:get', { session: s.session, offset: 1000, length: 10 }))
    expect(err.code).toBe('changed')
    watched.closeAll()
  })
})

describe('serve mode', () => {
  let server: Server
  let served: ArrayService
  const rendererDir = path.join(tmp.dir, 'renderer')

  beforeAll(async () => {
    fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true })
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>')
    fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
    served = new ArrayService({ watchIntervalMs: 0 })
    server = await startServer({ service: served, rendererDir })
  })
  afterAll(async () => {
    served.closeAll()
    await server.close()
  })

  it('binds 127.0.0.1 and needs the token for the page', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/)
    const ok = await fetch(server.url)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(403)
    expect((await fetch(`http://127.0.0.1:${server.port}/?token=wrong`)).status).toBe(403)
    expect((await fetch(`http://127.0.0.1:${server.port}/assets/app.js`)).status).toBe(200)
    expect((await fetch(`http://127.0.0.1:${server.port}/assets/../../secret`)).status).toBe(404)
  })

  it('refuses WebSockets without the token or from a foreign origin', async () => {
    const base = `ws://127.0.0.1:${server.port}/ws`
    await expect(connectUrl(`${base}?token=bad`)).rejects.toThrow(/403/)
    await expect(connectUrl(`${base}?token=${server.token}`, { Origin: 'http://evil.example' })).rejects.toThrow(/403/)
  })

  it('carries the contract over binary frames, with typed errors', async () => {
    const client = await connectUrl(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`)
    const opened = (await client.call('session:open', { path: NPY, layout: null, mode: 'r' })) as {
      ok: true
      value: SessionInfo
    }
    expect(opened.ok).toBe(true)
    const w = (await client.call('window:get', {
      session: opened.value.session,
      generation: 3,
      view: { rowAxis: 1, colAxis: 2, index: [1, 0, 0] },
      row0: 0,
      rows: 3,
      col0: 0,
      cols: 4
    })) as { ok: true; value: { bytes: Uint8Array; dtype: string } }
    expect(w.value.bytes).toBeInstanceOf(Uint8Array)
    expect(decodeWindow(w.value.bytes, w.value.dtype, 3, 4).value(2, 3)).toBe(12 + 2 * 4 + 3)
    const bad = await client.call('session:open', { path: NPY, layout: null, mode: 'x' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    const unknown = await client.call('fs:readEverything', {})
    expect(unknown).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/unknown channel/) }
    })
    await client.close()
  })
})

describe('edits', () => {
  it('apply, undo, redo and flush through the edit log; refuse after an external change', async () => {
    const p = path.join(tmp.dir, 'edits.bin')
    fs.writeFileSync(p, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))
    const events: unknown[] = []
    const s = new ArrayService({ watchIntervalMs: 0, emit: (name, payload) => events.push([name, payload]) })
    const info = await s.handle('session:open', {
      path: p,
      layout: { dtype: 'u1', shape: null, offset: 0, order: 'C' },
      mode: 'r+'
    })
    const st = await s.handle('edit:apply', {
      session: info.session,
      writes: [{ offset: 2, bytes: new Uint8Array([30, 40]) }]
    })
    expect(st).toMatchObject({
      edits: 1,
      canUndo: true,
      canRedo: false,
      dirty: true,
      changed: [{ offset: 2, length: 2 }]
    })
    expect(events.at(-1)).toEqual(['session:edited', st])
    await s.handle('edit:flush', { session: info.session })
    expect([...fs.readFileSync(p)]).toEqual([1, 2, 30, 40, 5, 6, 7, 8])
    await s.handle('edit:undo', { session: info.session })
    await s.handle('edit:flush', { session: info.session })
    expect([...fs.readFileSync(p)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(await s.handle('edit:redo', { session: info.session })).toMatchObject({ edits: 1, canRedo: false })
    await expect(
      s.handle('edit:apply', { session: info.session, writes: [{ offset: 7, bytes: new Uint8Array([1, 2]) }] })
    ).rejects.toThrow(/past the end of the file \(8 bytes\); files never grow/)
    // another process writes the file: further edits are refused, nothing is overwritten
    fs.utimesSync(p, new Date(), new Date(Date.now() + 5000))
    s.checkForChanges()
    await expect(
      s.handle('edit:apply', { session: info.session, writes: [{ offset: 0, bytes: new Uint8Array([9]) }] })
    ).rejects.toThrow(/changed on disk since it was opened/)
    s.closeAll()
  })
})
