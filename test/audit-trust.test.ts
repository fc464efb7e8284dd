// The audit's findings (issue 25) against a real `arrayscope serve` process: a dangling link inside --root
// cannot make w+ create a file outside it; every file a container names (shards, detached data files, a header
// beside the data) is checked against --root before a byte of it — or its existence — is read; discarding a
// session's unflushed edits never undoes bytes another session or program wrote since.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { native } from '../src/main/service/native'
import type { TileCache } from '../src/main/service/tiles'
import { py, tempDir } from './helpers/numpy'
import { connect, startServed, type Client } from './helpers/served'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const RAW = { dtype: '<f4', shape: null, offset: 0, order: 'C' }

async function openSession(c: Client, file: string, mode: string): Promise<string> {
  const r = (await c.call('session:open', { path: file, layout: RAW, mode })) as {
    ok: boolean
    value: { session: string }
  }
  expect(r).toMatchObject({ ok: true })
  return r.value.session
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

const f32 = (v: number): Uint8Array => new Uint8Array(new Float32Array([v]).buffer)
const element = (file: string, k: number): number => {
  const b = fs.readFileSync(file)
  return b.readFloatLE(4 * k)
}

describe('--root: nothing outside it is created, read or probed', () => {
  const root = path.join(tmp.dir, 'root')
  const outside = path.join(tmp.dir, 'outside')
  fs.mkdirSync(root, { recursive: true })
  fs.mkdirSync(outside, { recursive: true })

  it('w+ through a dangling symbolic link inside the root creates nothing outside it', async () => {
    fs.symlinkSync('../outside/new.txt', path.join(root, 'w.bin'))
    fs.symlinkSync(path.join(outside, 'abs.txt'), path.join(root, 'w-abs.bin'))
    // a chain: a link to a dangling link
    fs.symlinkSync('w.bin', path.join(root, 'w-chain.bin'))
    // a dangling link to a folder outside, used as the parent of the new file
    fs.symlinkSync('../outside/sub', path.join(root, 'dir-link'))
    const served = await startServed(['--root', root])
    try {
      const c = await connect(served)
      const layout = { dtype: '<i4', shape: [4], offset: 0, order: 'C' }
      for (const name of ['w.bin', 'w-abs.bin', 'w-chain.bin', 'dir-link/x.bin']) {
        for (const overwrite of [false, true]) {
          expect(
            await c.call('session:open', { path: path.join(root, name), layout, mode: 'w+', overwrite })
          ).toMatchObject({ ok: false, error: { code: 'permission' } })
        }
      }
      expect(fs.readdirSync(outside)).toEqual([])
      // a new file inside the root is still created, and an inside link's target too
      fs.symlinkSync('made.bin', path.join(root, 'link-in.bin'))
      expect(await c.call('session:open', { path: path.join(root, 'link-in.bin'), layout, mode: 'w+' })).toMatchObject({
        ok: true
      })
      expect(fs.statSync(path.join(root, 'made.bin')).size).toBe(16)
      expect(fs.lstatSync(path.join(root, 'link-in.bin')).isSymbolicLink()).toBe(true)
      await c.close()
    } finally {
      await served.stop()
    }
  })

  it('a shard, a detached data file or a header beside the data outside the root is refused alike, existing or not', async () => {
    const secret = path.join(outside, 'secret.safetensors')
    const shard = path.join(root, 'model-00001.safetensors')
    py(`
from safetensors.numpy import save_file
save_file({"w": np.arange(6, dtype='<f4')}, ${JSON.stringify(shard)})
save_file({"x": np.arange(3, dtype='<f4')}, ${JSON.stringify(secret)}, metadata={"api_key": "hunter2"})
print(1)`)
    fs.symlinkSync(secret, path.join(root, 'model-00002.safetensors'))
    fs.writeFileSync(
      path.join(root, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { w: 'model-00001.safetensors', x: 'model-00002.safetensors' } })
    )
    // detached NRRD headers naming files outside: one that exists, one that does not
    const nrrd = (data: string): string =>
      `NRRD0004\ntype: uint8\ndimension: 1\nsizes: 4\nencoding: raw\ndata file: ${data}\n\n`
    fs.writeFileSync(path.join(root, 'a.nhdr'), nrrd('/etc/passwd'))
    fs.writeFileSync(path.join(root, 'b.nhdr'), nrrd('/etc/no-such-file-here'))
    fs.writeFileSync(path.join(root, 'c.nhdr'), nrrd('../outside/secret.safetensors'))
    // an ENVI data file inside whose header beside it links outside
    fs.writeFileSync(path.join(outside, 'img.hdr'), 'ENVI\nsamples = 2\nlines = 2\nbands = 1\ndata type = 1\n')
    fs.writeFileSync(path.join(root, 'img.img'), Buffer.alloc(4))
    fs.symlinkSync(path.join(outside, 'img.hdr'), path.join(root, 'img.hdr'))
    const served = await startServed(['--root', root])
    try {
      const c = await connect(served)
      const list = await c.call('container:list', { path: path.join(root, 'model.safetensors.index.json') })
      expect(JSON.stringify(list)).not.toContain('hunter2')
      expect(list).toMatchObject({ ok: false, error: { message: expect.stringMatching(/outside the folder/) } })
      const answers: unknown[] = []
      for (const name of ['a.nhdr', 'b.nhdr', 'c.nhdr']) {
        const r = await c.call('container:list', { path: path.join(root, name) })
        expect(r).toMatchObject({ ok: false, error: { message: expect.stringMatching(/outside the folder/) } })
        answers.push((r as { error: { code: string } }).error.code)
      }
      // the same answer whether the file outside exists or not: no probe
      expect(new Set(answers).size).toBe(1)
      const probe = (await c.call('file:probe', { path: path.join(root, 'img.img') })) as {
        value: { container: string | null }
      }
      expect(probe.value.container).toBeNull()
      expect(await c.call('container:list', { path: path.join(root, 'img.img') })).toMatchObject({ ok: false })
      await c.close()
    } finally {
      await served.stop()
    }
  })
})

