// Analyze 7.5 .hdr/.img pairs (no NIfTI magic) against nibabel, which loads them as Spm2AnalyzeImage: files written
// by AnalyzeImage, Spm99AnalyzeImage (with a scale factor in funused1) and Spm2AnalyzeImage (slope and intercept),
// both byte orders, an image gzip-compressed beside its header (.img.gz), and the gl/cal fallback SPM2 uses when
// the slope is unset; an ENVI .hdr beside its data still opens as ENVI.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { JS_PY, ls, show, stats } from './helpers/formats'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const d = tmp.dir

interface Want {
  shape: number[]
  dtype: string
  values: unknown
  stored: unknown
  klass: string
  min: number
  max: number
}

describe('Analyze 7.5 pairs as nibabel reads them', () => {
  const files = {
    plain: path.join(d, 'plain.hdr'),
    big: path.join(d, 'big.hdr'),
    spm99: path.join(d, 'spm99.hdr'),
    spm2: path.join(d, 'spm2.hdr'),
    spm2be: path.join(d, 'spm2be.hdr'),
    glcal: path.join(d, 'glcal.hdr'),
    gz: path.join(d, 'gz.hdr'),
    rgb: path.join(d, 'rgb.hdr')
  }
  let r: Record<string, Want>

  beforeAll(() => {
    r = py(`
import nibabel as nib, gzip, os
from nibabel.analyze import AnalyzeImage, AnalyzeHeader
from nibabel.spm99analyze import Spm99AnalyzeImage
from nibabel.spm2analyze import Spm2AnalyzeImage, Spm2AnalyzeHeader
${JS_PY}
rng = np.random.default_rng(75)
f = ${JSON.stringify(files)}
nib.save(AnalyzeImage(rng.standard_normal((4, 3, 2)).astype(np.float32), np.eye(4)), f['plain'])
nib.save(AnalyzeImage(rng.integers(-3000, 3000, (5, 4)).astype('>i2'), np.eye(4), header=AnalyzeHeader(endianness='>')), f['big'])
a = Spm99AnalyzeImage(rng.integers(0, 255, (3, 4, 2)).astype(np.uint8), np.eye(4))
a.header.set_slope_inter(0.25)
nib.save(a, f['spm99'])
b = Spm2AnalyzeImage(rng.integers(-500, 500, (6, 5)).astype(np.int16), np.eye(4))
b.header.set_slope_inter(1.7)
b.header['scl_inter'] = -3.5
nib.save(b, f['spm2'])
c = Spm2AnalyzeImage(rng.integers(-2**20, 2**20, (3, 3, 3)).astype('>i4'), np.eye(4), header=Spm2AnalyzeHeader(endianness='>'))
c.set_data_dtype(np.int32)
c.header.set_slope_inter(0.001)
nib.save(c, f['spm2be'])
# no slope (0): SPM2 scales from glmax/glmin and cal_max/cal_min
g = Spm2AnalyzeImage(rng.integers(10, 110, (4, 4)).astype(np.int16), np.eye(4))
nib.save(g, f['glcal'])
h = Spm2AnalyzeHeader.from_fileobj(open(f['glcal'], 'rb'))
h['scl_slope'] = 0
h['glmax'], h['glmin'], h['cal_max'], h['cal_min'] = 110, 10, 0.8, 0.2
with open(f['glcal'], 'wb') as fo:
    h.write_to(fo)
e = Spm99AnalyzeImage(rng.integers(-100, 100, (2, 3, 4)).astype(np.int16), np.eye(4))
e.header.set_slope_inter(2.0)
nib.save(e, f['gz'])
nib.save(AnalyzeImage(rng.integers(0, 255, (3, 2)).astype([('R', 'u1'), ('G', 'u1'), ('B', 'u1')]), np.eye(4)), f['rgb'])
out = {}
for k, fn in f.items():
    img = nib.load(fn)
    v = np.asanyarray(img.dataobj)
    u = img.dataobj.get_unscaled()
    out[k] = {'shape': list(v.shape), 'dtype': v.dtype.str, 'values': js(v), 'stored': js(u),
              'klass': type(img).__name__, 'min': float(v.min()) if not v.dtype.names else 0,
              'max': float(v.max()) if not v.dtype.names else 0}
img = f['gz'][:-4] + '.img'
with open(img, 'rb') as src, gzip.open(img + '.gz', 'wb') as dst:
    dst.write(src.read())
os.remove(img)
print(json.dumps(out))`)
  })

  it("lists and shows each with nibabel's values (scaled as Spm2AnalyzeImage), the stored numbers with --stored", async () => {
    for (const k of Object.keys(files) as (keyof typeof files)[]) {
      const w = r[k]!
      expect(w.klass, k).toBe('Spm2AnalyzeImage')
      const [e] = await ls(files[k])
      expect(e!.unmappable, k).toBeUndefined()
      expect(e!.shape, k).toEqual(w.shape)
      expect(e!.order, k).toBe('F')
      // (records: numpy's str is |V3, the listing spells out the fields)
      expect(e!.dtype, k).toBe(k === 'rgb' ? '[["R","|u1"],["G","|u1"],["B","|u1"]]' : w.dtype)
      expect(await show(files[k], null), k).toEqual(w.values)
      expect(await show(files[k], null, '--stored'), k).toEqual(w.stored)
    }
    expect((await ls(files.gz))[0]).toMatchObject({ file: 'gz.img.gz', values: 'scaled' })
    expect((await ls(files.glcal))[0]).toMatchObject({ values: 'scaled' })
    expect((await ls(files.spm2be))[0]).toMatchObject({ storedType: 'i4 BE', values: 'scaled' })
    expect(await stats(files.spm2, null)).toMatchObject({ min: r.spm2!.min, max: r.spm2!.max })
    const info = JSON.parse((await runCli(['info', files.spm99])).stdout) as Record<string, unknown>
    expect(info).toMatchObject({ format: 'nifti', dtype: '<f8' })
    expect(JSON.stringify(info)).toMatch(/Analyze 7\.5/)
  })

  it('the .img of a pair opens too (its header found beside it, as nibabel.load finds it)', async () => {
    for (const k of ['plain', 'spm2be'] as const) {
      const img = files[k].replace(/\.hdr$/, '.img')
      const [e] = await ls(img)
      expect(e).toMatchObject({ shape: r[k]!.shape, file: path.basename(img) })
      expect(await show(img, null), k).toEqual(r[k]!.values)
    }
  })

  it('a pair without its image, and a .hdr that is neither Analyze nor ENVI, are refused saying so', async () => {
    const lone = path.join(d, 'lone.hdr')
    fs.copyFileSync(files.plain, lone)
    const l = await runCli(['ls', lone])
    expect(l.code).toBe(2)
    expect(l.stderr).toMatch(/no such file: .*lone\.img/)
    const text = path.join(d, 'notes.hdr')
    fs.writeFileSync(text, 'just some notes, not a header\n')
    const t = await runCli(['ls', text])
    expect(t.code).toBe(2)
    expect(t.stderr).toMatch(/not a container/)
  })

  it('an ENVI .hdr beside its data still opens as ENVI', async () => {
    const data = path.join(d, 'cube.img')
    fs.writeFileSync(data, Buffer.from(new Uint16Array([1, 2, 3, 4, 5, 6]).buffer))
    fs.writeFileSync(
      path.join(d, 'cube.hdr'),
      'ENVI\nsamples = 3\nlines = 2\nbands = 1\nheader offset = 0\ndata type = 12\ninterleave = bsq\nbyte order = 0\n'
    )
    const [e] = await ls(path.join(d, 'cube.hdr'))
    expect(e).toMatchObject({ shape: [1, 2, 3], dtype: '<u2' })
    expect(await show(path.join(d, 'cube.hdr'), null)).toEqual([
      [
        [1, 2, 3],
        [4, 5, 6]
      ]
    ])
  })
})
