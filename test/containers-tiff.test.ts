// TIFF against tifffile (issue 31): files tifffile writes — every dtype in both byte orders, BigTIFF, shaped and
// generic multi-page series, pages with gaps between them, strips moved apart by hand, tiled and stripped pages
// compressed with deflate, LZW and packbits under predictors 2 and 3 (edge tiles, RGB interleaved and planar),
// an OME-TIFF 5-D stack, a SubIFD pyramid, GeoTIFF tags — listed with tifffile's series shapes and dtypes, their
// values (`show --json`) and statistics equal to tifffile.imread's, and Copy as code's call run in Python gives
// the same array. A sparse BigTIFF larger than 4 GiB maps in place. Hostile files get one clear message.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tiffStats } from '../src/main/service/tiff-fill'
import { FORMAT_DESCRIPTORS } from '../src/shared/containers'
import { runCli } from './helpers/cli'
import { JS_PY, ls, show, stats } from './helpers/formats'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const d = tmp.dir

interface Case {
  file: string
  series: number
  level: number
  shape: number[]
  dtype: string
  kind: string
  axes: string
  values: unknown
  stats: { min: number; max: number; mean: number }
  /** In the file's byte order. */
  /** tifffile.memmap maps it (the series is one run in the file). */
  mappable: boolean
}

let cases: Case[]

