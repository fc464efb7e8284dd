// OME-Zarr pyramids (issue 29): a group whose attributes hold `multiscales` (NGFF 0.4, written with zarr-python
// as ome-zarr-py lays it out; 0.5's `ome.multiscales` in a v3 zarr.json) lists its levels: each level's entry says
// its place and scale, the group's metadata lists the levels with their shapes.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { runCli } from './helpers/cli'
import { tempDir } from './helpers/numpy'
import { zpy } from './helpers/zarr'

const tmp = tempDir()
const service = new ArrayService({ watchIntervalMs: 0 })
afterAll(() => {
  service.closeAll()
  tmp.cleanup()
})

describe('OME-Zarr multiscales', () => {
  it('NGFF 0.4 (v2 .zattrs): ls and ls --json tag each level; the group lists them', async () => {
    const store = path.join(tmp.dir, 'image.ome.zarr')
    zpy(`
g = zarr.open_group(${JSON.stringify(store)}, mode='w')
img = g.create_group('cells')
x = np.arange(64 * 48, dtype='<u2').reshape(64, 48)
datasets = []
for k in range(3):
    img.create_dataset(str(k), data=x[::2**k, ::2**k], chunks=(16, 16), compressor=numcodecs.Blosc())
    datasets.append({'path': str(k), 'coordinateTransformations': [{'type': 'scale', 'scale': [2.0**k, 2.0**k]}]})
img.attrs['multiscales'] = [{'version': '0.4', 'name': 'cells', 'axes': [{'name': 'y', 'type': 'space'}, {'name': 'x', 'type': 'space'}], 'datasets': datasets}]
print(1)`)
    const r = await runCli(['ls', store])
    expect(r.stdout).toMatch(/^cells\/0\t<u2\t\(64, 48\).*\(multiscale level 0 of 3 of cells\)/m)
    expect(r.stdout).toMatch(/^cells\/2\t<u2\t\(16, 12\).*\(multiscale level 2 of 3 of cells\)/m)
    const j = JSON.parse((await runCli(['ls', store, '--json'])).stdout) as Record<string, unknown>[]
    expect(j.find((e) => e.name === 'cells/1')).toMatchObject({
      multiscale: { image: 'cells', level: 1, levels: 3, scale: [2, 2] },
      chunks: [16, 16]
    })
    const listed = await service.handle('container:list', { path: store })
    expect(listed.metadata).toMatchObject({
      cells: {
        'multiscale levels': [
          {
            name: 'cells',
            levels: [
              { path: 'cells/0', shape: [64, 48] },
              { path: 'cells/1', shape: [32, 24] },
              { path: 'cells/2', shape: [16, 12] }
            ]
          }
        ]
      }
    })
  })

  it('NGFF 0.5 (v3 zarr.json, ome.multiscales at the root)', async () => {
    const store = path.join(tmp.dir, 'v5.ome.zarr')
    fs.mkdirSync(store)
    const datasets = ['s0', 's1'].map((p, k) => ({
      path: p,
      coordinateTransformations: [{ type: 'scale', scale: [2 ** k] }]
    }))
    fs.writeFileSync(
      path.join(store, 'zarr.json'),
      JSON.stringify({
        zarr_format: 3,
        node_type: 'group',
        attributes: { ome: { version: '0.5', multiscales: [{ datasets }] } }
      })
    )
    for (const [k, p] of ['s0', 's1'].entries()) {
      fs.mkdirSync(path.join(store, p))
      fs.writeFileSync(
        path.join(store, p, 'zarr.json'),
        JSON.stringify({
          zarr_format: 3,
          node_type: 'array',
          shape: [8 >> k],
          data_type: 'uint8',
          chunk_grid: { name: 'regular', configuration: { chunk_shape: [4] } },
          chunk_key_encoding: { name: 'default' },
          fill_value: 3,
          codecs: [{ name: 'bytes' }]
        })
      )
    }
    const r = await runCli(['ls', store])
    expect(r.stdout).toMatch(/^s1\t\|u1\t\(4,\).*\(multiscale level 1 of 2 of \/\)/m)
    expect(JSON.parse((await runCli(['show', store, '--array', 's1', '--json'])).stdout)).toEqual([3, 3, 3, 3])
  })
})
