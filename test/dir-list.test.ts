// Typed paths: "~" means the home folder wherever a path arrives (open form, CLI, serve requests), and a folder
// is listed (dir:list) with sizes and recognised formats, within serve's --root only.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { expandHome } from '../src/main/service/home-path'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

const home = path.join(tmp.dir, 'home')
const savedHome = process.env.HOME
beforeEach(() => {
  fs.mkdirSync(home, { recursive: true })
  process.env.HOME = home
})
afterEach(() => {
  process.env.HOME = savedHome
})

describe('~ in a typed path', () => {
  it('means the home folder: "~", "~/x"; "~name" and "a/~" are left alone', () => {
    expect(expandHome('~')).toBe(os.homedir())
    expect(expandHome('~/data/x.npy')).toBe(path.join(home, 'data', 'x.npy'))
    expect(expandHome('~bob/x')).toBe('~bob/x')
    expect(expandHome('a/~/x')).toBe('a/~/x')
  })

  it('the service probes and opens ~/x.npy, and the CLI reads it', async () => {
    const f = path.join(home, 'x.npy')
    py(`np.save(${JSON.stringify(f)}, np.arange(6, dtype='<i2').reshape(2, 3)); print(1)`)
    const service = new ArrayService({ watchIntervalMs: 0 })
    try {
      const p = await service.handle('file:probe', { path: '~/x.npy' })
      expect(p.path).toBe(f)
      expect(p.npy).toMatchObject({ dtype: '<i2', shape: [2, 3] })
      const s = await service.handle('session:open', { path: '~/x.npy', layout: null, mode: 'r' })
      expect(s.path).toBe(f)
    } finally {
      service.closeAll()
    }
    const out = await runCli(['show', '~/x.npy'])
    expect(out.stderr).toBe('')
    expect(out.stdout).toContain('[[0 1 2]')
  })

  it('the CLI expands a quoted ~ in paths it resolves itself (ls, --out)', async () => {
    py(`
from safetensors.numpy import save_file
save_file({'w': np.ones((2, 2), np.float32)}, ${JSON.stringify(path.join(home, 'm.safetensors'))}); print(1)`)
    const ls = await runCli(['ls', '~/m.safetensors', '--json'])
    expect(ls.stderr).toBe('')
    expect(JSON.parse(ls.stdout)).toMatchObject([{ name: 'w', shape: [2, 2] }])
    const ex = await runCli(['export', '~/m.safetensors', '--array', 'w', '--out', '~/w.npy'])
    expect(ex.code).toBe(0)
    expect(ex.stderr).toContain(`to ${path.join(home, 'w.npy')}`)
    expect(fs.existsSync(path.join(home, 'w.npy'))).toBe(true)
  })
})

describe('dir:list', () => {
  const root = path.join(tmp.dir, 'root')
  fs.mkdirSync(path.join(root, 'sub 10'), { recursive: true })
  fs.mkdirSync(path.join(root, 'sub 9'))
  fs.mkdirSync(path.join(root, '.hidden'))
  fs.writeFileSync(path.join(root, 'raw.bin'), Buffer.alloc(1000))
  py(`
np.save(${JSON.stringify(path.join(root, 'a.npy'))}, np.zeros(4))
from safetensors.numpy import save_file
save_file({'w': np.ones((2, 2), np.float32)}, ${JSON.stringify(path.join(root, 'model.safetensors'))}); print(1)`)
  fs.symlinkSync(os.tmpdir(), path.join(root, 'outside'))

  it('lists folders first (natural order), then files with sizes and recognised formats', async () => {
    const service = new ArrayService({ watchIntervalMs: 0 })
    const l = await service.handle('dir:list', { path: root })
    expect(l.path).toBe(fs.realpathSync(root))
    expect(l.parent).toBe(path.dirname(fs.realpathSync(root)))
    expect(l.entries.map((e) => [e.name, e.kind, e.format])).toEqual([
      ['outside', 'dir', null],
      ['sub 9', 'dir', null],
      ['sub 10', 'dir', null],
      ['a.npy', 'file', 'npy'],
      ['model.safetensors', 'file', 'safetensors'],
      ['raw.bin', 'file', null]
    ])
    expect(l.entries.find((e) => e.name === 'raw.bin')!.size).toBe(1000)
    await expect(service.handle('dir:list', { path: path.join(root, 'raw.bin') })).rejects.toThrow(/is a file/)
    await expect(service.handle('dir:list', { path: path.join(root, 'nope') })).rejects.toThrow(/no such folder/)
    service.closeAll()
  })

  it("under --root: '' is the root, the root has no parent, links and paths outside are refused", async () => {
    const service = new ArrayService({ watchIntervalMs: 0, root })
    const l = await service.handle('dir:list', { path: '' })
    expect(l.path).toBe(fs.realpathSync(root))
    expect(l.parent).toBeNull()
    expect(l.entries.map((e) => e.name)).not.toContain('outside')
    const sub = await service.handle('dir:list', { path: 'sub 9' })
    expect(sub.parent).toBe(fs.realpathSync(root))
    await expect(service.handle('dir:list', { path: '/' })).rejects.toThrow(/outside/)
    await expect(service.handle('dir:list', { path: '~' })).rejects.toThrow(/outside/)
    service.closeAll()
  })
})