beforeAll(() => {
  cases = py<Case[]>(`
import tifffile, os
${JS_PY}
d = ${JSON.stringify(d)}
rng = np.random.default_rng(31)
def rnd(dtype, shape):
    dt = np.dtype(dtype)
    if dt.kind in 'ui':
        info = np.iinfo(dt)
        return rng.integers(info.min, info.max, shape, dtype=dt.newbyteorder('='), endpoint=True).astype(dt)
    if dt.kind == 'c':
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dt)
    return (rng.standard_normal(shape) * 100).astype(dt)
# every dtype, one shaped series each, both byte orders; the big-endian one BigTIFF too
for order in '<>':
    for big in (False, True):
        with tifffile.TiffWriter(f'{d}/dtypes{"-be" if order == ">" else ""}{"-big" if big else ""}.tif', byteorder=order, bigtiff=big) as w:
            for t in ('u1', 'i1', 'u2', 'i2', 'u4', 'i4', 'u8', 'i8', 'f2', 'f4', 'f8', 'c8', 'c16'):
                w.write(rnd(order + t, (3, 5)))
# shaped multi-page series, contiguous: memmap maps it
tifffile.imwrite(f'{d}/stack.tif', rnd('<u2', (4, 3, 16, 20)))
# a shaped series truncated to one IFD (tifffile's truncate=True)
tifffile.imwrite(f'{d}/truncated.tif', rnd('<i4', (6, 7, 9)), truncate=True)
# generic series: pages written one by one with their IFDs between them (equally spaced, not one run)
with tifffile.TiffWriter(f'{d}/gaps.tif') as w:
    for k in range(5):
        w.write(rnd('<i2', (9, 11)), contiguous=False, metadata=None)
# strips moved apart by hand: uncompressed but not in row order
a = rnd('<u2', (20, 30))
tifffile.imwrite(f'{d}/moved.tif', a, rowsperstrip=6, metadata=None)
with tifffile.TiffFile(f'{d}/moved.tif') as t:
    p = t.pages[0]
    offs, counts = list(p.dataoffsets), list(p.databytecounts)
    at = p.tags['StripOffsets'].valueoffset
raw = bytearray(open(f'{d}/moved.tif', 'rb').read())
first = bytes(raw[offs[0]:offs[0] + counts[0]])
offs[0] = len(raw)
raw += first
raw[at:at + 4 * len(offs)] = np.array(offs, '<u4').tobytes()
open(f'{d}/moved.tif', 'wb').write(raw)
# compressed: tiles with edge tiles, strips of 7 rows, RGB interleaved and planar, predictors 2 and 3
for comp in ('zlib', 'lzw', 'packbits', 'zstd'):
    tifffile.imwrite(f'{d}/{comp}-u2-tiles.tif', rnd('<u2', (40, 50)), tile=(16, 16), compression=comp, predictor=2)
    tifffile.imwrite(f'{d}/{comp}-i1-strips.tif', rnd('i1', (3, 23, 31)), rowsperstrip=7, compression=comp, predictor=2)
    tifffile.imwrite(f'{d}/{comp}-u4-be.tif', rnd('>u4', (17, 19)), rowsperstrip=5, compression=comp, predictor=2, byteorder='>')
    tifffile.imwrite(f'{d}/{comp}-u8.tif', rnd('<u8', (9, 10)), tile=(16, 16), compression=comp, predictor=2)
    tifffile.imwrite(f'{d}/{comp}-rgb.tif', rnd('u1', (23, 31, 3)), photometric='rgb', rowsperstrip=4, compression=comp, predictor=2)
    tifffile.imwrite(f'{d}/{comp}-planar.tif', rnd('<u2', (3, 23, 31)), photometric='rgb', planarconfig='separate', tile=(16, 16), compression=comp, predictor=2)
    tifffile.imwrite(f'{d}/{comp}-f4.tif', rnd('<f4', (2, 40, 50)), tile=(16, 16), compression=comp, predictor=3)
    tifffile.imwrite(f'{d}/{comp}-f8-be.tif', rnd('>f8', (21, 13)), rowsperstrip=8, compression=comp, predictor=3, byteorder='>')
    tifffile.imwrite(f'{d}/{comp}-f2.tif', rnd('<f2', (12, 17)), rowsperstrip=5, compression=comp, predictor=3)
    tifffile.imwrite(f'{d}/{comp}-rgbf.tif', rnd('<f4', (10, 12, 3)), photometric='rgb', rowsperstrip=3, compression=comp, predictor=3)
# OME-TIFF: a 5-D stack, and a compressed one with length-1 axes squeezed
tifffile.imwrite(f'{d}/stack.ome.tif', rnd('<u2', (2, 3, 4, 16, 20)), ome=True, metadata={'axes': 'TZCYX'})
tifffile.imwrite(f'{d}/zc.ome.tif', rnd('<f4', (1, 5, 1, 16, 20)), ome=True, metadata={'axes': 'TZCYX'}, compression='zlib', tile=(16, 16))
# ImageJ hyperstacks (TZCYX, RGB), and one cut to its first IFD as ImageJ writes files past 4 GiB
tifffile.imwrite(f'{d}/ij.tif', rnd('<u2', (2, 3, 4, 16, 20)), imagej=True, metadata={'axes': 'TZCYX'})
tifffile.imwrite(f'{d}/ij-rgb.tif', rnd('u1', (3, 16, 20, 3)), imagej=True, photometric='rgb', metadata={'axes': 'ZYXS'})
tifffile.imwrite(f'{d}/ij-one-ifd.tif', rnd('<f4', (5, 6, 16, 20)), imagej=True, metadata={'axes': 'TZYX'})
with tifffile.TiffFile(f'{d}/ij-one-ifd.tif') as t:
    at = t.pages[0].offset
raw = bytearray(open(f'{d}/ij-one-ifd.tif', 'rb').read())
n = int.from_bytes(raw[at:at + 2], 'little')
raw[at + 2 + 12 * n:at + 6 + 12 * n] = bytes(4)
open(f'{d}/ij-one-ifd.tif', 'wb').write(raw)
# a pyramid in SubIFDs
with tifffile.TiffWriter(f'{d}/pyramid.tif') as w:
    img = rnd('u1', (64, 80))
    w.write(img, subifds=2, tile=(16, 16), compression='zlib')
    w.write(img[::2, ::2], subfiletype=1, tile=(16, 16), compression='zlib')
    w.write(img[::4, ::4], subfiletype=1, tile=(16, 16), compression='zlib')
# GeoTIFF tags
tifffile.imwrite(f'{d}/geo.tif', rnd('<f4', (6, 8)), extratags=[
    (33550, 12, 3, (30.0, 30.0, 0.0), True),
    (33922, 12, 6, (0.0, 0.0, 0.0, 440720.0, 3751320.0, 0.0), True),
    (34735, 3, 16, (1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 32611), True),
])
out = []
for name in sorted(os.listdir(d)):
    f = f'{d}/{name}'
    with tifffile.TiffFile(f) as t:
        for i, s in enumerate(t.series):
            for level, l in enumerate(s.levels):
                a = l.asarray()
                x = a.astype(np.complex128 if a.dtype.kind == 'c' else np.float64)
                x = np.abs(x) if a.dtype.kind == 'c' else x
                try:
                    tifffile.memmap(f, series=i, level=level, mode='r')
                    mappable = True
                except ValueError:
                    mappable = False
                out.append({'file': f, 'series': i, 'level': level, 'shape': list(a.shape), 'dtype': a.dtype.newbyteorder(t.byteorder).str,
                            'kind': s.kind, 'axes': l.axes, 'values': js(a), 'mappable': mappable,
                            'stats': {'min': float(x.min()), 'max': float(x.max()), 'mean': float(x.mean())}})
print(json.dumps(out))`)
}, 120_000)

