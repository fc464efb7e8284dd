// NetCDF-3 against scipy.io.netcdf_file (CDF-1 and CDF-2 written by scipy, with record variables; CDF-5 written
// and read by netCDF4, with unsigned and 64-bit types; a file whose only record variable is not padded) and the scaled
// values against netCDF4-python's auto mask-and-scale; MATLAB level 5 against scipy.io.loadmat (savemat's
// numeric, logical, char, complex, cell and struct variables; a big-endian file and one whose double is stored as
// uint8, built by hand; char, complex and compressed variables shown — test/containers-mat-v7.test.ts has more).
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { runCli } from './helpers/cli'
import { JS_PY, ls, show, stats } from './helpers/formats'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const d = tmp.dir

type Vars = Record<string, { dtype: string; shape: number[]; values: unknown; scaled?: unknown; scaledDtype?: string }>

describe('NetCDF-3', () => {
  const files = {
    v1: path.join(d, 'classic.nc'),
    v2: path.join(d, 'offset64.nc'),
    v5: path.join(d, 'cdf5.nc'),
    one: path.join(d, 'onerecord.nc'),
    long: path.join(d, 'longheader.nc')
  }
  let r: Record<string, Vars>

  beforeAll(() => {
    r = py(`
from scipy.io import netcdf_file
import netCDF4
${JS_PY}
f = ${JSON.stringify(files)}
rng = np.random.default_rng(4)
for key, version in (('v1', 1), ('v2', 2)):
    nc = netcdf_file(f[key], 'w', version=version)
    nc.history = 'made by a test'
    nc.createDimension('time', None)
    nc.createDimension('lat', 3)
    nc.createDimension('lon', 5)
    t = nc.createVariable('temp', 'i2', ('time', 'lat', 'lon'))
    t[:] = rng.integers(-3000, 3000, (6, 3, 5))
    t.scale_factor = np.float32(0.01)
    t.add_offset = np.float32(273.15)
    t._FillValue = np.int16(-3000)
    t.units = 'K'
    t[1, 1, 1] = -3000
    p = nc.createVariable('pressure', 'f8', ('time',))
    p[:] = rng.standard_normal(6)
    b = nc.createVariable('flag', 'b', ('time', 'lon'))
    b[:] = rng.integers(-100, 100, (6, 5))
    lat = nc.createVariable('lat', 'f4', ('lat',))
    lat[:] = [-10, 0, 10]
    g = nc.createVariable('grid', 'i4', ('lat', 'lon'))
    g[:] = np.arange(15).reshape(3, 5)
    g.scale_factor = 0.5
    nc.close()
with netCDF4.Dataset(f['v5'], 'w', format='NETCDF3_64BIT_DATA') as nc:
    nc.createDimension('n', 4)
    nc.createDimension('rec', None)
    for name, dt in (('u8', 'u1'), ('u16', 'u2'), ('u32', 'u4'), ('i64', 'i8'), ('u64', 'u8')):
        v = nc.createVariable(name, dt, ('n',))
        v[:] = np.array([0, 1, 2, 3], dtype=dt) * (2 ** (8 * np.dtype(dt).itemsize - 2) // 3)
    r5 = nc.createVariable('r', 'f4', ('rec', 'n'))
    r5[:] = rng.standard_normal((3, 4))
nc = netcdf_file(f['long'], 'w', version=1)
nc.createDimension('k', 2)
nc.comment = 'x' * 300000   # a header past the first 64 KB read
v = nc.createVariable('after', 'f4', ('k',))
v[:] = [1.5, -2.5]
c = nc.createVariable('label', 'c', ('k',))   # NC_CHAR: scipy gives numpy bytes (S1)
c[:] = np.array([b'a', b'\\xe9'])
nc.close()
nc = netcdf_file(f['one'], 'w', version=1)
nc.createDimension('t', None)
nc.createDimension('k', 3)
v = nc.createVariable('odd', 'i2', ('t', 'k'))
v[:] = np.arange(15).reshape(5, 3)
nc.close()
out = {}
for key, fn in f.items():
    vs = {}
    if key == 'v5':
        # scipy reads no CDF-5: netCDF4 (native byte order; the file is big-endian)
        with netCDF4.Dataset(fn) as nc:
            for name, v in nc.variables.items():
                v.set_auto_maskandscale(False)
                a = v[:]
                vs[name] = {'dtype': a.dtype.newbyteorder('>').str, 'shape': list(a.shape), 'values': js(a)}
    else:
      with netcdf_file(fn, 'r', mmap=False, maskandscale=False) as nc:
        for name, v in nc.variables.items():
            vs[name] = {'dtype': v.data.dtype.str, 'shape': list(v.data.shape), 'values': js(v.data)}
    with netCDF4.Dataset(fn) as nc:
        for name, v in nc.variables.items():
            if 'scale_factor' in v.ncattrs():
                x = v[:]
                vs[name]['scaled'] = js(np.ma.filled(x, np.nan))
                vs[name]['scaledDtype'] = x.dtype.str
    out[key] = vs
print(json.dumps(out))`)
  })

  it.each(['v1', 'v2', 'v5', 'one', 'long'] as const)(
    '%s: ls names, shapes and big-endian dtypes; show --json equals scipy',
    async (key) => {
      const entries = await ls(files[key])
      expect(entries.map((e) => e.name).sort()).toEqual(Object.keys(r[key]!).sort())
      for (const e of entries) {
        const want = r[key]![e.name]!
        expect(e.shape, e.name).toEqual(want.shape)
        expect(e.values === 'scaled' ? e.storedDtype : e.dtype, e.name).toBe(want.dtype)
        expect(await show(files[key], e.name), e.name).toEqual(want.values)
      }
    }
  )

  it('record variables are strided views (stride = the record size) of the data in place', async () => {
    const entries = await ls(files.v1)
    const temp = entries.find((e) => e.name === 'temp')!
    // a record: temp (3×5 int16 = 30, padded to 32) + pressure (8) + flag (5, padded to 8)
    expect(temp.strides).toEqual([48, 10, 2])
    expect(entries.find((e) => e.name === 'pressure')!.strides).toEqual([48])
    // one record variable alone is not padded: 3 int16 = 6 bytes a record
    expect((await ls(files.one))[0]!.strides).toEqual([6, 2])
    expect(await show(files.v1, 'temp', '--slice', '::-2, 1, 3:')).toEqual(
      (r.v1!.temp!.values as number[][][])
        .filter((_, k) => k % 2 === 1)
        .reverse()
        .map((t) => t[1]!.slice(3))
    )
    // statistics walk the records
    const s = await stats(files.v1, 'pressure')
    const p = r.v1!.pressure!.values as number[]
    expect(s.mean as number).toBeCloseTo(p.reduce((a, b) => a + b, 0) / p.length, 12)
  })

  it('scale_factor / add_offset / _FillValue: values as stored, scaled with --scaled as netCDF4 computes them', async () => {
    for (const key of ['v1', 'v2'] as const) {
      const [temp, grid] = [r[key]!.temp!, r[key]!.grid!]
      const entries = await ls(files[key])
      const e = entries.find((x) => x.name === 'temp')!
      expect(e).toMatchObject({ values: 'stored', scaledDtype: temp.scaledDtype })
      expect(await show(files[key], 'temp', '--scaled')).toEqual(temp.scaled)
      expect(entries.find((x) => x.name === 'grid')!.scaledDtype).toBe(grid.scaledDtype)
      expect(await show(files[key], 'grid', '--scaled')).toEqual(grid.scaled)
      // the fill value is NaN in the scaled statistics
      expect((await stats(files[key], 'temp', '--scaled')).nan).toBe(1)
    }
  })

  it("global attributes and dimensions are the metadata; variable attributes the array's", async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const list = await s.handle('container:list', { path: files.v1 })
      expect(list).toMatchObject({ format: 'netcdf3', total: 5 })
      expect(list.metadata).toMatchObject({
        version: 'CDF-1 (classic)',
        dimensions: { time: 'unlimited (6 records)', lat: 3, lon: 5 },
        attributes: { history: 'made by a test' }
      })
      const info = await s.handle('session:open', { path: files.v1, layout: null, mode: 'r', array: 'temp' })
      expect(info.array!.metadata).toMatchObject({ units: 'K', dimensions: ['time', 'lat', 'lon'], _FillValue: -3000 })
    } finally {
      s.closeAll()
    }
  })
})

