// HDF5 against h5py: files written with libver 'earliest' (superblock 0, version 1 object headers, symbol-table
// groups) and 'latest' (superblock 3, version 2 headers, compact and dense link storage, dense attributes), each
// with contiguous, compact, chunked + gzip + shuffle, compound (with padding), complex, bool, big-endian, array-
// typed, scalar, nested, unallocated and string datasets, soft and external links. `ls` names, shapes and dtypes
// equal h5py's; the mapped offset equals dset.id.get_offset(); `show --json` equals dset[()] (chunked ones read
// through h5wasm). Also: a MATLAB v7.3 file (HDF5 after a 512-byte user block), a NetCDF-4 file written by
// netCDF4 (names without the slash, scale_factor as a toggle), and windows of a chunked dataset reading only the
// chunks they show.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import type { Progress } from '../src/shared/contract'
import { runCli } from './helpers/cli'
import { rejection } from './helpers/errors'
import { JS_PY, ls, show, stats } from './helpers/formats'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const d = tmp.dir

interface Ref {
  [file: string]: {
    datasets: Record<
      string,
      { dtype: string | unknown[]; shape: number[]; offset: number | null; values: unknown; chunks: number[] | null }
    >
    stats: { mean: number; std: number; min: number; max: number; smean: number }
  }
}

let ref: Ref

beforeAll(() => {
  ref = py<Ref>(`
import h5py
${JS_PY}
d = ${JSON.stringify(d)}
rng = np.random.default_rng(5)
def compact(f, name, arr):
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    ds = h5py.h5d.create(f.id, name.encode(), h5py.h5t.py_create(arr.dtype), h5py.h5s.create_simple(arr.shape), dcpl=dcpl)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, arr)
padded = np.dtype({'names': ['x', 'y', 'z'], 'formats': ['<i2', '<f8', ('<i4', (2,))], 'offsets': [0, 4, 16], 'itemsize': 28})
out = {}
for lib in ('earliest', 'latest'):
    fn = f'{d}/{lib}.h5'
    with h5py.File(fn, 'w', libver=lib) as f:
        f.attrs['title'] = 'a test file'
        f.attrs['version'] = np.int32(3)
        f['a'] = rng.standard_normal((30, 40)).astype('<f4')
        f['be'] = np.arange(-5, 5, dtype='>i8')
        f['be_f8'] = rng.standard_normal(7).astype('>f8')
        compact(f, 'compact', np.arange(-4, 4, dtype='<i2'))
        g = f.create_group('g1/g2')
        g['deep'] = np.linspace(0, 1, 12).reshape(3, 4)
        g['deep'].attrs['units'] = 'm'
        g['deep'].attrs['scale'] = np.float32(0.5)
        rec = np.zeros(5, padded)
        rec['x'] = np.arange(5); rec['y'] = rng.standard_normal(5); rec['z'] = np.arange(10).reshape(5, 2)
        f['records'] = rec
        f['cx'] = (rng.standard_normal(6) + 1j * rng.standard_normal(6)).astype('<c8')
        f['cx16'] = (rng.standard_normal(3) + 1j * rng.standard_normal(3)).astype('>c16')
        f['flags'] = np.array([True, False, True])
        f['scalar'] = np.float64(2.5)
        f.create_dataset('vec3', shape=(4,), dtype=np.dtype(('<f4', (3,))))[...] = np.arange(12, dtype='<f4').reshape(4, 3)
        f.create_dataset('chunked', data=rng.standard_normal((300, 200)).astype('<f4'), chunks=(64, 48), compression='gzip', shuffle=True)
        f.create_dataset('chunked_be', data=rng.integers(-1000, 1000, (50, 7)).astype('>i4'), chunks=(16, 7), compression='gzip')
        f.create_dataset('empty', shape=(3,), dtype='f4')
        f['s'] = np.bytes_('abc')
        f['soft'] = h5py.SoftLink('/a')
        f['dangling'] = h5py.SoftLink('/nothing')
        f['ext'] = h5py.ExternalLink('other.h5', '/x')
        for k in range(12):
            f[f'many/d{k:02d}'] = np.full(3, k, dtype='u1')
            f['many'].attrs[f'a{k}'] = k
    datasets = {}
    with h5py.File(fn, 'r') as f:
        def visit(name, o):
            if isinstance(o, h5py.Dataset):
                dt = o.dtype
                datasets['/' + name] = {
                    'dtype': dt.descr if dt.names else (dt.base.str if dt.subdtype else dt.str),
                    'shape': list(o.shape) + (list(dt.shape) if dt.subdtype else []),
                    'offset': o.id.get_offset(),
                    'chunks': list(o.chunks) if o.chunks else None,
                    'values': js(o[()]) if o.id.get_storage_size() else None,
                }
        f.visititems(visit)
        a = f['chunked'][()]
        st = {'mean': float(a.astype(np.float64).mean()), 'std': float(a.astype(np.float64).std()),
              'min': float(a.min()), 'max': float(a.max()), 'smean': float(a[::-3, 10:77].astype(np.float64).mean())}
    out[lib] = {'datasets': datasets, 'stats': st}
print(json.dumps(out))`)
})

