// MINC 1 (NetCDF-3) and MINC 2 (HDF5) images as nibabel reads them: an integer image is normalised per slice onto
// image-min/image-max from its valid range — `image (normalised)` beside the stored variable, recoded into a
// float64 copy — bit for bit as nibabel's array proxy gives it; a float image is not normalised; a chunked image is
// listed with the reason. nibabel's shipped MINC files, and a MINC 1 file written here with two scaling dims,
// int16 data clipped by its valid range.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { recipe } from '../src/shared/recipe'
import { JS_PY, ls, show } from './helpers/formats'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

interface Want {
  file: string
  shape: number[]
  values: unknown
  float: boolean
}

describe('MINC images', () => {
  let files: Want[]
  const made = path.join(tmp.dir, 'made.mnc')

  beforeAll(() => {
    files = py<Want[]>(`
import nibabel, glob, os
from scipy.io import netcdf_file
${JS_PY}
made = ${JSON.stringify(made)}
nc = netcdf_file(made, 'w')
for d, n in (('time', 2), ('zspace', 3), ('yspace', 4), ('xspace', 5)):
    nc.createDimension(d, n)
    v = nc.createVariable(d, 'd', ())
    v.spacing = b'regular__'
    v.step = 1.0
    v.start = 0.0
img = nc.createVariable('image', 'h', ('time', 'zspace', 'yspace', 'xspace'))
img[:] = np.arange(-60, 60).reshape(2, 3, 4, 5) * 20
img.signtype = b'signed__'
img.valid_range = np.array([-1000.0, 1000.0])
mx = nc.createVariable('image-max', 'd', ('time', 'zspace'))
mx[:] = np.arange(6.0).reshape(2, 3) * 10 + 5
mn = nc.createVariable('image-min', 'd', ('time', 'zspace'))
mn[:] = -np.arange(6.0).reshape(2, 3) / 3
nc.close()
d = os.path.join(os.path.dirname(nibabel.__file__), 'tests', 'data')
out = []
for fn in sorted(glob.glob(d + '/*.mnc')) + [made]:
    try:
        a = np.asanyarray(nibabel.load(fn).dataobj)
    except Exception:
        continue
    mf = nibabel.load(fn).dataobj.minc_file
    out.append({'file': fn, 'shape': list(a.shape), 'values': js(a), 'float': mf.get_data_dtype().kind == 'f'})
print(json.dumps(out))`)
  })

  it("an integer image's normalised values equal nibabel's; a float image is shown as stored", async () => {
    const shown: string[] = []
    for (const w of files) {
      const entries = await ls(w.file)
      const n = entries.find((e) => e.name.endsWith('image (normalised)'))
      const label = path.basename(w.file)
      if (w.float) {
        expect(n, label).toBeUndefined()
        expect(await show(w.file, entries.find((e) => /(^|\/)image$/.test(e.name))!.name), label).toEqual(w.values)
        continue
      }
      expect(n, label).toBeDefined()
      if (n!.unmappable) {
        expect(n!.unmappable, label).toMatch(/chunked or compressed/)
        continue
      }
      expect([n!.dtype, n!.shape], label).toEqual(['<f8', w.shape])
      expect(await show(w.file, n!.name), label).toEqual(w.values)
      shown.push(label)
    }
    // MINC 1 and contiguous MINC 2 images of nibabel's data, and the file written here (two scaling dims, clipped)
    expect(shown.sort()).toEqual(
      [
        'made.mnc',
        'minc1-no-att.mnc',
        'minc1_1_scale.mnc',
        'minc1_4d.mnc',
        'minc2-no-att.mnc',
        'minc2_baddim.mnc',
        'small.mnc',
        'tiny.mnc'
      ].sort()
    )
  })

  it('the stored image stays as scipy reads it; Copy as code reads the normalised one with nibabel', async () => {
    expect(await show(made, 'image', '--slice', '0, 0, 0')).toEqual([-1200, -1180, -1160, -1140, -1120])
    const service = new ArrayService({ watchIntervalMs: 0 })
    try {
      const s = await service.handle('session:open', {
        path: made,
        layout: null,
        mode: 'r',
        array: 'image (normalised)'
      })
      const code = recipe(s, { slice: '', rowAxis: 0, colAxis: null, index: [0] }, s.layout.shape).python
      expect(code).toContain('nib.load(')
      expect(py(`${code}\nprint(json.dumps(a.tolist()))`)).toEqual(files.find((w) => w.file === made)!.values)
    } finally {
      service.closeAll()
    }
    expect(fs.existsSync(made)).toBe(true)
  })
})
