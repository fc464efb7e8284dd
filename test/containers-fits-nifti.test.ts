// FITS against astropy and NIfTI against nibabel. FITS: a scaled int16 primary (float32 in astropy's two
// roundings), a scaled int32 image with BLANK (float64, NaN where BLANK), the unsigned conventions (uint16 via
// BZERO = 32768, int8 via BZERO = -128), a float32 image with BSCALE, an unscaled big-endian float64 image found
// by EXTNAME, a BINTABLE as records, a tile-compressed image (test/fits-tiles.test.ts has more). NIfTI: -1 and -2,
// little- and big-endian, scaled (nibabel's float64), a .hdr/.img pair, a .nii.gz opened. `ls`
// shapes and dtypes, `show --json` scaled and --stored, statistics of scaled values, all equal the reference.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { runCli } from './helpers/cli'
import { rejection } from './helpers/errors'
import { JS_PY, ls, show, stats } from './helpers/formats'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const d = tmp.dir
const FITS = path.join(d, 'mixed.fits')

interface Hdu {
  name: string
  dtype: string | null
  shape: number[] | null
  values: unknown
  stored: unknown
  stats: { min: number; max: number; mean: number; std: number; nan: number } | null
}

let hdus: Hdu[]

beforeAll(() => {
  hdus = py<Hdu[]>(`
from astropy.io import fits
${JS_PY}
rng = np.random.default_rng(3)
primary = fits.PrimaryHDU(rng.integers(-30000, 30000, (3, 4, 5)).astype('>i2'))
primary.header['BSCALE'] = 0.1
primary.header['BZERO'] = -7.3
i32 = fits.ImageHDU(rng.integers(-2**31, 2**31 - 1, (6, 7)).astype('>i4'), name='I32')
i32.header['BSCALE'] = 3.7e-5
i32.header['BZERO'] = 12.0
i32.header['BLANK'] = int(i32.data[2, 3])
u16 = fits.ImageHDU(np.array([[0, 1, 32767], [32768, 65534, 65535]], dtype=np.uint16), name='U16')
s8 = fits.ImageHDU(np.array([-128, -1, 0, 1, 127], dtype=np.int8), name='S8')
f32 = fits.ImageHDU(rng.standard_normal((4, 3)).astype('>f4'), name='F32')
f32.header['BSCALE'] = 2.5
sci = fits.ImageHDU(rng.standard_normal((2, 3)).astype('>f8'), name='SCI')
table = fits.BinTableHDU.from_columns([
    fits.Column(name='id', format='J', array=np.arange(4)),
    fits.Column(name='flux', format='2E', array=rng.standard_normal((4, 2))),
    fits.Column(name='big', format='K', array=np.array([1, -2, 2**40, -2**40])),
    fits.Column(name='d', format='D', array=rng.standard_normal(4)),
    fits.Column(name='s', format='I', array=np.array([1, 2, 3, 4])),
    fits.Column(name='name', format='6A', array=['a', 'bb', 'ccc', 'dddd']),
], name='TAB')
comp = fits.CompImageHDU(rng.integers(0, 100, (16, 16)).astype(np.int16), name='COMP')
fits.HDUList([primary, i32, u16, s8, f32, sci, table, comp]).writeto(${JSON.stringify(FITS)})
out = []
with fits.open(${JSON.stringify(FITS)}) as f, fits.open(${JSON.stringify(FITS)}, do_not_scale_image_data=True, disable_image_compression=True) as raw:
    for k, h in enumerate(f):
        data = h.data
        if data is None:
            out.append({'name': h.name, 'dtype': None, 'shape': None, 'values': None, 'stored': None, 'stats': None})
            continue
        if isinstance(h, fits.BinTableHDU):
            a = np.asarray(data)
            vals = [{'id': int(r['id']), 'flux': js(r['flux']), 'big': int(r['big']), 'd': js(r['d']), 's': int(r['s'])} for r in a]
            out.append({'name': h.name, 'dtype': None, 'shape': list(a.shape), 'values': vals, 'stored': None, 'stats': None})
            continue
        x = data.astype(np.float64)
        fin = x[np.isfinite(x)]
        # the compressed image: big-endian as FITS stores it (astropy gives it native), its stored values its values
        out.append({'name': h.name, 'dtype': '>i2' if k == 7 else data.dtype.str, 'shape': list(data.shape), 'values': js(data), 'stored': js(data if k == 7 else raw[k].data),
                    'stats': {'min': float(fin.min()), 'max': float(fin.max()), 'mean': float(fin.mean()), 'std': float(fin.std()), 'nan': int(np.isnan(x).sum())}})
print(json.dumps(out))`)
})

