// Serve mode's policies, against a real `arrayscope serve` process: a browser's WebSocket must come from a page
// of this server (Origin = http://<Host>, port included); the sessions a connection opened close when it goes
// (no descriptor leaks, unflushed r+ edits put back); w+ never replaces a file unasked; --root confines paths.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { py, tempDir } from './helpers/numpy'
import { connect, startServed, upgradeStatus, type Served } from './helpers/served'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const sha = (p: string): string => createHash('sha256').update(fs.readFileSync(p)).digest('hex')
const RAW = { dtype: '<f4', shape: null, offset: 0, order: 'C' }

function fixture(name: string): string {
  const file = path.join(tmp.dir, name)
  py(`np.arange(1000, dtype='<f4').tofile(${JSON.stringify(file)}); print(1)`)
  return file
}

/** How many descriptors the server process holds on file (each mapping keeps one). */
function openDescriptors(served: Served, file: string): number {
  const dir = `/proc/${served.child.pid}/fd`
  return fs.readdirSync(dir).filter((fd) => {
    try {
      return fs.readlinkSync(path.join(dir, fd)) === file
    } catch {
      return false
    }
  }).length
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('serve mode', () => {
  it('accepts a WebSocket only from its own origin, port included', async () => {
    const served = await startServed([])
    try {
      const host = `127.0.0.1:${served.port}`
      expect(await upgradeStatus(served, { Origin: `http://${host}` })).toBe(101)
      expect(
        await upgradeStatus(served, { Origin: `http://localhost:${served.port}`, Host: `localhost:${served.port}` })
      ).toBe(101)
      // a page on another local port, on the same or another loopback name
      expect(await upgradeStatus(served, { Origin: `http://localhost:${served.port + 1}` })).toBe(403)
      expect(await upgradeStatus(served, { Origin: `http://127.0.0.1:${served.port + 1}` })).toBe(403)
      expect(
        await upgradeStatus(served, { Origin: `http://localhost:${served.port + 1}`, Host: `localhost:${served.port}` })
      ).toBe(403)
      expect(await upgradeStatus(served, { Origin: 'http://127.0.0.1' })).toBe(403)
      expect(await upgradeStatus(served, { Origin: 'null' })).toBe(403)
      // an SSH forward: the browser's Host and Origin name the local port, not ours
      expect(await upgradeStatus(served, { Origin: 'http://localhost:8765', Host: 'localhost:8765' })).toBe(101)
    } finally {
      await served.stop()
    }
  })

  it('closes the sessions of a connection when it goes: 60 reloads leave no descriptor open', async () => {
    const file = fixture('leak.bin')
    const served = await startServed([])
    try {
      for (let k = 0; k < 60; k++) {
        const c = await connect(served)
        expect(await c.call('session:open', { path: file, layout: RAW, mode: 'r' })).toMatchObject({ ok: true })
        if (k === 0) expect(openDescriptors(served, file)).toBe(1)
        await c.close()
      }
      await until(() => openDescriptors(served, file) === 0)
      // a connection's sessions are its own: closing one connection leaves the other's open
      const a = await connect(served)
      const b = await connect(served)
      await a.call('session:open', { path: file, layout: RAW, mode: 'r' })
      await b.call('session:open', { path: file, layout: RAW, mode: 'r' })
      await a.close()
      await until(() => openDescriptors(served, file) === 1)
      await b.close()
      await until(() => openDescriptors(served, file) === 0)
    } finally {
      await served.stop()
    }
  })

  it('a connection that goes with unflushed r+ edits puts every byte back; flushed ones stay', async () => {
    const file = fixture('discard-on-disconnect.bin')
    const original = sha(file)
    const served = await startServed([])
    try {
      const c = await connect(served)
      const open = (await c.call('session:open', { path: file, layout: RAW, mode: 'r+' })) as {
        value: { session: string }
      }
      const session = open.value.session
      await c.call('edit:apply', { session, writes: [{ offset: 8, bytes: new Uint8Array([1, 2, 3, 4]) }] })
      await c.call('edit:apply', { session, writes: [{ offset: 2000, bytes: new Uint8Array([9, 9]) }] })
      expect(sha(file)).not.toBe(original) // r+: the bytes are in the file's pages at once
      await c.close()
      await until(() => openDescriptors(served, file) === 0)
      expect(sha(file)).toBe(original)
      // flushed edits are kept; only what came after the flush is put back
      const d = await connect(served)
      const s2 = (
        (await d.call('session:open', { path: file, layout: RAW, mode: 'r+' })) as { value: { session: string } }
      ).value.session
      await d.call('edit:apply', { session: s2, writes: [{ offset: 0, bytes: new Uint8Array([7, 7, 7, 7]) }] })
      await d.call('edit:flush', { session: s2 })
      const flushed = sha(file)
      await d.call('edit:apply', { session: s2, writes: [{ offset: 2, bytes: new Uint8Array([5, 5, 5, 5]) }] })
      await d.close()
      await until(() => openDescriptors(served, file) === 0)
      expect(sha(file)).toBe(flushed)
    } finally {
      await served.stop()
    }
  })

  it('w+ over an existing file needs overwrite; without it nothing changes', async () => {
    const file = fixture('wplus.bin')
    const original = sha(file)
    const served = await startServed([])
    try {
      const c = await connect(served)
      const layout = { dtype: '<i4', shape: [2, 2], offset: 0, order: 'C' }
      expect(await c.call('session:open', { path: file, layout, mode: 'w+' })).toMatchObject({
        ok: false,
        error: { code: 'exists', message: expect.stringMatching(/exists: mode w\+ would replace it/) }
      })
      expect(sha(file)).toBe(original)
      expect(await c.call('session:open', { path: file, layout, mode: 'w+', overwrite: true })).toMatchObject({
        ok: true
      })
      expect(fs.statSync(file).size).toBe(16)
      // a new file needs no confirmation
      expect(
        await c.call('session:open', { path: path.join(tmp.dir, 'new-wplus.bin'), layout, mode: 'w+' })
      ).toMatchObject({ ok: true })
      await c.close()
    } finally {
      await served.stop()
    }
  })

  it('serve FILE --mode w+ creates the file once (--force to replace one), and the page opens it r+', async () => {
    const file = fixture('serve-wplus.bin')
    const original = sha(file)
    const layout = ['--dtype', '<i2', '--shape', '3,4', '--mode', 'w+']
    await expect(startServed([file, ...layout])).rejects.toThrow(
      /exists: mode w\+ would replace it with a zero-filled file; add --force/
    )
    expect(sha(file)).toBe(original)
    const served = await startServed([file, ...layout, '--force'])
    try {
      expect(fs.statSync(file).size).toBe(24)
      const c = await connect(served)
      const info = (await c.call('app:info', {})) as { value: { initial: { mode: string } } }
      expect(info.value.initial.mode).toBe('r+')
      await c.close()
    } finally {
      await served.stop()
    }
  })
})

describe('serve --root DIR', () => {
  it('prints its policy and reaches only files under the root, links resolved', async () => {
    const root = path.join(tmp.dir, 'root')
    const outside = path.join(tmp.dir, 'outside.bin')
    fs.mkdirSync(path.join(root, 'sub'), { recursive: true })
    const inside = path.join(root, 'sub', 'in.bin')
    py(
      `np.arange(10, dtype='<f4').tofile(${JSON.stringify(inside)}); np.arange(10, dtype='<f4').tofile(${JSON.stringify(outside)}); print(1)`
    )
    fs.symlinkSync(outside, path.join(root, 'link-out.bin'))
    fs.symlinkSync(tmp.dir, path.join(root, 'dir-out'))
    const served = await startServed(['--root', root])
    try {
      expect(served.stdout).toContain(`Files: only under ${fs.realpathSync(root)} (--root`)
      const c = await connect(served)
      const open = (p: string): Promise<Record<string, unknown>> =>
        c.call('session:open', { path: p, layout: RAW, mode: 'r' })
      expect(await open(inside)).toMatchObject({ ok: true })
      expect(await open('sub/in.bin')).toMatchObject({ ok: true, value: { path: fs.realpathSync(inside) } }) // relative: from the root
      for (const p of [
        outside,
        path.join(root, 'link-out.bin'),
        path.join(root, 'dir-out', 'outside.bin'),
        `${root}/../outside.bin`,
        '/etc/passwd'
      ]) {
        expect(await open(p)).toMatchObject({
          ok: false,
          error: { code: 'permission', message: expect.stringMatching(/is outside .* started with --root/) }
        })
        expect(await c.call('file:probe', { path: p })).toMatchObject({ ok: false, error: { code: 'permission' } })
      }
      // exports may not leave the root either
      const s = ((await open(inside)) as { value: { session: string } }).value.session
      expect(
        await c.call('export:run', { session: s, scanId: 'e', out: path.join(tmp.dir, 'escaped.bin'), as: 'raw' })
      ).toMatchObject({
        ok: false,
        error: { code: 'permission' }
      })
      expect(fs.existsSync(path.join(tmp.dir, 'escaped.bin'))).toBe(false)
      expect(
        await c.call('export:run', { session: s, scanId: 'f', out: path.join(root, 'copy.bin'), as: 'raw' })
      ).toMatchObject({ ok: true })
      await c.close()
    } finally {
      await served.stop()
    }
    // without --root the policy says what a token holder can reach
    const open = await startServed([])
    try {
      expect(open.stdout).toContain('Files: any path the token holder types')
    } finally {
      await open.stop()
    }
  })
})