describe.each(['earliest', 'latest'])('HDF5 written by h5py (libver=%s)', (lib) => {
  const file = (): string => path.join(d, `${lib}.h5`)

  it('ls: the names, shapes and dtypes h5py gives, offsets equal get_offset()', async () => {
    const r = ref[lib]!.datasets
    const entries = await ls(file())
    const byName = new Map(entries.map((e) => [e.name, e]))
    for (const [name, want] of Object.entries(r)) {
      const e = byName.get(name)
      expect(e, name).toBeDefined()
      expect(e!.shape, name).toEqual(want.shape)
      if (name === '/empty') {
        expect(e!.unmappable).toMatch(/no data was written/)
        continue
      }
      expect(typeof want.dtype === 'string' ? e!.dtype : JSON.parse(e!.dtype), name).toEqual(want.dtype)
      if (want.chunks) {
        expect(e!.chunks, name).toEqual(want.chunks)
        expect(e!.filters!.length, name).toBeGreaterThan(0)
      } else if (name !== '/compact') {
        expect(e!.offset, name).toBe(want.offset)
      }
    }
    // soft links open their target; a dangling one and an external link are listed with what they point to
    expect(byName.get('/soft')).toMatchObject({ dtype: '<f4', shape: [30, 40], offset: r['/a']!.offset })
    expect(byName.get('/dangling')!.unmappable).toMatch(/soft link to \/nothing/)
    expect(byName.get('/ext')!.unmappable).toMatch(/external link to other\.h5:\/x/)
    expect(byName.get('/ext')!.remedy).toMatch(/open other\.h5 with --array \/x/)
    // every dataset of the file is listed (and nothing else than the three links)
    expect(
      entries
        .filter((e) => e.storedType !== 'link' && e.name !== '/soft')
        .map((e) => e.name)
        .sort()
    ).toEqual(Object.keys(r).sort())
  })

  it('show --json equals h5py for every dataset (contiguous, compact, chunked)', async () => {
    for (const [name, want] of Object.entries(ref[lib]!.datasets)) {
      if (want.values === null) continue
      expect(await show(file(), name), name).toEqual(want.values)
    }
    // names without the leading slash are accepted too; a slice of a chunked dataset crosses chunk edges
    expect(await show(file(), 'chunked', '--slice', '60:70, 40:50')).toEqual(
      (ref[lib]!.datasets['/chunked']!.values as number[][]).slice(60, 70).map((row) => row.slice(40, 50))
    )
  })

  it('the compact dataset lies inside its object header, where the offset says', async () => {
    const e = (await ls(file())).find((x) => x.name === '/compact')!
    const bytes = fs.readFileSync(file()).subarray(e.offset, e.offset + e.nbytes)
    expect(Array.from(new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)))).toEqual([
      -4, -3, -2, -1, 0, 1, 2, 3
    ])
  })

  it('group and dataset attributes are the metadata', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const list = await s.handle('container:list', { path: file() })
      expect(list.format).toBe('hdf5')
      const groups = list.metadata.groups as Record<string, Record<string, unknown>>
      expect(groups['/']).toEqual({ title: 'a test file', version: 3 })
      expect(Object.keys(groups['/many']!).sort()).toEqual(Array.from({ length: 12 }, (_, k) => `a${k}`).sort())
      const info = await s.handle('session:open', { path: file(), layout: null, mode: 'r', array: '/g1/g2/deep' })
      expect(info.array!.metadata).toEqual({ units: 'm', scale: 0.5 })
      // the tree: groups are folders
      const root = await s.handle('container:list', { path: file(), folder: [] })
      expect(root.folders.map((f) => f.name)).toEqual(expect.arrayContaining(['g1', 'many']))
      const g2 = await s.handle('container:list', { path: file(), folder: ['g1', 'g2'] })
      expect(g2.entries.map((e) => e.name)).toEqual(['/g1/g2/deep'])
    } finally {
      s.closeAll()
    }
  })

  it('statistics of a chunked dataset equal numpy, whole and sliced', async () => {
    const r = ref[lib]!.stats
    const s = await stats(file(), '/chunked')
    expect(s.min).toBe(r.min)
    expect(s.max).toBe(r.max)
    expect(s.mean as number).toBeCloseTo(r.mean, 12)
    expect(s.std as number).toBeCloseTo(r.std, 12)
    const sliced = await stats(file(), '/chunked', '--slice', '::-3, 10:77')
    expect(sliced.mean as number).toBeCloseTo(r.smean, 12)
  })

  it('info on a chunked dataset names the file, not the temporary copy that is gone when the command ends', async () => {
    const info = JSON.parse((await runCli(['info', file(), '--array', '/chunked'])).stdout) as Record<string, unknown>
    expect(info).toMatchObject({ path: file(), fileSize: fs.statSync(file()).size, decompressed: true })
    expect(info).toMatchObject({ shape: [300, 200], chunks: [64, 48], filters: ['shuffle', 'gzip'] })
    expect(info).not.toHaveProperty('offset')
  })
})