describe('FITS against astropy', () => {
  it('ls: every HDU by index with astropy shapes and dtypes (scaled ones as astropy scales them)', async () => {
    const entries = await ls(FITS)
    expect(entries.map((e) => e.name)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7'])
    for (const [k, h] of hdus.entries()) {
      const e = entries[k]!
      if (h.shape) expect(e.shape, h.name).toEqual(h.shape)
      // astropy leaves a scaled float32 image big-endian (it scales in place); ours is native: same values
      if (h.dtype) expect(e.dtype, h.name).toBe(h.name === 'F32' ? '<f4' : h.dtype)
    }
    expect(entries[0]).toMatchObject({ storedDtype: '>i2', scaledDtype: '<f4', values: 'scaled' })
    expect(entries[1]).toMatchObject({ storedDtype: '>i4', dtype: '<f8', aliases: ['I32'] })
    expect(entries[1]!.scaling).toMatch(/BSCALE = 0.000037, BZERO = 12, BLANK = -?\d+/)
    expect(entries[5]).toMatchObject({ dtype: '>f8', aliases: ['SCI'] })
    expect(entries[5]!.scaling).toBeUndefined()
    expect(entries[7]).toMatchObject({ aliases: ['COMP'], filters: ['RICE_1'], chunks: [1, 16] })
    expect(entries[7]!.unmappable).toBeUndefined()
  })

  it("show --json equals astropy's data (scaled) and its raw data with --stored", async () => {
    for (const [k, h] of hdus.entries()) {
      if (!h.stats) continue
      expect(await show(FITS, String(k)), h.name).toEqual(h.values)
      expect(await show(FITS, String(k), '--stored'), `${h.name} stored`).toEqual(h.stored)
    }
    // by EXTNAME too
    expect(await show(FITS, 'SCI')).toEqual(hdus[5]!.values)
    expect(await show(FITS, 'I32', '--slice', '2, 1:5')).toEqual((hdus[1]!.values as unknown[][])[2]!.slice(1, 5))
  })

  it('a BINTABLE is a structured array of its columns', async () => {
    const rows = (await show(FITS, 'TAB')) as Record<string, unknown>[]
    expect(rows.map(({ id, flux, big, d, s }) => ({ id, flux, big, d, s }))).toEqual(hdus[6]!.values)
    expect(rows.map((r) => r.name)).toEqual(['a', 'bb', 'ccc', 'dddd']) // 6A: bytes, NUL-padded as numpy strips
  })

  it("statistics of scaled values equal numpy over astropy's (BLANK counted as NaN)", async () => {
    for (const [k, h] of hdus.entries()) {
      if (!h.stats) continue
      const s = await stats(FITS, String(k))
      expect(s.min, h.name).toBe(h.stats.min)
      expect(s.max, h.name).toBe(h.stats.max)
      expect(s.nan, h.name).toBe(h.stats.nan)
      expect(s.mean as number, h.name).toBeCloseTo(h.stats.mean, 6)
      expect(Math.abs((s.std as number) - h.stats.std) / (h.stats.std || 1), h.name).toBeLessThan(1e-9)
    }
    expect((await stats(FITS, 'I32')).nan).toBe(1)
  })

  it('line plots and heatmaps of scaled values: the kernels scale each piece (min/max per bucket, block means)', async () => {
    const want = py<{ bmin: (number | string)[]; bmax: (number | string)[]; blocks: number[] }>(`
from astropy.io import fits
with fits.open(${JSON.stringify(FITS)}) as f:
    a = f[1].data.astype(np.float64)  # float64 of the scaled int32 image, NaN at BLANK
row = a[2, :7]
b = [[np.nanmean(a[r0:r0 + 3, c0:c0 + 7]) for c0 in (0,)] for r0 in (0, 3)]
print(json.dumps({'bmin': [float(np.nanmin(row[k:k + 1])) if not np.isnan(row[k]) else 'nan' for k in range(7)],
                  'bmax': [float(np.nanmax(row[k:k + 1])) if not np.isnan(row[k]) else 'nan' for k in range(7)],
                  'blocks': [float(x) for r in b for x in r]}))`)
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: FITS, layout: null, mode: 'r', array: '1' })
      const line = await s.handle('scan:line', {
        session: info.session,
        scanId: 'l',
        slice: '2',
        start: 0,
        stop: 7,
        buckets: 7
      })
      const f64 = (b: Uint8Array): (number | string)[] =>
        Array.from(new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))).map((x) =>
          Number.isNaN(x) ? 'nan' : x
        )
      expect(f64(line.min)).toEqual(want.bmin)
      expect(f64(line.max)).toEqual(want.bmax)
      // an image tile (level 0: one element a pixel) of the scaled values: min = max = mean = the value
      const t = await s.handle('scan:tile', { session: info.session, level: 0, ty: 0, tx: 0 })
      const px = new Float32Array(t.pixels.buffer.slice(t.pixels.byteOffset, t.pixels.byteOffset + t.pixels.byteLength))
      const row2 = want.bmin.map((x) => (x === 'nan' ? NaN : Math.fround(x as unknown as number)))
      expect(Array.from({ length: 7 }, (_, j) => px[4 * (2 * 7 + j)])).toEqual(row2)
      const img = await s.handle('scan:image', {
        session: info.session,
        scanId: 'i',
        outRows: 2,
        outCols: 1,
        reduce: 'mean'
      })
      const blocks = f64(img.values) as number[]
      blocks.forEach((x, k) => expect(x).toBeCloseTo(want.blocks[k]!, 9))
    } finally {
      s.closeAll()
    }
  })

  it("diff compares scaled values as numpy compares astropy's", async () => {
    const npy = path.join(d, 'primary.npy')
    py(`
from astropy.io import fits
a = fits.open(${JSON.stringify(FITS)})[0].data.copy()
a[1, 2, 3] += np.float32(0.5)
np.save(${JSON.stringify(npy)}, a)
print(1)`)
    const r = await runCli(['diff', FITS, npy, '--array', '0', '--rtol', '0', '--json'])
    expect(JSON.parse(r.stdout)).toMatchObject({ total: 60, mismatched: 1, maxAbsDiff: 0.5 })
  })

  it('scaled values are read-only; the stored ones edit in place', async () => {
    const f = path.join(d, 'edit.fits')
    fs.copyFileSync(FITS, f)
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const e = await rejection(s.handle('session:open', { path: f, layout: null, mode: 'r+', array: '0' }))
      expect(e.message).toMatch(/values shown are scaled from the stored numbers \(BSCALE = 0.1, BZERO = -7.3 → <f4\)/)
      const info = await s.handle('session:open', { path: f, layout: null, mode: 'r+', array: '0', values: 'stored' })
      expect(info.array!.scaling).toMatchObject({ applied: false, stored: '>i2' })
      await s.handle('edit:apply', {
        session: info.session,
        writes: [{ offset: info.array!.stored.offset, bytes: new Uint8Array([0, 100]) }]
      })
      await s.handle('edit:flush', { session: info.session })
    } finally {
      s.closeAll()
    }
    expect(
      py(`from astropy.io import fits; print(json.dumps(float(fits.open(${JSON.stringify(f)})[0].data[0, 0, 0])))`)
    ).toBe(py(`print(json.dumps(float(np.float32(np.float32(np.float32(100) * np.float32(0.1)) + np.float32(-7.3)))))`))
  })
})