describe('MATLAB level 5 MAT-files', () => {
  const files = {
    le: path.join(d, 'saved.mat'),
    be: path.join(d, 'big.mat'),
    small: path.join(d, 'small.mat'),
    z: path.join(d, 'zipped.mat')
  }
  let r: Record<string, Record<string, { shape: number[]; dtype: string; values: unknown }>>

  beforeAll(() => {
    r = py(`
from scipy.io import savemat, loadmat
import struct
${JS_PY}
f = ${JSON.stringify(files)}
rng = np.random.default_rng(6)
savemat(f['le'], {'a': rng.standard_normal((3, 4)), 'i16': rng.integers(-9, 9, (2, 5)).astype(np.int16),
                  'u8': rng.integers(0, 255, (2, 3, 4)).astype(np.uint8), 'single': rng.standard_normal(5).astype(np.float32),
                  'flags': np.array([[True, False, True]]), 'text': 'hello', 'z': np.array([1 + 2j, 3 - 4j]),
                  'cells': np.array([1, 'a'], dtype=object), 's': {'f': 1.0}})
savemat(f['z'], {'x': np.arange(6.0)}, do_compression=True)
def element(mtype, data, e):
    pad = (-len(data)) % 8
    return struct.pack(e + 'II', mtype, len(data)) + data + b'\\0' * pad
def matrix(name, cls, dims, mtype, data, e):
    body = element(6, struct.pack(e + 'II', cls, 0), e) + element(5, struct.pack(e + '%di' % len(dims), *dims), e)
    body += element(1, name.encode(), e) + element(mtype, data, e)
    return element(14, body, e)
def header(e):
    text = b'MATLAB 5.0 MAT-file, written by a test'.ljust(116, b' ')
    return text + b'\\0' * 8 + struct.pack(e + 'H', 0x0100) + (b'IM' if e == '<' else b'MI')
m = rng.standard_normal((2, 3))
with open(f['be'], 'wb') as fh:
    fh.write(header('>') + matrix('m', 6, (2, 3), 9, m.astype('>f8').tobytes(order='F'), '>') +
             matrix('k', 12, (1, 4), 5, np.array([1, -2, 3, -4], '>i4').tobytes(), '>'))
with open(f['small'], 'wb') as fh:
    # a double array MATLAB stored as uint8 (its values fit): loadmat returns float64
    fh.write(header('<') + matrix('d', 6, (2, 2), 2, np.array([1, 2, 250, 7], np.uint8).tobytes(), '<'))
out = {}
for k in ('le', 'be', 'small'):
    m = loadmat(f[k])
    out[k] = {n: {'shape': list(v.shape), 'dtype': v.dtype.str, 'values': js(v)} for n, v in m.items()
              if not n.startswith('__') and v.dtype.kind in 'biuf'}
print(json.dumps(out))`)
  })

  it("numeric and logical variables map in MATLAB shape (order F) with loadmat's values", async () => {
    for (const k of ['le', 'be', 'small'] as const) {
      const entries = await ls(files[k])
      for (const [name, want] of Object.entries(r[k]!)) {
        const e = entries.find((x) => x.name === name)!
        expect(e, `${k} ${name}`).toBeDefined()
        expect(e.shape, name).toEqual(want.shape)
        expect(e.order, name).toBe('F')
        expect(e.dtype, name).toBe(want.dtype)
        expect(await show(files[k], name), `${k} ${name}`).toEqual(want.values)
      }
    }
    const small = (await ls(files.small))[0]!
    // loadmat returns such a double as its stored uint8 (mat_dtype=False); --scaled gives MATLAB's double
    expect(small).toMatchObject({
      dtype: '|u1',
      scaledDtype: '<f8',
      values: 'stored',
      scaling: 'MATLAB double stored as uint8'
    })
    expect(await show(files.small, 'd', '--scaled')).toEqual([
      [1, 250],
      [2, 7]
    ])
    expect(JSON.parse((await runCli(['info', files.small, '--array', 'd', '--scaled'])).stdout)).toMatchObject({
      dtype: '<f8'
    })
  })

  it('char and complex variables show as loadmat gives them, the arrays in cells and structs too, compressed ones open', async () => {
    const entries = await ls(files.le)
    const by = (n: string): string => entries.find((e) => e.name === n)!.unmappable ?? ''
    expect(await show(files.le, 'text')).toEqual(['hello'])
    expect(await show(files.le, 'z')).toEqual([
      [
        [1, 2],
        [3, -4]
      ]
    ])
    // a cell's elements and a struct's fields are arrays of their own, named as MATLAB indexes them
    expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining(['cells{1,1}', 'cells{1,2}', 's.f']))
    expect(await show(files.le, 'cells{1,1}')).toEqual([[1]])
    expect(await show(files.le, 'cells{1,2}')).toEqual(['a'])
    expect(await show(files.le, 's.f')).toEqual([[1]])
    expect(by('cells{1,1}') + by('s.f')).toBe('')
    const [z] = await ls(files.z)
    expect(z!.name).toBe('x')
    expect(await show(files.z, 'x')).toEqual([[0, 1, 2, 3, 4, 5]])
  })
})