describe('the addon creates no file through a symbolic link (w+)', () => {
  it('refuses a link planted where the service checked a plain name, and creates nothing at its target', () => {
    const target = path.join(tmp.dir, 'planted-target.bin')
    const link = path.join(tmp.dir, 'planted.bin')
    fs.symlinkSync(target, link)
    expect(() => new (native().Mapping)(link, 'w+', 16)).toThrow(/is a symbolic link: mode w\+ does not create/)
    expect(fs.existsSync(target)).toBe(false)
  })
})

describe('discard restores only the bytes that still hold its own value', () => {
  function fixture(name: string): string {
    const file = path.join(tmp.dir, name)
    py(`np.zeros(1000, dtype='<f4').tofile(${JSON.stringify(file)}); print(1)`)
    return file
  }

  it("another session's flushed edit survives the first session's disconnect", async () => {
    const file = fixture('two-sessions.bin')
    const served = await startServed([])
    try {
      const a = await connect(served)
      const b = await connect(served)
      const sa = await openSession(a, file, 'r+')
      const sb = await openSession(b, file, 'r+')
      await a.call('edit:apply', { session: sa, writes: [{ offset: 20, bytes: f32(1) }] })
      await a.call('edit:apply', { session: sa, writes: [{ offset: 40, bytes: f32(7) }] })
      await b.call('edit:apply', { session: sb, writes: [{ offset: 20, bytes: f32(222) }] })
      await b.call('edit:flush', { session: sb })
      await a.close()
      await until(() => element(file, 10) === 0)
      expect(element(file, 5)).toBe(222) // B's flushed edit kept
      expect(element(file, 10)).toBe(0) // A's own unflushed edit put back
      await b.close()
    } finally {
      await served.stop()
    }
  })

  it("another program's write after the edit survives the discard", async () => {
    const file = fixture('other-program.bin')
    const served = await startServed([])
    try {
      const a = await connect(served)
      const sa = await openSession(a, file, 'r+')
      await a.call('edit:apply', { session: sa, writes: [{ offset: 20, bytes: f32(1) }] })
      await a.call('edit:apply', { session: sa, writes: [{ offset: 24, bytes: f32(2) }] })
      // another program rewrites element 5 (ours) in place
      const fd = fs.openSync(file, 'r+')
      fs.writeSync(fd, f32(-3), 0, 4, 20)
      fs.closeSync(fd)
      await a.close()
      await until(() => element(file, 6) === 0)
      expect(element(file, 5)).toBe(-3)
      expect(element(file, 6)).toBe(0)
    } finally {
      await served.stop()
    }
  })

  it('a session that edited the same bytes twice puts back the flushed value when nobody else wrote', async () => {
    const file = fixture('twice.bin')
    const served = await startServed([])
    try {
      const a = await connect(served)
      const sa = await openSession(a, file, 'r+')
      await a.call('edit:apply', { session: sa, writes: [{ offset: 0, bytes: f32(5) }] })
      await a.call('edit:flush', { session: sa })
      await a.call('edit:apply', { session: sa, writes: [{ offset: 0, bytes: f32(6) }] })
      await a.call('edit:apply', { session: sa, writes: [{ offset: 0, bytes: f32(7) }] })
      await a.call('edit:undo', { session: sa })
      await a.call('edit:apply', { session: sa, writes: [{ offset: 0, bytes: f32(8) }] })
      await a.close()
      await until(() => element(file, 0) === 5)
      expect(element(file, 0)).toBe(5)
    } finally {
      await served.stop()
    }
  })
})

describe('memory a closed session held', () => {
  it('its image tiles go with it (96 tiles of up to 1 MiB each stayed after every client had left)', async () => {
    const file = path.join(tmp.dir, 'tiles.bin')
    py(`np.arange(512 * 512, dtype='<f4').tofile(${JSON.stringify(file)}); print(1)`)
    const service = new ArrayService({ watchIntervalMs: 0 })
    const tiles = (service as unknown as { tiles: TileCache }).tiles
    try {
      const layout = { dtype: '<f4', shape: [512, 512], offset: 0, order: 'C' as const }
      const ids: string[] = []
      for (let k = 0; k < 3; k++) {
        const s = await service.handle('session:open', { path: file, layout, mode: 'r' })
        ids.push(s.session)
        for (const [ty, tx] of [
          [0, 0],
          [1, 1]
        ])
          await service.handle('scan:tile', { session: s.session, level: 0, ty: ty!, tx: tx! })
      }
      expect(tiles.size).toBe(6)
      service.close(ids[0]!)
      expect(tiles.size).toBe(4)
      for (const id of ids.slice(1)) service.close(id)
      expect(tiles.size).toBe(0)
    } finally {
      service.closeAll()
    }
  })
})