const RECIPE = { file: "'f'", dataFile: "'f'", name: "'series0'", stored: false, storedType: '', shape: '' }
const nameOf = (c: Case): string => `series${c.series}${c.level ? `.level${c.level}` : ''}`

describe('TIFF against tifffile', () => {
  it('lists every series and level with tifffile shapes and dtypes; mapped in place exactly where memmap maps', async () => {
    expect(cases.length).toBeGreaterThan(80)
    const byFile = new Map<string, Case[]>()
    for (const c of cases) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c])
    for (const [file, list] of byFile) {
      const entries = await ls(file)
      expect(
        entries.map((e) => e.name),
        file
      ).toEqual(list.map(nameOf))
      for (const c of list) {
        const e = entries.find((x) => x.name === nameOf(c))!
        expect([file, e.shape, e.dtype]).toEqual([file, c.shape, c.dtype])
        // stored in place (no codec after a comma) exactly when tifffile.memmap maps the series
        const memmap = FORMAT_DESCRIPTORS.tiff.recipe({ ...RECIPE, storedType: e.storedType }).includes('memmap')
        expect([file, nameOf(c), memmap]).toEqual([file, nameOf(c), c.mappable])
        // compressed or scattered pages read through the chunk grid; every other series is mapped where it lies
        const chunked = /(zlib|lzw|packbits|zstd|moved|zc\.ome|pyramid)/.test(file)
        expect([file, nameOf(c), e.filters !== undefined]).toEqual([file, nameOf(c), chunked])
      }
    }
  })

  it('values equal tifffile.imread for every dtype, byte order, codec, predictor and layout', async () => {
    for (const c of cases) {
      expect([c.file, nameOf(c), await show(c.file, nameOf(c))]).toEqual([c.file, nameOf(c), c.values])
    }
  }, 120_000)

  it('statistics of compressed series read every strip and tile (scans fill the chunk grid first)', async () => {
    const before = tiffStats.chunks
    for (const c of cases.filter((x) => /(zlib|lzw|packbits|zstd)-(f4|u2-tiles)/.test(x.file))) {
      const s = await stats(c.file, nameOf(c))
      expect(s.min).toBeCloseTo(c.stats.min, 3)
      expect(s.max).toBeCloseTo(c.stats.max, 3)
      expect(Number(s.mean)).toBeCloseTo(c.stats.mean, 2)
    }
    expect(tiffStats.chunks).toBeGreaterThan(before)
  })

  it('OME-TIFF and ImageJ: the 5-D stacks in their dimension order, length-1 axes squeezed as tifffile does', async () => {
    const [five] = await ls(path.join(d, 'stack.ome.tif'))
    expect(five!.shape).toEqual([2, 3, 4, 16, 20])
    const r = await runCli(['info', path.join(d, 'stack.ome.tif'), '--array', 'series0'])
    expect(r.code).toBe(0)
    const meta = (JSON.parse(r.stdout) as { metadata: Record<string, unknown> }).metadata
    expect(meta).toMatchObject({ kind: 'ome', axes: 'TZCYX', DimensionOrder: 'XYCZT', SizeT: 2, SizeZ: 3, SizeC: 4 })
    const ij = cases.filter((c) => /ij(-one-ifd)?\.tif$/.test(c.file)).map((c) => [c.kind, c.axes, c.shape])
    expect(ij).toEqual([
      ['imagej', 'TZYX', [5, 6, 16, 20]],
      ['imagej', 'TZCYX', [2, 3, 4, 16, 20]]
    ])
    const [zc] = await ls(path.join(d, 'zc.ome.tif'))
    expect(zc!.shape).toEqual([5, 16, 20])
    expect(cases.find((c) => c.file.endsWith('zc.ome.tif'))!.axes).toBe('ZYX')
  })

  it('GeoTIFF tags and the SubIFD pyramid are in the metadata and the listing', async () => {
    const r = await runCli(['info', path.join(d, 'geo.tif'), '--array', 'series0'])
    const meta = (JSON.parse(r.stdout) as { metadata: Record<string, unknown> }).metadata
    expect(meta.ModelPixelScale).toEqual([30, 30, 0])
    expect(meta.ModelTiepoint).toEqual([0, 0, 0, 440720, 3751320, 0])
    expect(meta.GeoKeyDirectory).toEqual({ GTModelTypeGeoKey: 1, GTRasterTypeGeoKey: 1, ProjectedCSTypeGeoKey: 32611 })
    const levels = await ls(path.join(d, 'pyramid.tif'))
    expect(levels.map((e) => [e.name, e.shape])).toEqual([
      ['series0', [64, 80]],
      ['series0.level1', [32, 40]],
      ['series0.level2', [16, 20]]
    ])
  })

  it("Copy as code's tifffile call gives the same array (memmap for a mapped series, imread otherwise)", () => {
    const recipe = FORMAT_DESCRIPTORS.tiff.recipe
    const picks = cases.filter((c) => /stack\.tif|zlib-f4|pyramid|gaps/.test(c.file))
    const calls = picks.map((c) =>
      recipe({
        file: JSON.stringify(c.file),
        dataFile: JSON.stringify(c.file),
        name: `'${nameOf(c)}'`,
        stored: false,
        storedType: c.mappable ? 'uint16' : 'uint16, deflate',
        shape: ''
      })
    )
    expect(calls.filter((s) => s.includes('tifffile.memmap(')).length).toBe(picks.filter((c) => c.mappable).length)
    const got = py<unknown[]>(`
${JS_PY}
out = []
${calls.map((s) => `${s.replace(/\n/g, '\n')}\nout.append(js(a))`).join('\n')}
print(json.dumps(out))`)
    expect(got).toEqual(picks.map((c) => c.values))
  })

  it('a sparse BigTIFF larger than 4 GiB maps in place: values past 4 GiB equal tifffile.memmap', async () => {
    const f = path.join(d, 'sparse', 'big.tif')
    const ref = py<{ offset: number; tail: number[]; head: number }>(`
import tifffile, os
os.makedirs(os.path.dirname(${JSON.stringify(f)}), exist_ok=True)
tifffile.imwrite(${JSON.stringify(f)}, shape=(5, 32768, 32768), dtype='uint8', bigtiff=True)
m = tifffile.memmap(${JSON.stringify(f)}, mode='r+')
m[4, -1, -3:] = [7, 8, 9]
m[0, 0, 0] = 5
m.flush()
del m
with tifffile.TiffFile(${JSON.stringify(f)}) as t:
    off = t.series[0].dataoffset
m = tifffile.memmap(${JSON.stringify(f)}, mode='r')
print(json.dumps({'offset': off, 'tail': m[4, -1, -5:].tolist(), 'head': int(m[0, 0, 0])}))`)
    expect(fs.statSync(f).size).toBeGreaterThan(2 ** 32)
    const [e] = await ls(f)
    expect(e).toMatchObject({ name: 'series0', shape: [5, 32768, 32768], dtype: '|u1', offset: ref.offset })
    expect(await show(f, 'series0', '--slice', '4, -1, -5:')).toEqual(ref.tail)
    expect(await show(f, 'series0', '--slice', '0, 0, 0')).toEqual(ref.head)
  })
})

