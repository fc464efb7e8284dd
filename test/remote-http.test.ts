// Remote sources over HTTP against a real nginx on 127.0.0.1: raw bytes with a layout, .npy and safetensors
// (one file and a sharded checkpoint, shards resolved against the index's URL) listed, shown and scanned by the
// CLI; every value equals numpy's read of the same local file. Windows fetch only their blocks; a scan fetches
// the whole view; an object replaced on the server reports 'changed'.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { remoteStats } from '../src/main/service/remote-fetch'
import { runCli } from './helpers/cli'
import { startNginx, type Nginx } from './helpers/nginx'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
let web: Nginx
let ref: {
  raw: { min: number; max: number; mean: number; first: number[][]; corner: number[][] }
  npy: { values: number[][] }
  st: { names: string[]; shapes: Record<string, number[]>; w: number[][]; bias: number[] }
  shard: { names: string[]; b: number[] }
}

beforeAll(async () => {
  ref = py(`
import os, json
from safetensors.numpy import save_file
d = ${JSON.stringify(tmp.dir)}
rng = np.random.default_rng(30)
# 3000 x 700 float32: 8.4 MB, several blocks; values with NaN kept out (plain statistics)
a = rng.standard_normal((3000, 700)).astype('<f4')
a.tofile(os.path.join(d, 'raw.f32'))
b = (np.arange(60).reshape(6, 10) * 7 - 100).astype('>i2')
np.save(os.path.join(d, 'small.npy'), b)
w = rng.standard_normal((4, 5)).astype(np.float32)
bias = np.arange(5, dtype=np.float64) / 3
save_file({'w': w, 'bias': bias, 'big': rng.standard_normal((1500, 1000)).astype(np.float32)}, os.path.join(d, 'model.safetensors'))
import shutil, struct
n = 30000
header = {f'layer.{k}.weight': {'dtype': 'F32', 'shape': [2, 2], 'data_offsets': [16 * k, 16 * k + 16]} for k in range(n)}
h = json.dumps(header).encode(); h += b' ' * (-len(h) % 8)
with open(os.path.join(d, 'many.safetensors'), 'wb') as f:
    f.write(struct.pack('<Q', len(h))); f.write(h); f.write(np.arange(4 * n, dtype=np.float32).tobytes())
os.makedirs(os.path.join(d, 'big-shards'))
shutil.copy(os.path.join(d, 'many.safetensors'), os.path.join(d, 'big-shards', 'part-1.safetensors'))
save_file({'extra': np.ones(3, np.float32)}, os.path.join(d, 'big-shards', 'part-2.safetensors'))
wm = {f'layer.{k}.weight': 'part-1.safetensors' for k in range(n)}; wm['extra'] = 'part-2.safetensors'
json.dump({'metadata': {}, 'weight_map': wm}, open(os.path.join(d, 'big-shards', 'model.safetensors.index.json'), 'w'))
shutil.copy(os.path.join(d, 'model.safetensors'), os.path.join(d, 'fresh.safetensors'))
os.makedirs(os.path.join(d, 'sharded'))
save_file({'a': np.arange(6, dtype=np.int32)}, os.path.join(d, 'sharded', 'part-1.safetensors'))
save_file({'b': np.linspace(0, 1, 7).astype(np.float16)}, os.path.join(d, 'sharded', 'part-2.safetensors'))
json.dump({'metadata': {}, 'weight_map': {'a': 'part-1.safetensors', 'b': 'part-2.safetensors'}},
    open(os.path.join(d, 'sharded', 'model.safetensors.index.json'), 'w'))
m = np.memmap(os.path.join(d, 'raw.f32'), dtype='<f4', mode='r', shape=(3000, 700))
print(json.dumps({
  'raw': {'min': float(m.min()), 'max': float(m.max()), 'mean': float(m.astype(np.float64).mean()),
          'first': m[:2, :3].tolist(), 'corner': m[-2:, -3:].tolist()},
  'npy': {'values': np.load(os.path.join(d, 'small.npy')).tolist()},
  'st': {'names': ['bias', 'big', 'w'], 'shapes': {'w': [4, 5], 'bias': [5], 'big': [1500, 1000]},
         'w': w.tolist(), 'bias': bias.tolist()},
  'shard': {'names': ['a', 'b'], 'b': np.linspace(0, 1, 7).astype(np.float16).astype(float).tolist()}
}))
`)
  web = await startNginx(tmp.dir)
}, 60_000)

afterAll(async () => {
  await web?.stop()
  tmp.cleanup()
})

