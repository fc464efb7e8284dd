// The container model through the service: the tree a folder at a time (dotted names as folders, counts and
// sizes), the filter, the probe's detection from magic bytes (not the extension), and arrays of a container opened
// as sessions whose windows equal numpy's.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { rejection } from './helpers/errors'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
const FILE = path.join(tmp.dir, 'm.safetensors')
const service = new ArrayService({ watchIntervalMs: 0 })
beforeAll(() => {
  py(`
from safetensors.numpy import save_file
t = {f'model.layers.{k}.{p}.weight': np.full((2, 3), k, np.float32) for k in range(12) for p in ('attn', 'mlp')}
t['lm_head.weight'] = np.arange(12, dtype=np.float16).reshape(3, 4)
t['scale'] = np.array(2.0, np.float64)
save_file(t, ${JSON.stringify(FILE)})
print(1)`)
})
afterAll(() => {
  service.closeAll()
  tmp.cleanup()
})

describe('container:list', () => {
  it('lists the root: folders with their array counts and sizes, then arrays', async () => {
    const root = await service.handle('container:list', { path: FILE })
    expect(root.format).toBe('safetensors')
    expect(root.total).toBe(26)
    expect(root.folders).toEqual([
      { name: 'lm_head', count: 1, nbytes: 24 },
      { name: 'model', count: 24, nbytes: 24 * 24 }
    ])
    expect(root.entries.map((e) => e.name)).toEqual(['scale'])
  })

  it('lists a folder in numeric order, and a leaf folder its arrays', async () => {
    const layers = await service.handle('container:list', { path: FILE, folder: ['model', 'layers'] })
    expect(layers.folders.map((f) => f.name)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11'])
    const leaf = await service.handle('container:list', { path: FILE, folder: ['model', 'layers', '10', 'mlp'] })
    expect(leaf.entries).toMatchObject([{ name: 'model.layers.10.mlp.weight', label: 'weight', shape: [2, 3] }])
  })

  it('filters by a case-insensitive part of the name, flat, with a limit', async () => {
    const hits = await service.handle('container:list', { path: FILE, filter: 'LAYERS.1', limit: 2 })
    expect(hits.matching).toBe(6) // 1, 10, 11 × attn, mlp
    expect(hits.entries).toHaveLength(2)
    expect(hits.more).toBe(4)
    expect(hits.entries[0]!.label).toBe(hits.entries[0]!.name)
  })

  it('detects containers from their bytes, whatever the name', async () => {
    const renamed = path.join(tmp.dir, 'weights.bin')
    fs.copyFileSync(FILE, renamed)
    expect((await service.handle('file:probe', { path: renamed })).container).toBe('safetensors')
    const raw = path.join(tmp.dir, 'data.safetensors')
    fs.writeFileSync(raw, new Uint8Array(64).fill(7))
    expect((await service.handle('file:probe', { path: raw })).container).toBe(null)
    const e = await rejection(service.handle('container:list', { path: raw }))
    expect(e.message).toMatch(/is not a container ArrayScope reads/)
  })

  it('opens an array as a session whose window equals numpy', async () => {
    const s = await service.handle('session:open', { path: FILE, layout: null, mode: 'r', array: 'lm_head.weight' })
    expect(s.array).toMatchObject({ format: 'safetensors', storedType: 'F16', name: 'lm_head.weight' })
    const w = await service.handle('window:get', {
      session: s.session,
      generation: 0,
      view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
      row0: 1,
      rows: 2,
      col0: 0,
      cols: 4
    })
    const want = py<number[]>(`
from safetensors import safe_open
with safe_open(${JSON.stringify(FILE)}, framework='np') as f: print(json.dumps(f.get_tensor('lm_head.weight')[1:3].ravel().view(np.uint16).tolist()))`)
    expect([...new Uint16Array(w.bytes.buffer, w.bytes.byteOffset, 8)]).toEqual(want)
  })
})
