// Zarr stores in ZIP archives (`.zarr.zip`, issue 29): zarr-python's ZipStore (members stored), the same store
// zipped with deflate, and a sharded zarr3 store written by TensorStore then zipped, read through the CLI and the
// service, equal the writers' reads; a damaged member is an error naming its key; a plain .npz stays an .npz.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { runCli } from './helpers/cli'
import { tempDir } from './helpers/numpy'
import { tspy, zpy } from './helpers/zarr'

const tmp = tempDir()
const STORED = path.join(tmp.dir, 'stored.zarr.zip')
const DEFLATED = path.join(tmp.dir, 'deflated.zip')
const V3 = path.join(tmp.dir, 'v3.zarr.zip')
const service = new ArrayService({ watchIntervalMs: 0 })
afterAll(() => {
  service.closeAll()
  tmp.cleanup()
})

type Reads = Record<string, (number | null)[]>
let ref: Reads

beforeAll(() => {
  const v2 = zpy<Reads>(`
import zipfile, os
store = zarr.ZipStore(${JSON.stringify(STORED)}, mode='w')
g = zarr.group(store=store)
g.attrs['title'] = 'zip'
a = g.create_dataset('grp/temp', shape=(9, 7), chunks=(4, 3), dtype='<f4', compressor=numcodecs.Blosc('zstd', 5, 2), fill_value=-1)
a[0:6, :] = np.arange(42, dtype='<f4').reshape(6, 7) / 4
b = g.create_dataset('ints', data=np.arange(10) - 5, dtype='>i2', chunks=(4,), compressor=None)
store.close()
# the same keys, deflated, in an archive whose first member is .zgroup (a name without .zarr)
src = zipfile.ZipFile(${JSON.stringify(STORED)})
with zipfile.ZipFile(${JSON.stringify(DEFLATED)}, 'w', zipfile.ZIP_DEFLATED) as z:
    for name in sorted(src.namelist(), key=lambda n: (n != '.zgroup', n)):
        z.writestr(name, src.read(name))
r = zarr.open_group(zarr.ZipStore(${JSON.stringify(STORED)}, mode='r'), mode='r')
print(json.dumps({'grp/temp': r['grp/temp'][...].ravel().tolist(), 'ints': r['ints'][...].tolist()}))`)
  const v3 = tspy<Reads>(`
import os, tempfile, zipfile
d = tempfile.mkdtemp()
json.dump({'zarr_format': 3, 'node_type': 'group', 'attributes': {}}, open(os.path.join(d, 'zarr.json'), 'w'))
t = ts.open({'driver': 'zarr3', 'kvstore': {'driver': 'file', 'path': os.path.join(d, 'vol')}, 'create': True,
             'metadata': {'shape': [12, 10], 'data_type': 'uint16', 'fill_value': 7,
                          'chunk_grid': {'name': 'regular', 'configuration': {'chunk_shape': [6, 10]}},
                          'codecs': [{'name': 'sharding_indexed', 'configuration': {'chunk_shape': [3, 5],
                              'codecs': [{'name': 'bytes', 'configuration': {'endian': 'little'}}, {'name': 'zstd', 'configuration': {'level': 1}}]}}]}}).result()
t[0:4, 2:9] = np.arange(28, dtype='uint16').reshape(4, 7)
with zipfile.ZipFile(${JSON.stringify(V3)}, 'w', zipfile.ZIP_STORED) as z:
    for root, _, files in os.walk(d):
        for f in files:
            p = os.path.join(root, f)
            z.write(p, os.path.relpath(p, d))
print(json.dumps({'vol': t.read().result().ravel().tolist()}))`)
  ref = { ...v2, ...v3 }
})

async function shown(store: string, name: string): Promise<unknown[]> {
  const r = await runCli(['show', store, '--array', name, '--json'])
  expect(r.stderr).toBe('')
  return (JSON.parse(r.stdout) as unknown[]).flat(3)
}

describe('Zarr stores in ZIP archives', () => {
  it('ls lists the arrays of a ZipStore archive and of a deflated one', async () => {
    for (const f of [STORED, DEFLATED]) {
      const r = await runCli(['ls', f])
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/^grp\/temp\t<f4\t\(9, 7\)/m)
      expect(r.stdout).toMatch(/^ints\t>i2\t\(10,\)/m)
    }
    expect((await service.handle('file:probe', { path: DEFLATED })).container).toBe('zarr')
  })

  it.each([STORED, DEFLATED])('values of %s equal zarr-python (blosc, fill value, big-endian)', async (f) => {
    expect(await shown(f, 'grp/temp')).toEqual(ref['grp/temp'])
    expect(await shown(f, 'ints')).toEqual(ref.ints)
  })

  it('a sharded zarr3 store written by TensorStore, zipped: values and the app’s window', async () => {
    expect(await shown(V3, 'vol')).toEqual(ref.vol)
    const { session } = await service.handle('session:open', { path: V3, array: 'vol', layout: null, mode: 'r' })
    const w = await service.handle('window:get', {
      generation: 0,
      view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
      row0: 0,
      col0: 0,
      rows: 12,
      cols: 10,
      session
    })
    expect([...new Uint16Array(w.bytes.slice().buffer)]).toEqual(ref.vol)
    await service.handle('session:close', { session })
  })

  it('a damaged deflated member is an error naming its key; a .npz is still an .npz', async () => {
    const bad = path.join(tmp.dir, 'bad.zip')
    const b = fs.readFileSync(DEFLATED)
    // the first bytes of chunk ints/0's deflate stream (right after its local header's name)
    const at = b.indexOf(Buffer.from('ints/0')) + 'ints/0'.length
    b.fill(0xff, at, at + 3)
    fs.writeFileSync(bad, b)
    const r = await runCli(['show', bad, '--array', 'ints'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/the chunk ints\/0 of 'ints' (does not inflate|fails its ZIP CRC-32 check)/)
    const npz = path.join(tmp.dir, 'plain.npz')
    zpy(`np.savez(${JSON.stringify(npz)}, x=np.arange(3)); print(1)`)
    expect((await runCli(['ls', npz])).stdout).toMatch(/^x\t<i8\t\(3,\)/m)
  })
})
