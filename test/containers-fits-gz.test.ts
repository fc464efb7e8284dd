// gzip-compressed FITS (.fits.gz, .fit.gz, .fts.gz) against astropy, which opens them transparently: a multi-HDU
// file (a scaled primary, an IMAGE extension, a BINTABLE, a tile-compressed image) inflated once into a temporary
// copy that ls, show and stats read from; read-only; a corrupt and a truncated stream refused saying so; the copy
// made as a job (progress, Cancel) when opened with a job id, and removed when the last session of it closes.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Progress } from '../src/shared/contract'
import { ArrayService } from '../src/main/service/array-service'
import { detectFormat, parseContainer } from '../src/shared/containers'
import { runCli } from './helpers/cli'
import { rejection } from './helpers/errors'
import { JS_PY, ls, show, stats } from './helpers/formats'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const d = tmp.dir
const GZ = path.join(d, 'mixed.fits.gz')

interface Hdu {
  name: string
  shape: number[] | null
  values: unknown
  stored: unknown
  min: number | null
  max: number | null
}
let hdus: Hdu[]
const copies = (): string[] => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('arrayscope-fitsgz-'))

beforeAll(() => {
  hdus = py<Hdu[]>(`
from astropy.io import fits
import gzip, shutil
${JS_PY}
rng = np.random.default_rng(282)
primary = fits.PrimaryHDU(rng.integers(-30000, 30000, (3, 4, 5)).astype('>i2'))
primary.header['BSCALE'] = 0.1
primary.header['BZERO'] = -7.3
img = fits.ImageHDU(rng.standard_normal((6, 7)).astype('>f8'), name='IMG')
table = fits.BinTableHDU.from_columns([
    fits.Column(name='id', format='J', array=np.arange(5)),
    fits.Column(name='flux', format='2E', array=rng.standard_normal((5, 2))),
], name='TAB')
comp = fits.CompImageHDU(rng.integers(0, 1000, (20, 16)).astype(np.int32), name='COMP')
asc = fits.TableHDU.from_columns([fits.Column('i', format='I6', array=np.array([1, -20, 300])),
                                  fits.Column('f', format='F9.3', array=np.array([1.5, -2.25, 1e3]))], name='ASC')
plain = ${JSON.stringify(path.join(d, 'mixed.fits'))}
fits.HDUList([primary, img, table, comp, asc]).writeto(plain)
with open(plain, 'rb') as src, gzip.open(${JSON.stringify(GZ)}, 'wb') as dst:
    shutil.copyfileobj(src, dst)
out = []
with fits.open(${JSON.stringify(GZ)}) as f, fits.open(${JSON.stringify(GZ)}, do_not_scale_image_data=True) as raw:
    for k, h in enumerate(f):
        a = h.data
        if isinstance(h, fits.TableHDU):
            vals = [{'i': int(a['i'][k]), 'f': js(a['f'][k])} for k in range(len(a))]
            out.append({'name': h.name, 'shape': [len(a)], 'values': vals, 'stored': None, 'min': None, 'max': None})
            continue
        if isinstance(h, fits.BinTableHDU):
            vals = [{'id': int(r['id']), 'flux': js(r['flux'])} for r in np.asarray(a)]
            out.append({'name': h.name, 'shape': [len(a)], 'values': vals, 'stored': None, 'min': None, 'max': None})
            continue
        out.append({'name': h.name, 'shape': list(a.shape), 'values': js(a), 'stored': js(raw[k].data),
                    'min': float(a.min()), 'max': float(a.max())})
print(json.dumps(out))`)
})