describe('editing HDF5 datasets', () => {
  it('contiguous data is edited in place (h5py reads the edit); chunked data and v2 compact data refuse r+', async () => {
    const f = path.join(d, 'edit.h5')
    fs.copyFileSync(path.join(d, 'latest.h5'), f)
    expect((await runCli(['set', f, '--array', '/be', '--index', '2', '--value', '42'])).code).toBe(0)
    expect(py(`import h5py; print(json.dumps(int(h5py.File(${JSON.stringify(f)})['be'][2])))`)).toBe(42)
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const e1 = await rejection(s.handle('session:open', { path: f, layout: null, mode: 'r+', array: '/chunked' }))
      expect(e1.message).toMatch(/opens read-only \(mode r\).*chunks into a temporary copy/)
      const e2 = await rejection(s.handle('session:open', { path: f, layout: null, mode: 'r+', array: '/compact' }))
      expect(e2.message).toMatch(/inside its object header, whose checksum would no longer match/)
      // mode c works for the compact one (a private copy)
      const c = await s.handle('session:open', { path: f, layout: null, mode: 'c', array: '/compact' })
      expect(c.layout.shape).toEqual([8])
    } finally {
      s.closeAll()
    }
  })
})

describe('a chunked dataset (gzip + shuffle: decoded natively since issue 27)', () => {
  const big = path.join(d, 'big-chunked.h5')
  beforeAll(() => {
    py(`
import h5py
with h5py.File(${JSON.stringify(big)}, 'w') as f:
    f.create_dataset('x', data=np.arange(1000 * 1000, dtype='<f4').reshape(1000, 1000), chunks=(100, 100), compression='gzip', shuffle=True)
print(1)`)
  })

  it('a table window reads only the chunks it shows', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: big, layout: null, mode: 'r', array: '/x' })
      expect(info.array).toMatchObject({ decompressed: true, chunks: [100, 100], filters: ['shuffle', 'gzip'] })
      const w = await s.handle('window:get', {
        session: info.session,
        generation: 1,
        view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
        row0: 450,
        col0: 180,
        rows: 30,
        cols: 40
      })
      const values = new Float32Array(w.bytes.buffer, w.bytes.byteOffset, w.rows * w.cols)
      expect(values[0]).toBe(450 * 1000 + 180)
      expect(values[29 * 40 + 39]).toBe(479 * 1000 + 219)
      // rows 450..479 and columns 180..219 lie in 2 of the 100 chunks: only those were read; the copy is sparse
      // (the 100 rows of those chunks, 4000 bytes apart, touch about 100 of its pages)
      const chunked = s.session(info.session).source.chunkGrid!
      expect(chunked.chunksRead).toBe(2)
      const copy = fs.statSync(chunked.file)
      expect(copy.size).toBe(4_000_000)
      expect(copy.blocks * 512).toBeLessThanOrEqual(110 * 4096)
    } finally {
      s.closeAll()
    }
  })

  it('an image tile reads the chunks under it', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: big, layout: null, mode: 'r', array: '/x' })
      // level 0 tile (1, 1): rows and columns 256..511, one element a pixel
      const t = await s.handle('scan:tile', { session: info.session, level: 0, ty: 1, tx: 1 })
      const px = new Float32Array(t.pixels.buffer.slice(t.pixels.byteOffset, t.pixels.byteOffset + t.pixels.byteLength))
      expect([t.rows, t.cols]).toEqual([256, 256])
      expect(px[0]).toBe(256 * 1000 + 256)
      expect(px[4 * (255 * 256 + 255)]).toBe(511 * 1000 + 511)
      // rows 256..511 and columns 256..511 lie in chunks 2..5 of each axis: 16 of the 100
      expect(s.session(info.session).source.chunkGrid!.chunksRead).toBe(16)
    } finally {
      s.closeAll()
    }
  })

  it('statistics report progress while chunks are read, and cancel stops them', async () => {
    const events: Progress[] = []
    const s = new ArrayService({
      watchIntervalMs: 0,
      emit: (e, p) => e === 'scan:progress' && events.push(p as Progress)
    })
    try {
      const info = await s.handle('session:open', { path: big, layout: null, mode: 'r', array: '/x' })
      const pending = s.handle('scan:stats', { session: info.session, scanId: 'c1' })
      await s.handle('scan:cancel', { scanId: 'c1' })
      expect((await rejection(pending)).code).toBe('cancelled')
      const r = await s.handle('scan:stats', { session: info.session, scanId: 's1' })
      expect(r.mean).toBe(499999.5)
      expect(events.filter((p) => p.scanId === 's1').length).toBeGreaterThan(1)
      const last = events.filter((p) => p.scanId === 's1').at(-1)!
      expect(last.done).toBe(last.total)
      // a temporary copy is removed when its session closes
      const file = s.session(info.session).source.chunkGrid!.file
      expect(fs.existsSync(file)).toBe(true)
      await s.handle('session:close', { session: info.session })
      expect(fs.existsSync(file)).toBe(false)
    } finally {
      s.closeAll()
    }
  })
})