describe('NIfTI against nibabel', () => {
  const files = {
    n1: path.join(d, 'scaled.nii'),
    n2: path.join(d, 'image2.nii'),
    be: path.join(d, 'big.nii'),
    pair: path.join(d, 'pair.hdr'),
    gz: path.join(d, 'zipped.nii.gz')
  }
  let r: Record<string, { shape: number[]; dtype: string; values: unknown; stored: unknown }>

  beforeAll(() => {
    r = py(`
import nibabel as nib
${JS_PY}
rng = np.random.default_rng(8)
f = ${JSON.stringify(files)}
a = nib.Nifti1Image(rng.integers(-1000, 1000, (4, 5, 3)).astype(np.int16), np.eye(4))
a.header.set_slope_inter(0.37, -12.5)
nib.save(a, f['n1'])
nib.save(nib.Nifti2Image(rng.standard_normal((3, 4, 2, 2)).astype(np.float32), np.eye(4)), f['n2'])
nib.save(nib.Nifti1Image(rng.integers(0, 60000, (5, 6)).astype('>u2'), np.eye(4), header=nib.Nifti1Header(endianness='>')), f['be'])
nib.save(nib.Nifti1Pair(rng.standard_normal((2, 3, 4)), np.eye(4)), f['pair'])
nib.save(nib.Nifti1Image(np.zeros((2, 2), np.float32), np.eye(4)), f['gz'])
out = {}
for k in ('n1', 'n2', 'be', 'pair'):
    img = nib.load(f[k])
    v = np.asanyarray(img.dataobj)
    out[k] = {'shape': list(v.shape), 'dtype': v.dtype.str, 'values': js(v), 'stored': js(img.dataobj.get_unscaled())}
print(json.dumps(out))`)
  })

  it('one array each, x fastest (order F), scaled as nibabel scales (float64), stored a toggle away', async () => {
    for (const k of ['n1', 'n2', 'be', 'pair'] as const) {
      const [e] = await ls(files[k])
      expect(e!.shape, k).toEqual(r[k]!.shape)
      expect(e!.order, k).toBe('F')
      expect(e!.dtype, k).toBe(r[k]!.dtype)
      // single-array files need no --array
      expect(await show(files[k], null), k).toEqual(r[k]!.values)
      expect(await show(files[k], 'data'), k).toEqual(r[k]!.values)
    }
    const [n1] = await ls(files.n1)
    expect(n1).toMatchObject({ storedDtype: '<i2', dtype: '<f8', values: 'scaled', offset: 352 })
    expect(await show(files.n1, null, '--stored')).toEqual(r.n1!.stored)
    expect((await ls(files.n2))[0]).toMatchObject({ offset: 544 })
    expect((await ls(files.be))[0]!.dtype).toMatch(/^>/)
    expect((await ls(files.pair))[0]).toMatchObject({ file: 'pair.img', offset: 0 })
    const info = JSON.parse((await runCli(['info', files.n1])).stdout) as Record<string, unknown>
    expect(info).toMatchObject({ format: 'nifti', array: 'data', dtype: '<f8', values: 'scaled', storedDtype: '<i2' })
  })

  it('a .nii.gz opens through a temporary decompressed copy (test/containers-nifti-gz.test.ts has more)', async () => {
    const [e] = await ls(files.gz)
    expect(e!.unmappable).toBeUndefined()
    expect(await show(files.gz, null)).toEqual([
      [0, 0],
      [0, 0]
    ])
  })
})
