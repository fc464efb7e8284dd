// FITS tile-compressed images (issue 28 item 3) against astropy: files astropy's CompImageHDU writes with every
// compression type (RICE_1, GZIP_1, GZIP_2, NOCOMPRESS, PLIO_1, HCOMPRESS_1 lossless and lossy) for int16/int32/
// int64/uint8/uint16 and BSCALE/BZERO images, odd sizes with edge tiles, 3-D images in tiles of one plane;
// quantized floats (float32/float64) under NO_DITHER and SUBTRACTIVE_DITHER_1/2 at several quantize levels, NaN
// pixels (ZBLANK), constant tiles astropy stores gzipped losslessly (GZIP_COMPRESSED_DATA), lossless float gzip;
// tables built by hand whose tiles sit in UNCOMPRESSED_DATA or GZIP_COMPRESSED_DATA; astropy's own compressed test
// files. Each array exported to .npy equals astropy's `.data` bit for bit (dtype too), HCOMPRESS_1 smoothed on
// decompression too. Damaged tiles and files get one clear message.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fitsStats } from '../src/main/service/fits-fill'
import { runCli } from './helpers/cli'
import { ls } from './helpers/formats'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const d = tmp.dir

/** Python: write(name, hdus, ref) writes a file and astropy's decoded data of each HDU beside it. */
const WRITE_PY = `
from astropy.io import fits
import gzip, os
d = ${JSON.stringify(d)}
made = {}
def write(name, hdus):
    p = f'{d}/{name}.fits'
    fits.HDUList([fits.PrimaryHDU()] + hdus).writeto(p, overwrite=True)
    with fits.open(p) as f:
        for k in range(1, len(f)):
            np.save(f'{p}.{k}.npy', f[k].data)
    made[name] = len(hdus)
rng = np.random.default_rng(28)
`

/** The HDUs of the files WRITE_PY made, each with astropy's data beside it. */
function generated(names: Record<string, number>): [string, number, string][] {
  return Object.entries(names).flatMap(([name, n]) => {
    const file = path.join(d, `${name}.fits`)
    return Array.from({ length: n }, (_, k): [string, number, string] => [file, k + 1, `${file}.${k + 1}.npy`])
  })
}

/** Exports each (file, HDU) to .npy and asks numpy whether it equals astropy's (dtype, shape, every bit). */
async function compare(items: [string, number, string][]): Promise<void> {
  const pairs: [string, string][] = []
  for (const [file, k, ref] of items) {
    const entries = await ls(file)
    expect(entries[k]?.filters, `${file} HDU ${k}`).toBeDefined()
    const out = `${ref}.out.npy`
    const r = await runCli(['export', file, '--array', String(k), '--out', out, '--as', 'npy', '--force'])
    expect(r.stderr, `${file} HDU ${k}`).toMatch(/^arrayscope: wrote \d+ bytes/)
    expect(r.code).toBe(0)
    pairs.push([ref, out])
  }
  const bad = py<string[]>(`
bad = []
for ref, out in ${JSON.stringify(pairs)}:
    a, b = np.load(ref), np.load(out)
    if a.dtype.newbyteorder('=') != b.dtype.newbyteorder('=') and a.dtype != b.dtype:
        bad.append(f'{out}: dtype {b.dtype}, astropy {a.dtype}')
    elif a.shape != b.shape:
        bad.append(f'{out}: shape {b.shape}, astropy {a.shape}')
    else:
        a, b = a.astype(a.dtype.newbyteorder('<')), b.astype(a.dtype.newbyteorder('<'))
        if a.tobytes() != b.tobytes():
            w = np.flatnonzero(a.view(np.uint8) != b.view(np.uint8))[0] // a.itemsize
            bad.append(f'{out}: {(a != b).sum()} values differ, first at {w}: {b.flat[w]!r} (astropy {a.flat[w]!r})')
print(json.dumps(bad))
`)
  expect(bad).toEqual([])
}

let ints: Record<string, number>
let floats: Record<string, number>
let facts: { gzipped: number; zblank: number; dithers: string[] }