describe('TIFF pages not decoded here', () => {
  it('LZMA, JPEG and 1-bit pages are listed with the reason and what reads them; opening says so', async () => {
    const f = (n: string): string => path.join(d, 'refused', n)
    py(`
import tifffile, os
os.makedirs(${JSON.stringify(path.join(d, 'refused'))}, exist_ok=True)
tifffile.imwrite(${JSON.stringify(f('lzma.tif'))}, np.arange(64, dtype='<u2').reshape(8, 8), compression='lzma')
tifffile.imwrite(${JSON.stringify(f('jpeg.tif'))}, np.arange(64 * 64, dtype='u1').reshape(64, 64), compression='jpeg')
tifffile.imwrite(${JSON.stringify(f('bits.tif'))}, np.eye(16, dtype=bool))
print(1)`)
    for (const [file, reason] of [
      ['lzma.tif', /LZMA-compressed, which ArrayScope does not decode/],
      ['jpeg.tif', /JPEG-compressed, which ArrayScope does not decode/],
      ['bits.tif', /1-bit \(bilevel\) samples are packed 8 to a byte/]
    ] as const) {
      const [e] = await ls(f(file))
      expect(e!.unmappable).toMatch(reason)
      expect(e!.remedy).toMatch(/tifffile\.imread/)
      const r = await runCli(['show', f(file), '--array', 'series0'])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(reason)
    }
  })
})

