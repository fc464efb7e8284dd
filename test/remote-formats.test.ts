// Formats whose layout comes from header bytes, read over HTTP from a real nginx: GGUF (a plain and a Q8_0
// tensor), NetCDF-3, FITS (scaled), NIfTI, HDF5 contiguous datasets. `show --json` equals the formats' own
// libraries reading the same local files. Also: the open form's layout proposals and preview of a remote raw
// file, and an object replaced on the server reported by the service's periodic check as a local file is.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { runCli } from './helpers/cli'
import { startNginx, type Nginx } from './helpers/nginx'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
let web: Nginx
let ref: Record<string, unknown>

beforeAll(async () => {
  ref = py(`
import os
d = ${JSON.stringify(tmp.dir)}
p = lambda n: os.path.join(d, n)
rng = np.random.default_rng(32)
out = {}
import gguf
from gguf import GGMLQuantizationType as T
from gguf.quants import quantize, dequantize
w = gguf.GGUFWriter(p('m.gguf'), 'llama')
w.add_string('general.name', 'remote test')
e = rng.standard_normal((4, 8)).astype(np.float32)
q = rng.standard_normal((2, 64)).astype(np.float32)
qb = quantize(q, T.Q8_0)
w.add_tensor('emb', e)
w.add_tensor('q8', qb, raw_dtype=T.Q8_0)
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
out['emb'] = e.tolist()
out['q8'] = dequantize(qb, T.Q8_0).reshape(2, 64).tolist()
import netCDF4
with netCDF4.Dataset(p('c.nc'), 'w', format='NETCDF3_CLASSIC') as nc:
    nc.createDimension('t', 3); nc.createDimension('x', 4)
    v = nc.createVariable('temp', 'f4', ('t', 'x'))
    v[:] = np.arange(12, dtype=np.float32).reshape(3, 4) / 4
with netCDF4.Dataset(p('c.nc')) as nc:
    out['temp'] = np.asarray(nc['temp'][:]).tolist()
from astropy.io import fits
img = (np.arange(20, dtype='>i2').reshape(4, 5) - 7)
h = fits.PrimaryHDU(img); h.header['BSCALE'] = 0.5; h.header['BZERO'] = 10
h.writeto(p('i.fits'))
with fits.open(p('i.fits')) as f:
    out['fits'] = np.asarray(f[0].data, dtype=np.float64).tolist()
import nibabel as nib
vol = rng.standard_normal((3, 4, 2)).astype(np.float32)
nib.save(nib.Nifti1Image(vol, np.eye(4)), p('v.nii'))
out['nii'] = np.asarray(nib.load(p('v.nii')).dataobj).tolist()
import h5py
with h5py.File(p('h.h5'), 'w') as f:
    f['grp/a'] = np.arange(30, dtype='<f8').reshape(5, 6) * 1.5
    f['b'] = np.arange(7, dtype='>i4')
    f.create_dataset('z', data=rng.standard_normal((300, 200)).astype('<f4'), chunks=(64, 50), compression='gzip', shuffle=True)
    f.create_dataset('lz', data=np.arange(100, dtype='<i4'), chunks=(10,), scaleoffset=0)
with h5py.File(p('big.h5'), 'w') as f:
    f.create_dataset('lz', data=np.arange(100, dtype='<i4'), chunks=(10,), scaleoffset=0)
os.truncate(p('big.h5'), 3 << 29)
with h5py.File(p('h.h5')) as f:
    out['h5a'] = f['grp/a'][()].tolist(); out['h5b'] = f['b'][()].tolist()
    z = f['z'][()]
    out['z'] = {'corner': z[-3:, -2:].tolist(), 'mean': float(z.astype(np.float64).mean()), 'min': float(z.min())}
print(json.dumps(out))`)
  fs.mkdirSync(path.join(tmp.dir, 'noranges'))
  fs.writeFileSync(path.join(tmp.dir, 'noranges', 'small.f32'), new Float32Array([1, 2, 3, 4.5]))
  // sparse: 300 MiB on no disk
  fs.writeFileSync(path.join(tmp.dir, 'noranges', 'huge.bin'), '')
  fs.truncateSync(path.join(tmp.dir, 'noranges', 'huge.bin'), 300 << 20)
  web = await startNginx(tmp.dir, 'location /noranges/ { max_ranges 0; }')
}, 60_000)

afterAll(async () => {
  await web?.stop()
  tmp.cleanup()
})

const show = async (file: string, array?: string): Promise<unknown> => {
  const r = await runCli(['show', `${web.url}/${file}`, ...(array ? ['--array', array] : []), '--json'])
  expect(r.stderr).toBe('')
  return JSON.parse(r.stdout)
}