beforeAll(() => {
  ints = py<Record<string, number>>(`${WRITE_PY}
def rnd(dt, shape, lo=None, hi=None):
    info = np.iinfo(dt)
    lo = info.min if lo is None else lo
    hi = info.max if hi is None else min(hi, info.max)
    return rng.integers(lo, hi, shape, dtype=dt, endpoint=True)
for c in ('RICE_1', 'GZIP_1', 'GZIP_2', 'NOCOMPRESS', 'PLIO_1'):
    hdus = []
    for dt in ('int16', 'int32', 'uint8', 'int64'):
        if c in ('RICE_1', 'PLIO_1') and dt == 'int64':
            continue
        # (astropy's PLIO writer overruns its buffer on noisy values past 12 bits)
        hi = 4095 if c == 'PLIO_1' else None
        lo = 0 if c == 'PLIO_1' else None
        # odd sizes: edge tiles on both axes; smooth and noisy data (Rice's low- and high-entropy blocks)
        a = rnd(dt, (37, 53), lo, hi)
        a[:8] = a[0, 0]
        a[8:12] = (np.arange(53) % 7 + (lo or 0)).astype(dt)
        hdus.append(fits.CompImageHDU(a, compression_type=c, tile_shape=(16, 16)))
    # 3-D in tiles of one plane, and the default tiles (one row each)
    hdus.append(fits.CompImageHDU(rnd('int16', (3, 19, 23), 0, 300), compression_type=c, tile_shape=(1, 19, 23)))
    hdus.append(fits.CompImageHDU(rnd('int32', (5, 7, 9), 0, 1000), compression_type=c))
    write(f'int-{c}', hdus)
# HCOMPRESS_1: lossless and lossy (scale), odd sizes, 3-D planes
h = [fits.CompImageHDU(rnd(dt, (37, 53)), compression_type='HCOMPRESS_1', tile_shape=(16, 16)) for dt in ('int16', 'int32', 'uint8')]
h.append(fits.CompImageHDU(rnd('int16', (37, 53), -900, 900), compression_type='HCOMPRESS_1', hcomp_scale=2.5, tile_shape=(16, 16)))
h.append(fits.CompImageHDU(rnd('int32', (3, 19, 23), 0, 300), compression_type='HCOMPRESS_1', tile_shape=(1, 19, 23)))
# smoothed on decompression (ZVAL SMOOTH = 1): smooth images, where smoothing changes values, at several scales
y, x = np.mgrid[0:37, 0:53]
smooth = (500 + 100 * np.sin(x / 5) + 50 * np.cos(y / 7) + rng.normal(0, 5, (37, 53)))
for dt, sc, t in (('int16', 4, (16, 16)), ('int16', 2.5, (37, 53)), ('int32', 10, (8, 53))):
    h.append(fits.CompImageHDU((smooth - (1000 if dt == 'int32' else 0)).astype(dt), compression_type='HCOMPRESS_1', hcomp_scale=sc, hcomp_smooth=1, tile_shape=t))
write('int-HCOMPRESS_1', h)
# unsigned 16-bit (BZERO = 32768), BSCALE/BZERO and BLANK as astropy scales them
u = rnd('uint16', (21, 34))
write('uint16', [fits.CompImageHDU(u, compression_type=c, tile_shape=(8, 8)) for c in ('RICE_1', 'GZIP_2')])
s = fits.CompImageHDU(rnd('int16', (21, 34)), compression_type='RICE_1', tile_shape=(8, 8))
s.header['BSCALE'] = 0.25
s.header['BZERO'] = -7.5
s.header['BLANK'] = -32768
raw = rnd('int16', (21, 34))
raw[3, 4] = -32768
s.data = raw
write('scaled', [s])
# tables built by hand: even tiles Rice-coded (BLOCKSIZE 16), odd ones in UNCOMPRESSED_DATA or gzipped raw in
# GZIP_COMPRESSED_DATA (the columns a compressor falls back to); a float image all in UNCOMPRESSED_DATA (PE)
from astropy.io.fits.hdu.compressed._codecs import Rice1
def by_hand(name, a, tile, col, fmt, conv, bytepix):
    main, alt = [], []
    for y in range(0, a.shape[0], tile[0]):
        for x in range(0, a.shape[1], tile[1]):
            t = a[y:y + tile[0], x:x + tile[1]]
            rice = a.dtype.kind == 'i' and len(main) % 2 == 0
            main.append(np.frombuffer(Rice1(blocksize=16, bytepix=bytepix, tilesize=t.size).encode(t), 'u1') if rice else np.zeros(0, 'u1'))
            alt.append(conv(t)[:0] if rice else conv(t))
    h = fits.BinTableHDU.from_columns([fits.Column('COMPRESSED_DATA', format='PB()', array=main), fits.Column(col, format=fmt, array=alt)])
    zb = {'int16': 16, 'int32': 32, 'float32': -32}[a.dtype.name]
    cards = [('ZIMAGE', True), ('ZBITPIX', zb), ('ZNAXIS', 2), ('ZNAXIS1', a.shape[1]), ('ZNAXIS2', a.shape[0]), ('ZTILE1', tile[1]), ('ZTILE2', tile[0]), ('ZCMPTYPE', 'RICE_1'), ('ZNAME1', 'BLOCKSIZE'), ('ZVAL1', 16), ('ZNAME2', 'BYTEPIX'), ('ZVAL2', bytepix)]
    for k, v in cards:
        h.header[k] = v
    write(name, [h])
by_hand('raw-i2', rnd('int16', (23, 29)), (8, 8), 'UNCOMPRESSED_DATA', 'PI()', lambda t: t.astype('>i2').ravel(), 2)
by_hand('raw-i4', rnd('int32', (23, 29)), (8, 8), 'UNCOMPRESSED_DATA', 'PJ()', lambda t: t.astype('>i4').ravel(), 4)
by_hand('gz-i2', rnd('int16', (23, 29)), (8, 8), 'GZIP_COMPRESSED_DATA', 'PB()', lambda t: np.frombuffer(gzip.compress(t.astype('>i2').tobytes()), 'u1'), 2)
by_hand('raw-f4', rng.standard_normal((23, 29)).astype('float32'), (8, 8), 'UNCOMPRESSED_DATA', 'PE()', lambda t: t.astype('>f4').ravel(), 4)
print(json.dumps(made))
`)
  ;({ made: floats, facts } = py<{ made: Record<string, number>; facts: typeof facts }>(`${WRITE_PY}
def noisy(dt, shape):
    a = (rng.standard_normal(shape) * 40 + 1000).astype(dt)
    a[0, :5] = 0.0
    a[2, 3] = np.nan
    return a
for dt in ('float32', 'float64'):
    hdus = []
    for c in ('RICE_1', 'GZIP_1', 'GZIP_2'):
        for q in ('NO_DITHER', 'SUBTRACTIVE_DITHER_1', 'SUBTRACTIVE_DITHER_2'):
            for level in (16, 4):
                a = noisy(dt, (37, 53))
                # a constant tile does not quantize: astropy gzips its floats (GZIP_COMPRESSED_DATA)
                a[16:32, 16:32] = 3.25
                hdus.append(fits.CompImageHDU(a, compression_type=c, quantize_method={'NO_DITHER': -1, 'SUBTRACTIVE_DITHER_1': 1, 'SUBTRACTIVE_DITHER_2': 2}[q], quantize_level=level, dither_seed=1 + len(hdus) * 977 % 10000, tile_shape=(16, 16)))
    for q in (1, 2):
        hdus.append(fits.CompImageHDU(noisy(dt, (37, 53)), compression_type='HCOMPRESS_1', quantize_method=q, hcomp_scale=1.5 * q, hcomp_smooth=q - 1, tile_shape=(16, 16)))
    # a negative level is the quantization step itself; tiles of one row; 3-D in planes
    hdus.append(fits.CompImageHDU(noisy(dt, (19, 31)), compression_type='RICE_1', quantize_level=-0.01, quantize_method=1, dither_seed=9999))
    hdus.append(fits.CompImageHDU(noisy(dt, (3, 20, 30)).reshape(3, 20, 30), compression_type='RICE_1', quantize_method=2, tile_shape=(1, 20, 30), dither_seed=8000))
    # lossless gzip (no ZSCALE column)
    for c in ('GZIP_1', 'GZIP_2'):
        hdus.append(fits.CompImageHDU(noisy(dt, (37, 53)), compression_type=c, quantize_level=0.0, tile_shape=(16, 16)))
    write(f'float-{dt}', hdus)
# what the files hold: tiles astropy gave up quantizing (gzipped floats), HDUs whose NaNs are ZBLANK
facts = {'gzipped': 0, 'zblank': 0, 'dithers': []}
for n in made:
    with fits.open(f'{d}/{n}.fits', disable_image_compression=True) as f:
        for h in f[1:]:
            if 'GZIP_COMPRESSED_DATA' in h.columns.names:
                facts['gzipped'] += int(sum(len(x) > 0 for x in h.data['GZIP_COMPRESSED_DATA']))
            facts['zblank'] += int('ZBLANK' in h.columns.names or 'ZBLANK' in h.header)
            facts['dithers'].append(h.header.get('ZQUANTIZ', 'none'))
print(json.dumps({'made': made, 'facts': facts}))
`))
})