describe('.fits.gz as astropy opens it', () => {
  it('ls lists every HDU; show and stats give astropy’s values (scaled, and --stored the raw ones)', async () => {
    const entries = await ls(GZ)
    expect(entries.map((e) => e.name)).toEqual(['0', '1', '2', '3', '4'])
    expect(entries[0]).toMatchObject({ storedDtype: '>i2', values: 'scaled', shape: hdus[0]!.shape })
    expect(entries[1]).toMatchObject({ aliases: ['IMG'], dtype: '>f8', shape: hdus[1]!.shape })
    expect(entries[3]).toMatchObject({ aliases: ['COMP'], filters: ['RICE_1'], shape: hdus[3]!.shape })
    for (const k of [0, 1, 3]) {
      const h = hdus[k]!
      expect(await show(GZ, String(k)), h.name).toEqual(h.values)
      expect(await show(GZ, String(k), '--stored'), h.name).toEqual(h.stored)
      expect(await stats(GZ, String(k)), h.name).toMatchObject({ min: h.min, max: h.max })
    }
    const rows = (await show(GZ, 'TAB')) as Record<string, unknown>[]
    expect(rows.map(({ id, flux }) => ({ id, flux }))).toEqual(hdus[2]!.values)
    // an ASCII table: its numbers parsed from the copy's text into another copy
    const asc = (await show(GZ, 'ASC')) as Record<string, unknown>[]
    expect(asc.map(({ i, f }) => ({ i, f }))).toEqual(hdus[4]!.values)
    // the other spellings astropy opens
    for (const ext of ['.fit.gz', '.fts.gz']) {
      const other = path.join(d, `mixed${ext}`)
      fs.copyFileSync(GZ, other)
      expect(await show(other, 'IMG'), ext).toEqual(hdus[1]!.values)
    }
    // no --array: the file is a container, not raw gzip bytes
    const bare = await runCli(['show', GZ])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toMatch(/is a fits container holding 5 arrays: choose one/)
  })

  it('hex of an HDU is refused (its bytes are inside the stream); hex of the file dumps the gzip bytes', async () => {
    const h = await runCli(['hex', GZ, '--array', 'IMG'])
    expect(h.code).toBe(2)
    expect(h.stderr).toMatch(/gzip-compressed FITS file: its arrays' stored bytes are inside the deflate stream/)
    const raw = await runCli(['hex', GZ, '--length', '16'])
    expect(raw.code).toBe(0)
    expect(raw.stdout).toMatch(/^0+\s+1f 8b 08/)
  })

  it('a gzip stream parsed as it lies (a remote .fits.gz) is refused, saying to download it', () => {
    const bytes = new Uint8Array(fs.readFileSync(GZ))
    const ctx = { read: (o: number, l: number) => bytes.subarray(o, o + l), size: bytes.length, fileName: 'x.fits.gz' }
    expect(detectFormat(bytes.subarray(0, 64), bytes.length, 'x.fits.gz')?.format).toBe('fits')
    expect(detectFormat(bytes.subarray(0, 64), bytes.length, 'x.gz')).toBeNull()
    expect(() => parseContainer(ctx)).toThrow(/gzip-compressed FITS file .* local file only: download it/)
  })

  it('opens read-only, saying why', async () => {
    const res = await runCli(['set', GZ, '--array', 'IMG', '--index', '0,0', '--value', '1'])
    expect(res.code).toBe(2)
    expect(res.stderr).toMatch(/read-only.*decompressed copy of a gzip-compressed FITS file/)
  })

  it('under serve --root: the file opens (its copy is the service’s own), the copy cannot be named by a request', async () => {
    const service = new ArrayService({ watchIntervalMs: 0, root: d })
    try {
      const s = await service.handle('session:open', { path: GZ, layout: null, mode: 'r', array: 'IMG' })
      expect(s.path.startsWith(d)).toBe(false)
      const named = await rejection(
        service.handle('session:open', { path: s.path, layout: null, mode: 'r', array: 'IMG' })
      )
      expect(named.code).toBe('permission')
      await service.handle('session:close', { session: s.session })
    } finally {
      service.closeAll()
    }
  })

  it('the .fits.gz is the file watched: its own version, and a rewrite of it is a change', async () => {
    const own = path.join(d, 'watched.fits.gz')
    fs.copyFileSync(GZ, own)
    const events: string[] = []
    const service = new ArrayService({ watchIntervalMs: 0, emit: (e) => events.push(e) })
    try {
      const s = await service.handle('session:open', { path: own, layout: null, mode: 'r', array: 'IMG' })
      // its statistics' version is the .gz's, not the copy's
      expect(service.session(s.session).stat.size).toBe(fs.statSync(own).size)
      fs.appendFileSync(own, Buffer.alloc(16))
      service.checkForChanges()
      expect(events).toContain('session:changed')
    } finally {
      service.closeAll()
    }
  })

  it('a corrupt or truncated stream is refused saying what is wrong', async () => {
    const whole = fs.readFileSync(GZ)
    const cut = path.join(d, 'cut.fits.gz')
    fs.writeFileSync(cut, whole.subarray(0, whole.length >> 1))
    const a = await runCli(['ls', cut])
    expect(a.code).toBe(2)
    expect(a.stderr).toMatch(
      /cut\.fits\.gz: the gzip stream ends early \(after \d+ inflated bytes\): the file is truncated/
    )
    const bad = path.join(d, 'bad.fits.gz')
    const b = Buffer.from(whole)
    for (let k = 200; k < 260; k++) b[k] = 0xff ^ b[k]!
    fs.writeFileSync(bad, b)
    const c = await runCli(['show', bad, '--array', '0'])
    expect(c.code).toBe(2)
    expect(c.stderr).toMatch(/bad\.fits\.gz: the gzip stream is corrupt \(.+\): the file is damaged/)
    const text = path.join(d, 'text.fits.gz')
    fs.writeFileSync(text, zlib.gzipSync(Buffer.from('not a FITS file at all')))
    const t = await runCli(['ls', text])
    expect(t.code).toBe(2)
    expect(t.stderr).toMatch(/text\.fits\.gz: .*inflates to does not start with the SIMPLE = T card/)
    // its copy is not kept
    await new Promise((res) => setTimeout(res, 10))
    expect(copies().filter((f) => fs.readdirSync(path.join(os.tmpdir(), f)).includes('text.fits'))).toEqual([])
  })

  it('decompressing is a job (progress, Cancel); the copy goes when the last session closes', async () => {
    const big = path.join(d, 'big.fits.gz')
    py(`from astropy.io import fits
import gzip
with gzip.open(${JSON.stringify(big)}, 'wb', compresslevel=1) as f:
    fits.HDUList([fits.PrimaryHDU(np.tile(np.arange(1000, dtype='>f8'), 30_000).reshape(300, 100, 1000))]).writeto(f)
print(1)`)
    const events: [string, Progress][] = []
    const service = new ArrayService({ watchIntervalMs: 0, emit: (e, p) => events.push([e, p as Progress]) })
    try {
      const before = copies()
      const running = service.handle('session:open', { path: big, layout: null, mode: 'r', array: '0', scanId: 'fz1' })
      const end = Date.now() + 20_000
      while (!events.some(([e, p]) => e === 'scan:progress' && p.scanId === 'fz1' && p.done > 0)) {
        if (Date.now() > end) throw new Error('no progress')
        await new Promise((res) => setTimeout(res, 5))
      }
      expect(await service.handle('scan:cancel', { scanId: 'fz1' })).toEqual({ cancelled: true })
      expect((await rejection(running)).code).toBe('cancelled')
      expect(copies()).toEqual(before)
      // two sessions share one copy; it stays until the second closes
      const open = (): Promise<{ session: string; path: string }> =>
        service.handle('session:open', { path: big, layout: null, mode: 'r', array: '0', scanId: 'fz2' })
      const s1 = await open()
      const s2 = await open()
      expect(copies().length).toBe(before.length + 1)
      expect(s1.path).toBe(s2.path)
      await service.handle('session:close', { session: s1.session })
      expect(fs.existsSync(s2.path)).toBe(true)
      await service.handle('session:close', { session: s2.session })
      expect(fs.existsSync(s2.path)).toBe(false)
      expect(copies()).toEqual(before)
    } finally {
      service.closeAll()
    }
  }, 60_000)
})
