// gzip-compressed NIfTI against nibabel: .nii.gz (NIfTI-1 and -2, both byte orders, scaled as nibabel scales)
// and a .hdr beside its .img.gz, decompressed once into a temporary copy (read-only, progress and Cancel, the copy
// removed); truncated and corrupt streams refused saying so; and the NIfTI files shipped in nibabel's test data.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Progress } from '../src/shared/contract'
import { ArrayService } from '../src/main/service/array-service'
import { runCli } from './helpers/cli'
import { rejection } from './helpers/errors'
import { JS_PY, ls, show, stats } from './helpers/formats'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const d = tmp.dir

interface Want {
  min?: number
  max?: number
  file: string
  shape: number[]
  dtype: string
  values: unknown
  stored: unknown
}

describe('.nii.gz and .img.gz as nibabel reads them', () => {
  const files = {
    n1: path.join(d, 'scaled.nii.gz'),
    n2: path.join(d, 'image2.nii.gz'),
    be: path.join(d, 'big.nii.gz'),
    f4d: path.join(d, 'four.nii.gz'),
    pair: path.join(d, 'pair.hdr')
  }
  let r: Record<string, Want>

  beforeAll(() => {
    r = py(`
import nibabel as nib, gzip, os
${JS_PY}
rng = np.random.default_rng(28)
f = ${JSON.stringify(files)}
a = nib.Nifti1Image(rng.integers(-1000, 1000, (4, 5, 3)).astype(np.int16), np.eye(4))
a.header.set_slope_inter(0.37, -12.5)
nib.save(a, f['n1'])
nib.save(nib.Nifti2Image(rng.standard_normal((3, 4, 2, 2)).astype(np.float32), np.eye(4)), f['n2'])
nib.save(nib.Nifti1Image(rng.integers(0, 60000, (5, 6)).astype('>u2'), np.eye(4), header=nib.Nifti1Header(endianness='>')), f['be'])
nib.save(nib.Nifti1Image(np.arange(64 * 64 * 30 * 5, dtype=np.float32).reshape(64, 64, 30, 5), np.eye(4)), f['f4d'])
p = nib.Nifti1Pair(rng.integers(0, 200, (2, 3, 4)).astype(np.uint8), np.eye(4))
p.header.set_slope_inter(2.0, 1.0)
nib.save(p, f['pair'])
out = {}
for k, fn in f.items():
    img = nib.load(fn)
    v = np.asanyarray(img.dataobj)
    out[k] = {'file': fn, 'shape': list(v.shape), 'dtype': v.dtype.str, 'values': js(v),
              'stored': js(img.dataobj.get_unscaled())}
# the pair's image compressed beside its header (.img.gz)
img = f['pair'][:-4] + '.img'
with open(img, 'rb') as src, gzip.open(img + '.gz', 'wb') as dst:
    dst.write(src.read())
os.remove(img)
print(json.dumps(out))`)
  })

  it("shows each image with nibabel's values (scaled), the stored numbers a toggle away", async () => {
    for (const k of Object.keys(files) as (keyof typeof files)[]) {
      const w = r[k]!
      const [e] = await ls(files[k])
      expect(e!.unmappable, k).toBeUndefined()
      expect(e!.shape, k).toEqual(w.shape)
      expect(e!.order, k).toBe('F')
      expect(e!.dtype, k).toBe(w.dtype)
      expect(await show(files[k], null), k).toEqual(w.values)
      expect(await show(files[k], null, '--stored'), k).toEqual(w.stored)
    }
    expect((await ls(files.pair))[0]).toMatchObject({ file: 'pair.img.gz', offset: 0, values: 'scaled' })
    expect(await stats(files.f4d, null)).toMatchObject({ count: 64 * 64 * 30 * 5, min: 0, max: 64 * 64 * 30 * 5 - 1 })
    const info = JSON.parse((await runCli(['info', files.n1])).stdout) as Record<string, unknown>
    expect(info).toMatchObject({ format: 'nifti', dtype: '<f8', decompressed: true, path: files.n1 })
  })

  it('opens read-only: editing is refused with the reason', async () => {
    const res = await runCli(['set', files.n2, '--index', '0,0,0,0', '--value', '1'])
    expect(res.code).toBe(2)
    expect(res.stderr).toMatch(/read-only.*gzip-compressed NIfTI image|read-only.*scaled/)
    const be = await runCli(['set', files.be, '--index', '0,0', '--value', '1'])
    expect(be.stderr).toMatch(/temporary decompressed copy of a gzip-compressed NIfTI image/)
  })

  it('a truncated or corrupt stream, and a pair without its image, are refused saying what is wrong', async () => {
    const whole = fs.readFileSync(files.f4d)
    const cut = path.join(d, 'cut.nii.gz')
    fs.writeFileSync(cut, whole.subarray(0, whole.length >> 1))
    const a = await runCli(['show', cut])
    expect(a.code).toBe(2)
    expect(a.stderr).toMatch(/inflated stream, which has \d+: it is truncated|unexpected end of file|truncated/)
    const bad = path.join(d, 'bad.nii.gz')
    const b = Buffer.from(whole)
    for (let k = whole.length >> 1; k < (whole.length >> 1) + 100; k++) b[k] = 0xff ^ b[k]!
    fs.writeFileSync(bad, b)
    const c = await runCli(['stats', bad])
    expect(c.code).toBe(2)
    expect(c.stderr).toMatch(/cannot decompress NIfTI image 'data'/)
    // corrupt within its header's bytes: the listing says so
    for (let k = 20; k < 120; k++) b[k] = 0xff ^ b[k]!
    fs.writeFileSync(bad, b)
    expect((await runCli(['ls', bad])).stderr).toMatch(/the gzip stream is corrupt/)
    const notNifti = path.join(d, 'text.nii.gz')
    fs.writeFileSync(notNifti, zlib.gzipSync(Buffer.from('hello, not an image')))
    const n = await runCli(['show', notNifti])
    expect(n.code).toBe(2)
    expect(n.stderr).toMatch(/NIfTI header \(inside the gzip stream\) is truncated or its magic/)
    const lone = path.join(d, 'lone.hdr')
    fs.copyFileSync(files.pair, lone)
    const l = await runCli(['ls', lone])
    expect(l.code).toBe(2)
    expect(l.stderr).toMatch(/no such file: .*lone\.img/)
  })

  it('decompressing is a job: progress reported, Cancel removes the copy', async () => {
    const events: [string, Progress][] = []
    const service = new ArrayService({ watchIntervalMs: 0, emit: (e, p) => events.push([e, p as Progress]) })
    try {
      const big = path.join(d, 'big4d.nii.gz')
      py(`import nibabel as nib
nib.save(nib.Nifti1Image(np.tile(np.arange(1000, dtype='<f8'), 40_000).reshape(100, 100, 400, 10), np.eye(4)), ${JSON.stringify(big)})
print(1)`)
      const temps = (): string[] => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('arrayscope-gzip-'))
      const before = temps()
      const running = service.handle('session:open', {
        path: big,
        layout: null,
        mode: 'r',
        array: 'data',
        scanId: 'gz1'
      })
      const end = Date.now() + 20_000
      while (!events.some(([e, p]) => e === 'scan:progress' && p.scanId === 'gz1' && p.done > 0)) {
        if (Date.now() > end) throw new Error('no progress')
        await new Promise((res) => setTimeout(res, 5))
      }
      expect(await service.handle('scan:cancel', { scanId: 'gz1' })).toEqual({ cancelled: true })
      expect((await rejection(running)).code).toBe('cancelled')
      expect(temps()).toEqual(before)
      // opened to the end, the copy goes when the session closes
      const s = await service.handle('session:open', { path: big, layout: null, mode: 'r', array: 'data' })
      expect(temps().length).toBe(before.length + 1)
      await service.handle('session:close', { session: s.session })
      expect(temps()).toEqual(before)
    } finally {
      service.closeAll()
    }
  })
})