describe('formats over HTTP', () => {
  it('GGUF: a plain tensor and a Q8_0 tensor dequantized equal gguf-py', async () => {
    expect(await show('m.gguf', 'emb')).toEqual(ref.emb)
    expect(await show('m.gguf', 'q8')).toEqual(ref.q8)
  })

  it('NetCDF-3, FITS (scaled), NIfTI and HDF5 contiguous datasets equal their libraries', async () => {
    expect(await show('c.nc', 'temp')).toEqual(ref.temp)
    expect(await show('i.fits', '0')).toEqual(ref.fits)
    expect(await show('v.nii')).toEqual(ref.nii)
    expect(await show('h.h5', '/grp/a')).toEqual(ref.h5a)
    expect(await show('h.h5', '/b')).toEqual(ref.h5b)
  })

  it('HDF5 chunked (gzip + shuffle) decoded natively from the remote file; a library-only filter read from the whole file', async () => {
    const z = ref.z as { corner: number[][]; mean: number; min: number }
    expect(await show('h.h5', '/z')).toBeDefined()
    const corner = await runCli(['show', `${web.url}/h.h5`, '--array', '/z', '--slice', '-3:, -2:', '--json'])
    expect(corner.stderr).toBe('')
    expect(JSON.parse(corner.stdout)).toEqual(z.corner)
    const st = await runCli(['stats', `${web.url}/h.h5`, '--array', '/z', '--json'])
    const s = JSON.parse(st.stdout) as { count: number; min: number; mean: number }
    expect(s).toMatchObject({ count: 60_000, min: z.min })
    expect(s.mean).toBeCloseTo(z.mean, 9)
    // scale-offset: the HDF5 library decodes it, from the remote file fetched whole (up to 1 GiB)
    expect(await show('h.h5', '/lz')).toEqual(Array.from({ length: 100 }, (_, i) => i))
    const big = await runCli(['show', `${web.url}/big.h5`, '--array', '/lz'])
    expect(big.code).toBe(2)
    expect(big.stderr).toMatch(/fetched whole for it up to 1 GiB, this one is 1\.5 GiB: download it/)
  })

  it('a server without range requests: a small object is read whole, a large one refused with the reason', async () => {
    const small = await runCli(['show', `${web.url}/noranges/small.f32`, '--dtype', '<f4', '--json'])
    expect(small.stderr).toBe('')
    expect(JSON.parse(small.stdout)).toEqual([1, 2, 3, 4.5])
    const huge = await runCli(['show', `${web.url}/noranges/huge.bin`, '--dtype', 'u1', '--slice', ':4'])
    expect(huge.code).toBe(2)
    expect(huge.stderr).toMatch(/does not answer range requests \(it sends the whole object, 314572800 bytes\)/)
  })

  it("the open form's proposals and preview read a remote raw file", async () => {
    fs.writeFileSync(path.join(tmp.dir, 'p.bin'), new Float32Array(Array.from({ length: 4096 }, (_, i) => i / 2)))
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const url = `${web.url}/p.bin`
      const pre = await s.handle('file:preview', {
        path: url,
        layout: { dtype: '<f4', shape: [64, 64], offset: 0, order: 'C' }
      })
      expect(Array.from(new Float32Array(pre.bytes.slice().buffer)).slice(0, 4)).toEqual([0, 0.5, 1, 1.5])
      const props = await s.handle('file:propose', { path: url })
      expect(props.candidates.length).toBeGreaterThan(0)
    } finally {
      s.closeAll()
    }
  })

  it('an object replaced on the server is reported changed by the periodic check', async () => {
    const file = path.join(tmp.dir, 'w.bin')
    fs.writeFileSync(file, Buffer.alloc(1000, 1))
    const events: string[] = []
    const s = new ArrayService({ watchIntervalMs: 100, emit: (e) => events.push(e) })
    try {
      await s.handle('session:open', {
        path: `${web.url}/w.bin`,
        layout: { dtype: 'u1', shape: null, offset: 0, order: 'C' },
        mode: 'r'
      })
      await new Promise((r) => setTimeout(r, 300))
      expect(events).not.toContain('session:changed')
      fs.writeFileSync(file, Buffer.alloc(1200, 2))
      const until = Date.now() + 8000
      while (!events.includes('session:changed') && Date.now() < until) await new Promise((r) => setTimeout(r, 100))
      expect(events).toContain('session:changed')
    } finally {
      s.closeAll()
    }
  }, 15_000)
})