describe('diff of a chunked dataset', () => {
  it("compares its values (read into its copy first) with numpy's", async () => {
    const npy = path.join(d, 'chunked-changed.npy')
    py(`
import h5py
a = h5py.File(${JSON.stringify(path.join(d, 'latest.h5'))}, 'r')['chunked'][()]
a[7, 9] += 1; a[150, 100] = np.nan; a[299, 199] *= 2
np.save(${JSON.stringify(npy)}, a)
print(1)`)
    const r = await runCli(['diff', path.join(d, 'latest.h5'), npy, '--array', '/chunked', '--json'])
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout) as { total: number; mismatched: number; nanMismatched: number }
    expect(report).toMatchObject({ total: 60000, mismatched: 3, nanMismatched: 1 })
  })
})

describe('a damaged chunk', () => {
  it("says so in one line (exit 2), without the library's error dump", async () => {
    const f = path.join(d, 'damaged.h5')
    py(`
import h5py, shutil
shutil.copy(${JSON.stringify(path.join(d, 'latest.h5'))}, ${JSON.stringify(f)})
with h5py.File(${JSON.stringify(f)}, 'r') as h:
    ds = h['chunked']
    at = [ds.id.get_chunk_info(i).byte_offset for i in range(ds.id.get_num_chunks())]
with open(${JSON.stringify(f)}, 'r+b') as fh:
    for o in at:
        fh.seek(o + 10); fh.write(bytes(40))
print(1)`)
    const r = await runCli(['show', f, '--array', '/chunked', '--slice', '0, :3'])
    expect(r.code).toBe(2)
    // gzip chunks are decoded natively (hdf5-native-fill.ts): the message names the damaged chunk
    expect(r.stderr).toMatch(
      /^arrayscope: \/chunked: the chunk at offsets \(0, 0\) \(file byte \d+, \d+ bytes\): its deflate stream does not inflate \(.*\)\. Re-create the file, or copy what is readable with h5py\n$/
    )
    // the same file's contiguous datasets still read
    expect((await runCli(['show', f, '--array', '/be', '--json'])).code).toBe(0)
  })
})

describe('MATLAB v7.3 (HDF5 behind a 512-byte user block)', () => {
  const mat = path.join(d, 'v73.mat')
  let r: { x: unknown; offset: number; i: unknown }
  beforeAll(() => {
    r = py(`
import h5py
${JS_PY}
x = np.arange(12, dtype='<f8').reshape(4, 3)  # MATLAB's 3x4 matrix, stored with its dims reversed
with h5py.File(${JSON.stringify(mat)}, 'w', userblock_size=512) as f:
    f['x'] = x
    f['x'].attrs['MATLAB_class'] = np.bytes_('double')
    f['i'] = np.arange(6, dtype='<i4').reshape(2, 3)
    f['i'].attrs['MATLAB_class'] = np.bytes_('int32')
with open(${JSON.stringify(mat)}, 'r+b') as fh:
    head = b'MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 .'
    fh.write(head.ljust(124, b' ') + b'\\x00\\x02IM')
with h5py.File(${JSON.stringify(mat)}, 'r') as f:
    print(json.dumps({'x': js(f['x'][()].T), 'i': js(f['i'][()].T), 'offset': f['x'].id.get_offset()}))`)
  })

  it('variables by name, in MATLAB shape (order F), values as loadmat gives them', async () => {
    const entries = await ls(mat)
    expect(entries.map((e) => e.name).sort()).toEqual(['i', 'x'])
    const x = entries.find((e) => e.name === 'x')!
    expect(x).toMatchObject({ shape: [3, 4], order: 'F', dtype: '<f8', offset: r.offset })
    expect(x.aliases).toEqual(['/x'])
    expect(await show(mat, 'x')).toEqual(r.x)
    expect(await show(mat, 'i')).toEqual(r.i)
    const info = await runCli(['info', mat, '--array', 'x'])
    expect(JSON.parse(info.stdout)).toMatchObject({ format: 'mat73', shape: [3, 4], order: 'F' })
  })
})