describe("nibabel's shipped NIfTI files", () => {
  it("every NIfTI image shows nibabel's values; a header without its image says what is missing", async () => {
    const r = py<{ shown: Want[]; refused: { file: string; error: string }[] }>(`
import nibabel as nib, os, glob
${JS_PY}
d = os.path.join(os.path.dirname(nib.__file__), 'tests', 'data')
shown, refused = [], []
for fn in sorted(glob.glob(d + '/*.nii') + glob.glob(d + '/*.nii.gz') + glob.glob(d + '/*.hdr')):
    try:
        # a CIFTI-2 file (row_major.dconn.nii) loads as a Cifti2Image: its matrix dims, the 4 unit dims dropped
        img = nib.load(fn)
        v = np.asanyarray(img.dataobj)
        shown.append({'file': fn, 'shape': list(v.shape), 'dtype': v.dtype.str, 'values': js(v) if v.size < 200000 else None,
                      'stored': None, 'min': float(np.nanmin(v)), 'max': float(np.nanmax(v))})
    except Exception as e:
        refused.append({'file': fn, 'error': str(e)})
print(json.dumps({'shown': shown, 'refused': refused}))`)
    expect(r.shown.length).toBeGreaterThanOrEqual(8)
    for (const w of r.shown) {
      const [e] = await ls(w.file)
      expect(e!.unmappable, w.file).toBeUndefined()
      expect(e!.shape, w.file).toEqual(w.shape)
      expect(e!.dtype, w.file).toBe(w.dtype)
      if (w.values !== null) expect(await show(w.file, null), w.file).toEqual(w.values)
      // the large ones: their extremes over every value
      expect(await stats(w.file, null), w.file).toMatchObject({ min: w.min, max: w.max })
    }
    for (const f of r.refused) {
      const res = await runCli(['ls', f.file])
      expect(res.code, f.file).toBe(2)
      expect(res.stderr, f.file).toMatch(/no such file: .*\.img|magic|not a container/)
    }
    console.log(
      `nibabel NIfTI corpus: ${r.shown.length} shown (${r.shown.map((w) => path.basename(w.file)).join(', ')}), ${r.refused.length} refused by nibabel too (${r.refused.map((f) => path.basename(f.file)).join(', ')})`
    )
  })
})