describe('remote objects over HTTP (nginx)', () => {
  it('ls, show and stats of a raw float32 file read with its layout equal numpy', async () => {
    const url = `${web.url}/raw.f32`
    const show = await runCli(['show', url, '--dtype', '<f4', '--shape', '3000,700', '--slice', '-2:, -3:', '--json'])
    expect(show.stderr).toBe('')
    expect(JSON.parse(show.stdout)).toEqual(ref.raw.corner)
    const st = await runCli(['stats', url, '--dtype', '<f4', '--shape', '3000,700', '--json'])
    expect(st.stderr).toBe('')
    const s = JSON.parse(st.stdout) as { count: number; min: number; max: number; mean: number }
    expect(s).toMatchObject({ count: 2_100_000, min: ref.raw.min, max: ref.raw.max })
    expect(s.mean).toBeCloseTo(ref.raw.mean, 9)
  })

  it('diff of a local file against its URL, and export of a URL to a local .npy', async () => {
    const local = path.join(tmp.dir, 'small.npy')
    const d = await runCli(['diff', local, `${web.url}/small.npy`, '--json'])
    expect(d.stderr).toBe('')
    expect(d.code).toBe(0)
    const out = path.join(tmp.dir, 'exported.npy')
    const e = await runCli([
      'export',
      `${web.url}/raw.f32`,
      '--dtype',
      '<f4',
      '--shape',
      '3000,700',
      '--slice',
      '-2:, -3:',
      '--out',
      out,
      '--as',
      'npy'
    ])
    expect(e.code).toBe(0)
    expect(py(`print(json.dumps(np.load(${JSON.stringify(out)}).tolist()))`)).toEqual(ref.raw.corner)
  })

  it('hex of a URL and of a tensor of a remote sharded index; --follow and --watch refused for URLs', async () => {
    const local = await runCli(['hex', path.join(tmp.dir, 'sharded', 'part-2.safetensors'), '--length', '40'])
    const h = await runCli(['hex', `${web.url}/sharded/part-2.safetensors`, '--length', '40'])
    expect(h.stderr).toBe('')
    expect(h.stdout).toBe(local.stdout)
    const a = await runCli(['hex', `${web.url}/sharded/model.safetensors.index.json`, '--array', 'b', '--length', '14'])
    const la = await runCli([
      'hex',
      path.join(tmp.dir, 'sharded', 'model.safetensors.index.json'),
      '--array',
      'b',
      '--length',
      '14'
    ])
    expect(a.stderr).toBe('')
    expect(a.stdout).toBe(la.stdout)
    const f = await runCli(['show', `${web.url}/small.npy`, '--follow'])
    expect(f.code).toBe(2)
    expect(f.stderr).toMatch(/--follow watches local files/)
  })

  it('a .npy header read over HTTP gives its layout; its values equal np.load', async () => {
    const r = await runCli(['show', `${web.url}/small.npy`, '--json'])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual(ref.npy.values)
    const info = await runCli(['info', `${web.url}/small.npy`])
    expect(JSON.parse(info.stdout)).toMatchObject({ dtype: '>i2', shape: [6, 10], format: 'npy' })
  })

  it('ls and show of a safetensors file and of a sharded index (shards beside the index URL)', async () => {
    const ls = await runCli(['ls', `${web.url}/model.safetensors`, '--json'])
    expect(ls.stderr).toBe('')
    const entries = JSON.parse(ls.stdout) as { name: string; shape: number[] }[]
    expect(entries.map((e) => e.name).sort()).toEqual(ref.st.names)
    for (const e of entries) expect(e.shape).toEqual(ref.st.shapes[e.name])
    const w = await runCli(['show', `${web.url}/model.safetensors`, '--array', 'w', '--json'])
    expect(JSON.parse(w.stdout)).toEqual(ref.st.w)
    const bias = await runCli(['show', `${web.url}/model.safetensors`, '--array', 'bias', '--json'])
    expect(JSON.parse(bias.stdout)).toEqual(ref.st.bias)
    const index = `${web.url}/sharded/model.safetensors.index.json`
    const ls2 = await runCli(['ls', index, '--json'])
    expect(ls2.stderr).toBe('')
    expect((JSON.parse(ls2.stdout) as { name: string }[]).map((e) => e.name).sort()).toEqual(ref.shard.names)
    const b = await runCli(['show', index, '--array', 'b', '--json'])
    expect(b.stderr).toBe('')
    expect(JSON.parse(b.stdout)).toEqual(ref.shard.b)
  })

  it('a table window fetches only its blocks; a scan fetches the rest in parallel ranges', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      // an object this process has not opened yet
      const url = `${web.url}/fresh.safetensors`
      const before = { ...remoteStats }
      const info = await s.handle('session:open', { path: url, array: 'big', layout: null, mode: 'r' })
      // the first screen: one request (the first block holds the 8-byte length and the JSON header)
      expect(remoteStats.requests - before.requests).toBe(1)
      expect(info.array?.readOnly).toMatch(/remote object/)
      // the app's tree of the container: no more requests
      const tree = await s.handle('container:list', { path: url })
      expect(tree).toMatchObject({ format: 'safetensors', total: 3 })
      expect(remoteStats.requests - before.requests).toBe(1)
      const mid = { ...remoteStats }
      const win = await s.handle('window:get', {
        session: info.session,
        view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
        row0: 700,
        col0: 10,
        rows: 30,
        cols: 20,
        generation: 1
      })
      const fetched = remoteStats.bytes - mid.bytes
      expect(remoteStats.requests - mid.requests).toBeLessThanOrEqual(2)
      expect(fetched).toBeLessThanOrEqual(2 << 20)
      const expected = py<number[][]>(`
from safetensors.numpy import load_file
print(json.dumps(load_file(${JSON.stringify(path.join(tmp.dir, 'model.safetensors'))})['big'][700:730, 10:30].tolist()))`)
      const got = Array.from(new Float32Array(win.bytes.slice().buffer))
      expect(got).toEqual(expected.flat())
      const st = s.statsOf(info.session, s.session(info.session).layout)
      const stats = await st.promise
      expect(stats.count).toBe(1_500_000)
      // the whole tensor fetched once, block by block
      expect(remoteStats.bytes - before.bytes).toBeLessThanOrEqual(
        fs.statSync(path.join(tmp.dir, 'model.safetensors')).size + (1 << 20)
      )
    } finally {
      s.closeAll()
    }
  })

  it('the first screen of a safetensors whose header spans several blocks takes 2 requests', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const before = remoteStats.requests
      const list = await s.handle('container:list', { path: `${web.url}/many.safetensors`, limit: 50 })
      expect(list.total).toBe(30_000)
      expect(remoteStats.requests - before).toBe(2)
      const last = await s.handle('session:open', {
        path: `${web.url}/many.safetensors`,
        array: 'layer.29999.weight',
        layout: null,
        mode: 'r'
      })
      const w = await s.handle('window:get', {
        session: last.session,
        view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
        row0: 0,
        col0: 0,
        rows: 2,
        cols: 2,
        generation: 1
      })
      expect(Array.from(new Float32Array(w.bytes.slice().buffer))).toEqual([119996, 119997, 119998, 119999])
    } finally {
      s.closeAll()
    }
  })

  it("a shard whose header spans several blocks is fetched by the preparation's rounds (not blocking)", async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const before = remoteStats.requests
      const list = await s.handle('container:list', {
        path: `${web.url}/big-shards/model.safetensors.index.json`,
        limit: 10
      })
      expect(list.total).toBe(30_001)
      // the index (1.2 MB: two), the first block of each shard, the rest of the big shard's header: all on this
      // thread's loop (a shard's missing bytes were once asked of the index's object, and the rounds ran out)
      expect(remoteStats.requests - before).toBe(5)
    } finally {
      s.closeAll()
    }
  })

  it('refuses modes other than r, a missing object, and an object replaced under an open session', async () => {
    const w = await runCli(['set', `${web.url}/small.npy`, '--index', '0,0', '--value', '1'])
    expect(w.code).toBe(2)
    expect(w.stderr).toMatch(/read-only.*does not write to servers/)
    const missing = await runCli(['show', `${web.url}/nope.npy`])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no such object: .*nope\.npy \(HTTP 404\)/)
    // replaced on the server: the next read of a block not fetched yet says so instead of mixing versions
    const file = path.join(tmp.dir, 'swap.f32')
    fs.writeFileSync(file, Buffer.alloc(3 << 20, 1))
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', {
        path: `${web.url}/swap.f32`,
        layout: { dtype: '<f4', shape: null, offset: 0, order: 'C' },
        mode: 'r'
      })
      fs.writeFileSync(file + '.new', Buffer.alloc(3 << 20, 2))
      fs.renameSync(file + '.new', file)
      fs.utimesSync(file, new Date(), new Date(Date.now() + 5000))
      await expect(
        s.handle('window:get', {
          session: info.session,
          view: { rowAxis: 0, colAxis: null, index: [0] },
          row0: 700_000,
          col0: 0,
          rows: 10,
          cols: 1,
          generation: 1
        })
      ).rejects.toMatchObject({ code: 'changed' })
    } finally {
      s.closeAll()
    }
  })
})