describe('NetCDF-4 (HDF5) written by netCDF4', () => {
  const nc = path.join(d, 'nc4.nc')
  let r: { stored: unknown; scaled: unknown; plain: unknown; chunked: unknown; rec: unknown; dtype: string }
  beforeAll(() => {
    r = py(`
import netCDF4
${JS_PY}
with netCDF4.Dataset(${JSON.stringify(nc)}, 'w', format='NETCDF4') as ds:
    ds.createDimension('t', None)
    ds.createDimension('y', 4)
    ds.createDimension('x', 5)
    v = ds.createVariable('temp', 'i2', ('y', 'x'), fill_value=-999)
    v.scale_factor = np.float32(0.25)
    v.add_offset = np.float32(10)
    v.set_auto_maskandscale(False)
    raw = np.arange(20, dtype='i2').reshape(4, 5)
    raw[1, 2] = -999
    v[:] = raw
    p = ds.createVariable('plain', 'f8', ('x',))
    p[:] = np.linspace(0, 1, 5)
    z = ds.createVariable('packed', 'f4', ('y', 'x'), zlib=True)
    z[:] = np.arange(20, dtype='f4').reshape(4, 5) / 3
    t = ds.createVariable('series', 'i4', ('t',))
    t[:] = np.arange(7)
    ds.title = 'netcdf4 test'
with netCDF4.Dataset(${JSON.stringify(nc)}) as ds:
    v = ds['temp']
    v.set_auto_maskandscale(False)
    stored = v[:]
    v.set_auto_maskandscale(True)
    scaled = np.ma.filled(v[:].astype(v[:].dtype), np.nan)
    print(json.dumps({'stored': js(stored), 'scaled': js(scaled), 'dtype': scaled.dtype.str,
                      'plain': js(ds['plain'][:]), 'chunked': js(ds['packed'][:]), 'rec': js(ds['series'][:])}))`)
  })

  it('variables by name; values scaled as netCDF4-python shows them, the stored numbers a toggle away', async () => {
    const entries = await ls(nc)
    expect(entries.map((e) => e.name).sort()).toEqual(['packed', 'plain', 'series', 'temp'])
    const temp = entries.find((e) => e.name === 'temp')!
    expect(temp).toMatchObject({ dtype: r.dtype, storedDtype: '<i2', values: 'scaled', scaledDtype: r.dtype })
    expect(temp.scaling).toMatch(/scale_factor = 0.25, add_offset = 10, _FillValue = -999/)
    expect(await show(nc, 'temp')).toEqual(r.scaled)
    expect(await show(nc, 'temp', '--stored')).toEqual(r.stored)
    expect(await show(nc, 'plain')).toEqual(r.plain)
    expect(await show(nc, 'packed')).toEqual(r.chunked)
    expect(await show(nc, 'series')).toEqual(r.rec)
    const info = await runCli(['info', nc, '--array', '/temp'])
    expect(JSON.parse(info.stdout)).toMatchObject({ format: 'netcdf4', dtype: r.dtype, values: 'scaled' })
  })

  it('a plain HDF5 dataset with the same attributes stays stored, as h5py reads it', async () => {
    const h5 = path.join(d, 'cf-attrs.h5')
    const stored = py(`
import h5py
${JS_PY}
with h5py.File(${JSON.stringify(h5)}, 'w') as f:
    v = f.create_dataset('temp', data=np.arange(6, dtype='i2').reshape(2, 3))
    v.attrs['scale_factor'] = np.float32(0.25)
with h5py.File(${JSON.stringify(h5)}) as f:
    print(json.dumps(js(f['temp'][()])))`)
    expect((await ls(h5)).find((e) => e.name === '/temp')).toMatchObject({ values: 'stored' })
    expect(await show(h5, '/temp')).toEqual(stored)
  })
})