describe('every feature on a compressed TIFF series', () => {
  it('export as .npy equals tifffile.imread, find locates a value, diff against the export is all close', async () => {
    const c = cases.find((x) => x.file.endsWith('lzw-f4.tif'))!
    const out = path.join(d, 'exported.npy')
    const e = await runCli(['export', c.file, '--array', 'series0', '--out', out, '--as', 'npy'])
    expect(e.code, e.stderr).toBe(0)
    const ref = py<{ equal: boolean; value: string; index: number }>(`
import tifffile
a = tifffile.imread(${JSON.stringify(c.file)})
b = np.load(${JSON.stringify(out)})
v = a.reshape(-1)[3210]
print(json.dumps({'equal': bool(a.dtype == b.dtype and np.array_equal(a, b)), 'value': repr(float(v)),
                  'index': int(np.flatnonzero(a.reshape(-1) == v)[0])}))`)
    expect(ref.equal).toBe(true)
    const f = await runCli(['find', c.file, '--array', 'series0', '--value', `${ref.value} as <f4`])
    expect(f.code, f.stderr).toBe(0)
    // find prints the value's byte offset in the values (the element index × 4)
    expect(f.stdout.split('\n')[0]!.split('\t')[0]).toBe(String(ref.index * 4))
    // hex of an array read from strips: where they lie, not the copy's offset 0 as if it were the file's
    const hex = await runCli(['hex', c.file, '--array', 'series0'])
    expect(hex.code).toBe(2)
    expect(hex.stderr).toMatch(/'series0' is read from lzw-compressed strips or tiles \(the first at byte \d+\)/)
    const diff = await runCli(['diff', c.file, out, '--array', 'series0'])
    expect(diff.code, diff.stderr).toBe(0)
    expect(diff.stdout).toMatch(/All 4000 elements are close/)
  })
})
