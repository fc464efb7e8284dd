// A .zarr.zip whose root is an array (zarr.save_array into a ZipStore) opens without --array, as the same store
// in a folder does, locally and over HTTP; a container holding one array says "1 array" when it asks to choose.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { startNginx, type Nginx } from './helpers/nginx'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
const ZIP = path.join(tmp.dir, 'root.zarr.zip')
const FITS = path.join(tmp.dir, 'one.fits')
let ref: { min: number; max: number; mean: number; count: number }
let web: Nginx

beforeAll(async () => {
  // written with the zip module and zlib as zarr-python's ZipStore lays out a v2 root array (.zarray, "i.j")
  ref = py(`
import zipfile, zlib
a = (np.arange(30 * 20, dtype='<f8').reshape(30, 20) / 7) - 5
meta = {"zarr_format": 2, "shape": [30, 20], "chunks": [16, 8], "dtype": "<f8", "compressor": {"id": "zlib", "level": 5},
        "fill_value": 0, "order": "C", "filters": None}
with zipfile.ZipFile(${JSON.stringify(ZIP)}, 'w', zipfile.ZIP_STORED) as z:
    z.writestr('.zarray', json.dumps(meta))
    for i in range(2):
        for j in range(3):
            c = np.zeros((16, 8), '<f8'); b = a[i*16:(i+1)*16, j*8:(j+1)*8]; c[:b.shape[0], :b.shape[1]] = b
            z.writestr(f'{i}.{j}', zlib.compress(c.tobytes(), 5))
from astropy.io import fits
fits.PrimaryHDU(np.ones((3, 4), '>f4')).writeto(${JSON.stringify(FITS)})
print(json.dumps({"min": float(a.min()), "max": float(a.max()), "mean": float(a.mean()), "count": int(a.size)}))`)
  web = await startNginx(tmp.dir)
})
afterAll(async () => {
  await web?.stop()
  tmp.cleanup()
})

describe('a .zarr.zip whose root is an array', () => {
  it('opens without --array, on disk and over HTTP, with numpy values', async () => {
    for (const where of [ZIP, `${web.url}/root.zarr.zip`]) {
      const r = await runCli(['stats', where, '--json'])
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      const s = JSON.parse(r.stdout) as typeof ref
      expect({ min: s.min, max: s.max, count: s.count }).toEqual({ min: ref.min, max: ref.max, count: ref.count })
      expect(s.mean).toBeCloseTo(ref.mean, 12)
    }
  })

  it('a container of one array it does not open by itself says "1 array"', async () => {
    const r = await runCli(['stats', FITS])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('holding 1 array: choose it')
  })
})