describe('FITS tile-compressed images equal astropy', () => {
  it('integers: every compression type, dtype, edge tiles, 3-D planes, BSCALE/BZERO/BLANK', async () => {
    await compare(generated(ints))
    // tiles are decoded where something reads: the first row of tiles (4 of 12) for rows 0:16
    const before = fitsStats.tiles
    const r = await runCli(['stats', path.join(d, 'int-RICE_1.fits'), '--array', '1', '--slice', '0:16'])
    expect(r.code).toBe(0)
    expect(fitsStats.tiles - before).toBe(4)
    // a .fits.fz name is FITS too; hex points at the first tile's bytes instead of showing decoded ones
    const fz = path.join(d, 'x.fits.fz')
    fs.copyFileSync(path.join(d, 'int-RICE_1.fits'), fz)
    expect((await ls(fz))[1]).toMatchObject({ dtype: '>i2', shape: [37, 53], chunks: [16, 16], filters: ['RICE_1'] })
    const hex = await runCli(['hex', fz, '--array', '1'])
    expect(hex.code).toBe(2)
    expect(hex.stderr).toMatch(
      /RICE_1-compressed tiles in the HDU's heap \(the first at byte \d+\): hex the file with --offset/
    )
  })

  it('quantized floats: NO_DITHER and SUBTRACTIVE_DITHER_1/2, levels, NaNs, gzipped constant tiles; lossless gzip', async () => {
    expect(facts.gzipped).toBeGreaterThan(10)
    expect(facts.zblank).toBeGreaterThan(10)
    expect(new Set(facts.dithers)).toEqual(new Set(['NO_DITHER', 'SUBTRACTIVE_DITHER_1', 'SUBTRACTIVE_DITHER_2']))
    await compare(generated(floats))
  })
})

it("astropy's own compressed test files (RICE_1, GZIP_1, PLIO_1, HCOMPRESS_1; NaNs; BZERO) equal its data", async () => {
  const shipped = py<{ items: [string, number, string][]; types: string[] }>(`
import astropy, glob, os
from astropy.io import fits
root = os.path.dirname(astropy.__file__)
items, types = [], []
for p in sorted(glob.glob(root + '/io/fits/**/tests/data/**/*.fits', recursive=True)):
    with fits.open(p, disable_image_compression=True) as raw, fits.open(p) as f:
        for k, h in enumerate(raw):
            if h.header.get('ZIMAGE'):
                ref = f'${d}/shipped-{os.path.basename(p)}.{k}.npy'
                np.save(ref, f[k].data)
                items.append((p, k, ref))
                types.append(h.header['ZCMPTYPE'])
print(json.dumps({'items': items, 'types': sorted(set(types))}))
`)
  expect(shipped.items.length).toBeGreaterThanOrEqual(9)
  expect(shipped.types).toEqual(['GZIP_1', 'HCOMPRESS_1', 'PLIO_1', 'RICE_1'])
  await compare(shipped.items)
})

describe('damaged compressed images', () => {
  // a RICE_1 and a GZIP_1 image of 3 × 4 tiles; tile 11 (the last) overwritten or cut short, or sent past the heap
  let files: Record<string, string>
  beforeAll(() => {
    files = py<Record<string, string>>(`${WRITE_PY}
a = rng.integers(-3000, 3000, (37, 53)).astype('int16')
np.save(f'{d}/damaged-ref.npy', a)
out = {}
for c in ('RICE_1', 'GZIP_1'):
    write(f'ok-{c}', [fits.CompImageHDU(a, compression_type=c, tile_shape=(16, 16))])
    with fits.open(f'{d}/ok-{c}.fits', disable_image_compression=True) as f:
        h = f[1]
        table, width = h._data_offset, h.header['NAXIS1']
        heap = table + h.header.get('THEAP', width * h.header['NAXIS2'])
    raw = bytearray(open(f'{d}/ok-{c}.fits', 'rb').read())
    count, off = np.frombuffer(bytes(raw[table + 11 * width:table + 11 * width + 8]), '>i4')
    bad = bytearray(raw)
    if c == 'GZIP_1':
        bad[heap + off + 4:heap + off + count] = b'\\xff' * (count - 4)
    else:
        # Rice has no check: garbage of the right length decodes; a tile cut to 6 bytes runs out of bits
        bad[table + 11 * width:table + 11 * width + 4] = np.array([6], '>i4').tobytes()
    out[f'tile-{c}'] = f'{d}/tile-{c}.fits'
    open(out[f'tile-{c}'], 'wb').write(bad)
    far = bytearray(raw)
    far[table + 11 * width + 4:table + 11 * width + 8] = np.array([10**6], '>i4').tobytes()
    out[f'far-{c}'] = f'{d}/far-{c}.fits'
    open(out[f'far-{c}'], 'wb').write(far)
    out[f'cut-{c}'] = f'{d}/cut-{c}.fits'
    open(out[f'cut-{c}'], 'wb').write(raw[:heap + off])
print(json.dumps(out))
`)
  })

  it('a corrupt tile is named when read; the tiles before it still read', async () => {
    for (const [c, why] of [
      ['RICE_1', /does not decode \(/],
      ['GZIP_1', /does not gunzip \(/]
    ] as const) {
      const file = files[`tile-${c}`]!
      expect((await ls(file))[1]!.filters).toEqual([c])
      const r = await runCli(['show', file, '--array', '1'])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(new RegExp(`tile 11 of '1' \\(${c}, at byte \\d+, \\d+ bytes\\)`))
      expect(r.stderr).toMatch(why)
      expect(r.stderr).toMatch(/damaged/)
      const out = `${file}.top.npy`
      const e = await runCli(['export', file, '--array', '1', '--slice', '0:32', '--out', out, '--as', 'npy'])
      expect(e.code).toBe(0)
      expect(py(`print(json.dumps(bool((np.load('${out}') == np.load('${d}/damaged-ref.npy')[:32]).all())))`)).toBe(
        true
      )
    }
  })

  it('a tile past the heap is listed with the reason and refused when opened; a file cut in its heap is refused', async () => {
    for (const c of ['RICE_1', 'GZIP_1']) {
      // listed with the reason (the file's other HDUs open), refused when opened
      const why = /HDU 1: tile 11 claims \d+ bytes at heap offset 1000000, past the heap's end/
      expect((await ls(files[`far-${c}`]!))[1]!.unmappable).toMatch(why)
      const far = await runCli(['show', files[`far-${c}`]!, '--array', '1'])
      expect(far.code).toBe(2)
      expect(far.stderr).toMatch(why)
      const cut = await runCli(['show', files[`cut-${c}`]!, '--array', '1'])
      expect(cut.code).toBe(2)
      expect(cut.stderr).toMatch(/HDU 1 needs bytes .* past the end of the file .*: it is truncated/)
    }
  })
})
