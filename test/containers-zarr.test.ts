// Zarr directory stores (issue 29, first part). v2 stores written by zarr-python (uncompressed, gzip, zlib; edge
// chunks, a missing chunk, both dimension separators, F order, a group in a group, consolidated metadata) read
// through the CLI and the service equal zarr's own reads; v3 stores written by hand from the v3 spec (zarr-python
// 3 is not served here) equal the numpy arrays written into them. Codecs not decoded yet are named; a store's
// keys never reach outside it.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { zarrStats } from '../src/main/service/zarr-fill'
import { recipe } from '../src/shared/recipe'
import { runCli } from './helpers/cli'
import { rejection } from './helpers/errors'
import { tempDir } from './helpers/numpy'
import { zpy } from './helpers/zarr'

const tmp = tempDir()
const V2 = path.join(tmp.dir, 'v2.zarr')
const V3 = path.join(tmp.dir, 'v3.zarr')
const FILLS = path.join(tmp.dir, 'fills.zarr')
const service = new ArrayService({ watchIntervalMs: 0 })
afterAll(() => {
  service.closeAll()
  tmp.cleanup()
})

type Reads = Record<string, unknown>
const WINDOW = { generation: 0, view: { rowAxis: 0, colAxis: null, index: [0] }, row0: 0, col0: 0 }
let ref: Reads

beforeAll(() => {
  ref = zpy<Reads>(`
import gzip, os
g = zarr.open_group(${JSON.stringify(V2)}, mode='w')
g.attrs['title'] = 'v2 test store'
a = g.create_dataset('raw', shape=(7, 5), chunks=(3, 2), dtype='<f8', compressor=None, fill_value=np.nan)
a[:] = np.arange(35).reshape(7, 5) * 1.5
a.attrs['units'] = 'm'
b = g.create_dataset('gz', shape=(10,), chunks=(4,), dtype='>i4', compressor=numcodecs.GZip(5))
b[:] = np.arange(10) * -3
c = g.create_dataset('zl', shape=(5, 3), chunks=(2, 2), dtype='<c16', compressor=numcodecs.Zlib(1), dimension_separator='/')
c[:] = (np.arange(15) + 1j * np.arange(15)[::-1]).reshape(5, 3)
h = g.create_dataset('holes', shape=(8,), chunks=(2,), dtype='<f4', fill_value=-1.5, compressor=None)
h[0:2] = [1, 2]
h[6:8] = [7, 8]
s = g.create_group('grp').create_group('sub')
s.create_dataset('flags', data=np.array([1, 0, 1, 1, 0, 1], bool), chunks=(4,), compressor=numcodecs.GZip())
f = s.create_dataset('fo', shape=(4, 6), chunks=(3, 4), dtype='<f4', order='F', compressor=numcodecs.Zlib(1))
f[:] = np.arange(24).reshape(4, 6)
g.create_dataset('bl', data=np.arange(6.0), compressor=numcodecs.Blosc())
g.create_dataset('lzma', data=np.arange(3.0), compressor=numcodecs.LZMA())
g.create_dataset('scalar', shape=(), dtype='<f8', compressor=numcodecs.GZip())[...] = 3.25
g.create_dataset('zeros', shape=(1000, 1000), chunks=(100, 100), dtype='<u2', compressor=None)[5, 7] = 9
# the same store with consolidated metadata
import shutil
shutil.copytree(${JSON.stringify(V2)}, ${JSON.stringify(V2)} + '.cons')
zarr.consolidate_metadata(${JSON.stringify(V2)} + '.cons')
r = zarr.open_group(${JSON.stringify(V2)}, mode='r')
def j(x):
    x = np.asarray(x)
    if x.dtype.kind == 'c': x = np.stack([x.real, x.imag], -1)
    return [None if v != v else ('inf' if v == np.inf else '-inf' if v == -np.inf else v) for v in x.astype(float).ravel().tolist()]
out = {k: j(r[k][...]) for k in ['raw', 'gz', 'zl', 'holes', 'grp/sub/flags', 'grp/sub/fo', 'scalar', 'bl']}
# fill value spellings ("Infinity", "-Infinity", "NaN", numbers, [re, im], true): chunks 1 and 2 never written
fills = zarr.open_group(${JSON.stringify(FILLS)}, mode='w')
for name, dt, fill in [('pinf', '<f4', np.inf), ('ninf', '>f8', -np.inf), ('nan16', '<f2', np.nan), ('half', '<f2', 1.5),
                       ('cx', '<c16', 1 + 2j), ('i8', '>i8', -7), ('u2', '>u2', 65000), ('b', '|b1', True)]:
    a = fills.create_dataset(name, shape=(6,), chunks=(2,), dtype=dt, fill_value=fill, compressor=None)
    a[0:2] = np.zeros(2, dt)
    out['fills/' + name] = j(zarr.open_group(${JSON.stringify(FILLS)}, mode='r')[name][...])

# v3, written by hand from the spec: a group, a big-endian gzip array with the default keys and a missing chunk,
# an uncompressed int16 with v2 keys, complex64 with '.' default keys and a complex fill, codecs not decoded yet
root = ${JSON.stringify(V3)}
def node(folder, doc):
    os.makedirs(os.path.join(root, folder), exist_ok=True)
    json.dump(doc, open(os.path.join(root, folder, 'zarr.json'), 'w'))
def array(folder, x, chunks, dt, codecs, fill, enc, skip=()):
    node(folder, {'zarr_format': 3, 'node_type': 'array', 'shape': list(x.shape), 'data_type': dt,
        'chunk_grid': {'name': 'regular', 'configuration': {'chunk_shape': list(chunks)}},
        'chunk_key_encoding': enc, 'fill_value': fill, 'codecs': codecs, 'attributes': {'what': folder}})
    sep = enc.get('configuration', {}).get('separator', '/' if enc['name'] == 'default' else '.')
    endian = '>' if codecs[0].get('configuration', {}).get('endian') == 'big' else '<'
    for idx in np.ndindex(*[-(-n // c) for n, c in zip(x.shape, chunks)]):
        if idx in skip: continue
        block = np.full(chunks, fill if not isinstance(fill, list) else complex(*fill), x.dtype)
        part = x[tuple(slice(i * c, (i + 1) * c) for i, c in zip(idx, chunks))]
        block[tuple(slice(0, n) for n in part.shape)] = part
        data = block.astype(x.dtype.newbyteorder(endian)).tobytes()
        if len(codecs) > 1: data = gzip.compress(data)
        key = ('c' + sep if enc['name'] == 'default' else '') + sep.join(map(str, idx))
        if idx == (): key = 'c' if enc['name'] == 'default' else '0'
        os.makedirs(os.path.dirname(os.path.join(root, folder, key)), exist_ok=True)
        open(os.path.join(root, folder, key), 'wb').write(data)
    return x
node('', {'zarr_format': 3, 'node_type': 'group', 'attributes': {'title': 'v3 test store'}})
node('grp', {'zarr_format': 3, 'node_type': 'group', 'attributes': {}})
BYTES_BIG = [{'name': 'bytes', 'configuration': {'endian': 'big'}}, {'name': 'gzip', 'configuration': {'level': 5}}]
x = np.arange(35, dtype='f8').reshape(7, 5) / 4
array('a', x, (3, 2), 'float64', BYTES_BIG, 'NaN', {'name': 'default'}, skip={(1, 1)})
x[3:6, 2:4] = np.nan
out['v3/a'] = j(x)
y = np.arange(6, dtype='i2') - 3
out['v3/grp/b'] = j(array('grp/b', y, (4,), 'int16', [{'name': 'bytes', 'configuration': {'endian': 'little'}}], 0,
    {'name': 'v2', 'configuration': {'separator': '.'}}))
z = (np.arange(5) + 1j).astype('c8')
array('cx', z, (2,), 'complex64', [{'name': 'bytes', 'configuration': {'endian': 'little'}}], [1.0, -1.0],
    {'name': 'default', 'configuration': {'separator': '.'}}, skip={(1,)})
z[2:4] = 1 - 1j
out['v3/cx'] = j(z)
out['v3/s0'] = j(array('s0', np.array(-2.5, '>f4'), (), 'float32', BYTES_BIG, 0, {'name': 'default'}))
array('zs', np.arange(4.0), (2,), 'float64', [{'name': 'bytes', 'configuration': {'endian': 'little'}}, {'name': 'zstd', 'configuration': {'level': 1}}], 0, {'name': 'default'})
node('sh', {'zarr_format': 3, 'node_type': 'array', 'shape': [8], 'data_type': 'uint8', 'chunk_grid': {'name': 'regular', 'configuration': {'chunk_shape': [8]}}, 'chunk_key_encoding': {'name': 'default'}, 'fill_value': 0, 'codecs': [{'name': 'sharding_indexed', 'configuration': {}}]})
print(json.dumps(out))`)
})

/** show --json's values flattened (complex as [re, im] pairs; NaN as null), as the reference prints them. */
async function shown(store: string, name: string): Promise<unknown[]> {
  const r = await runCli(['show', store, '--array', name, '--json'])
  expect(r.stderr).toBe('')
  const v = JSON.parse(r.stdout.replace(/"nan"/g, 'null')) as unknown
  return Array.isArray(v) ? v.flat(3) : [v]
}

describe('Zarr v2 stores written by zarr-python', () => {
  it('ls lists every array of the nested groups, lzma as not read', async () => {
    const r = await runCli(['ls', V2])
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines.map((l) => l.split('\t')[0]).sort()).toEqual(
      ['bl', 'grp/sub/flags', 'grp/sub/fo', 'gz', 'holes', 'lzma', 'raw', 'scalar', 'zeros', 'zl'].sort()
    )
    expect(lines.find((l) => l.startsWith('zl\t'))).toMatch(/<c16\t\(5, 3\)/)
    expect(lines.find((l) => l.startsWith('bl\t'))).toMatch(/^bl\t<f8\t\(6,\)/)
    expect(lines.find((l) => l.startsWith('lzma\t'))).toMatch(/\(3,\).*its compressor lzma is not read by ArrayScope/)
  })

  it.each(['raw', 'gz', 'zl', 'holes', 'grp/sub/flags', 'grp/sub/fo', 'scalar', 'bl'])(
    'show --json of %s equals zarr-python',
    async (name) => {
      const want = (ref[name] as (number | null)[]).map((v) => (name.endsWith('flags') ? v === 1 : v))
      expect(await shown(V2, name)).toEqual(want)
    }
  )

  it.each(['pinf', 'ninf', 'nan16', 'half', 'cx', 'i8', 'u2', 'b'])(
    'fill value of %s (chunks never written) equals zarr-python',
    async (name) => {
      const want = (ref[`fills/${name}`] as unknown[]).map((v) => (name === 'b' ? v === 1 : v))
      expect(await shown(FILLS, name)).toEqual(want)
    }
  )

  it('stats equal numpy on zarr’s read (edge chunks of raw, fill of holes)', async () => {
    for (const name of ['raw', 'holes', 'gz']) {
      const r = await runCli(['stats', V2, '--array', name, '--json'])
      const s = JSON.parse(r.stdout) as { count: number; min: number; max: number; mean: number }
      const v = ref[name] as number[]
      expect(s).toMatchObject({ count: v.length, min: Math.min(...v), max: Math.max(...v) })
      expect(s.mean).toBeCloseTo(v.reduce((a, b) => a + b, 0) / v.length, 12)
    }
  })

  it('a chunk with no file is the fill value and is not read; zero-fill chunks stay holes', async () => {
    const before = zarrStats.reads
    const { session } = await service.handle('session:open', { path: V2, array: 'holes', layout: null, mode: 'r' })
    const w = await service.handle('window:get', { ...WINDOW, session, rows: 8, cols: 1 })
    expect([...new Float32Array(w.bytes.slice().buffer)]).toEqual([1, 2, -1.5, -1.5, -1.5, -1.5, 7, 8])
    expect(zarrStats.reads - before).toBe(2) // chunks 0 and 3 only
    const z = await service.handle('session:open', { path: V2, array: 'zeros', layout: null, mode: 'r' })
    const stats = await runCli(['stats', V2, '--array', 'zeros', '--json'])
    expect(JSON.parse(stats.stdout)).toMatchObject({ count: 1e6, max: 9, min: 0 })
    await service.handle('session:close', { session: z.session })
    await service.handle('session:close', { session })
  })

  it('opens read-only, and asks for an array when none is named', async () => {
    const e = await rejection(service.handle('session:open', { path: V2, array: 'raw', layout: null, mode: 'r+' }))
    expect(e.message).toMatch(/read-only.*Zarr store/)
    const r = await runCli(['show', V2])
    expect(r.stderr).toMatch(/is a Zarr store holding 10 arrays: choose one \(--array NAME/)
    const h = await runCli(['hex', V2, '--array', 'raw'])
    expect(h.stderr).toMatch(/'raw' is an array of a Zarr store: its stored bytes are chunk files \(raw\/…/)
  })

  it('export --as npy and diff against the exported .npy read the chunks', async () => {
    const out = path.join(tmp.dir, 'zl.npy')
    expect((await runCli(['export', V2, '--array', 'zl', '--out', out, '--as', 'npy'])).code).toBe(0)
    const back = zpy<number[]>(
      `x = np.load(${JSON.stringify(out)}); print(json.dumps(np.stack([x.real, x.imag], -1).ravel().tolist()))`
    )
    expect(back).toEqual(ref.zl)
    // diff compares real numbers: the F-ordered float32 array against its export
    const fo = path.join(tmp.dir, 'fo.npy')
    expect((await runCli(['export', V2, '--array', 'grp/sub/fo', '--out', fo, '--as', 'npy'])).code).toBe(0)
    const d = await runCli(['diff', V2, fo, '--array', 'grp/sub/fo'])
    expect(d.stdout).toMatch(/All 24 elements are close/)
    expect(d.code).toBe(0)
  })

  it('a compressor not read: a clear refusal naming it', async () => {
    const r = await runCli(['show', V2, '--array', 'lzma'])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/'lzma' cannot be opened: its compressor lzma is not read by ArrayScope/)
  })

  it('the app: dir:list tags the store, probe, container:list with groups as folders and attributes', async () => {
    const dir = await service.handle('dir:list', { path: tmp.dir })
    expect(dir.entries.find((e) => e.name === 'v2.zarr')).toMatchObject({ kind: 'dir', format: 'zarr' })
    expect((await service.handle('file:probe', { path: V2 })).container).toBe('zarr')
    const root = await service.handle('container:list', { path: V2 })
    expect(root.format).toBe('zarr')
    expect(root.folders).toEqual([{ name: 'grp', count: 2, nbytes: 6 + 96 }])
    expect(root.entries.find((e) => e.name === 'raw')?.metadata).toMatchObject({ attributes: { units: 'm' } })
    const sub = await service.handle('container:list', { path: V2, folder: ['grp', 'sub'] })
    expect(sub.entries.map((e) => e.label).sort()).toEqual(['flags', 'fo'])
  })

  it('uses consolidated .zmetadata when present (an array whose .zarray is gone still lists)', async () => {
    const cons = `${V2}.cons`
    fs.rmSync(path.join(cons, 'raw', '.zarray'))
    expect(await shown(cons, 'raw')).toEqual(ref.raw)
  })

  it('a folder without Zarr metadata is still refused', async () => {
    const r = await runCli(['ls', tmp.dir])
    expect(r.stderr).toMatch(/is a folder without Zarr metadata/)
    const s = await runCli(['show', path.join(V2, 'raw', '..', 'grp', 'sub', 'fo', '..', '..', '..', '..')])
    expect(s.stderr).toMatch(/is a folder, not a file/)
  })
})

describe('damaged stores and stores whose root is an array', () => {
  it('a corrupted chunk is an error naming its key; a chunk shape that lies is one too', async () => {
    const bad = path.join(tmp.dir, 'bad.zarr')
    fs.cpSync(V2, bad, { recursive: true })
    fs.writeFileSync(path.join(bad, 'gz', '1'), Buffer.from('not gzip at all'))
    const r = await runCli(['show', bad, '--array', 'gz'])
    expect(r.stderr).toMatch(/the chunk gz\/1 of 'gz' does not gunzip/)
    // the metadata claims chunks of (4, 2); the files hold (3, 2)
    const meta = path.join(bad, 'raw', '.zarray')
    fs.writeFileSync(meta, fs.readFileSync(meta, 'utf8').replace(/"chunks": \[\s*3,/, '"chunks": [4,'))
    const s = await runCli(['show', bad, '--array', 'raw'])
    expect(s.stderr).toMatch(/the chunk raw\/0\.0 of 'raw' decodes to 48 bytes, a chunk holds 64/)
  })

  it('arrays with malformed metadata are listed with the reason; the others still open', async () => {
    const bad = path.join(tmp.dir, 'malformed.zarr')
    fs.cpSync(V2, bad, { recursive: true })
    fs.writeFileSync(path.join(bad, 'gz', '.zarray'), '{"shape": [10], "chunks": ')
    const edit = (name: string, f: (m: Record<string, unknown>) => void): void => {
      const p = path.join(bad, name, '.zarray')
      const m = JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, unknown>
      f(m)
      fs.writeFileSync(p, JSON.stringify(m))
    }
    edit('raw', (m) => (m.chunks = [0, 2]))
    edit('holes', (m) => Object.assign(m, { shape: [2 ** 40, 2 ** 40], chunks: [1024, 1024] }))
    const ls = await runCli(['ls', bad])
    expect(ls.code).toBe(0)
    expect(ls.stdout).toMatch(/^gz\t.*gz\/\.zarray is not valid JSON/m)
    expect(ls.stdout).toMatch(/^raw\t.*its chunks \(0, 2\) do not fit its shape \(7, 5\)/m)
    expect(ls.stdout).toMatch(/^holes\t.*more than 2\^53 elements/m)
    expect(await shown(bad, 'zl')).toEqual(ref.zl)
  })

  it('a store whose root is an array: listed as /, opened without --array, Copy as code runs', async () => {
    const one = path.join(tmp.dir, 'one.zarr')
    const want = zpy<number[][]>(`
z = zarr.open(${JSON.stringify(one)}, mode='w', shape=(3, 5), chunks=(2, 2), dtype='<u2', compressor=numcodecs.Zlib())
z[:] = np.arange(15).reshape(3, 5)
print(json.dumps(z[:].tolist()))`)
    expect((await runCli(['ls', one])).stdout).toMatch(/^\/\t<u2\t\(3, 5\)/)
    expect(JSON.parse((await runCli(['show', one, '--json'])).stdout)).toEqual(want)
    const s = await service.handle('session:open', { path: one, layout: null, mode: 'r' })
    const whole = { slice: '', rowAxis: 0, colAxis: 1, index: [0, 0] }
    const code = recipe(s, whole, s.layout.shape).python
    expect(zpy(`${code}\nprint(json.dumps(np.asarray(view).tolist()))`)).toEqual(want)
    const g = await service.handle('session:open', { path: V2, layout: null, mode: 'r', array: 'grp/sub/fo' })
    const fo = recipe(g, whole, g.layout.shape).python
    expect(zpy<number[][]>(`${fo}\nprint(json.dumps(np.asarray(view).ravel().tolist()))`)).toEqual(ref['grp/sub/fo'])
    await service.handle('session:close', { session: s.session })
    await service.handle('session:close', { session: g.session })
  })
})

describe('Zarr v3 stores (written by hand from the v3 spec)', () => {
  it('values: big-endian gzip with default c/ keys and a missing chunk (NaN), v2 keys, complex fill', async () => {
    expect(await shown(V3, 'a')).toEqual(ref['v3/a'])
    expect(await shown(V3, 'grp/b')).toEqual(ref['v3/grp/b'])
    expect(await shown(V3, 'cx')).toEqual(ref['v3/cx'])
    expect(await shown(V3, 's0')).toEqual(ref['v3/s0'])
    const ls = await runCli(['ls', V3])
    expect(ls.stdout).toMatch(/^a\t>f8\t\(7, 5\)/m)
  })

  it('uses the consolidated metadata of the root zarr.json when present', async () => {
    const cons = path.join(tmp.dir, 'v3cons.zarr')
    fs.cpSync(V3, cons, { recursive: true })
    const doc = (k: string): unknown => JSON.parse(fs.readFileSync(path.join(cons, k, 'zarr.json'), 'utf8'))
    const root = doc('') as Record<string, unknown>
    const nodes = ['a', 'grp', 'grp/b', 'cx', 's0', 'zs', 'sh']
    root.consolidated_metadata = {
      kind: 'inline',
      must_understand: false,
      metadata: Object.fromEntries(nodes.map((k) => [k, doc(k)]))
    }
    fs.writeFileSync(path.join(cons, 'zarr.json'), JSON.stringify(root))
    fs.rmSync(path.join(cons, 'grp', 'b', 'zarr.json'))
    expect(await shown(cons, 'grp/b')).toEqual(ref['v3/grp/b'])
    root.consolidated_metadata = { kind: 'inline', metadata: { '/etc': doc('a') } }
    fs.writeFileSync(path.join(cons, 'zarr.json'), JSON.stringify(root))
    expect((await runCli(['ls', cons])).stderr).toMatch(/its consolidated metadata names \/etc, outside the store/)
  })

  it('a chunk its codec does not decode names its key; a malformed codec is named; group attributes', async () => {
    // zs's chunks are gzip streams under a zstd codec
    const r = await runCli(['show', V3, '--array', 'zs'])
    expect(r.stderr).toMatch(/the chunk zs\/c\/0 of 'zs' does not zstd-decompress/)
    const s = await runCli(['show', V3, '--array', 'sh'])
    expect(s.stderr).toMatch(/its sharding chunk_shape undefined \(it must divide the shard \[8\]\) is not read/)
    const meta = await service.handle('container:list', { path: V3 })
    expect(meta.entries.find((e) => e.name === 'a')?.metadata).toMatchObject({ attributes: { what: 'a' } })
  })
})

describe('a store never reads outside itself', () => {
  it('consolidated metadata naming ../ is refused', async () => {
    const bad = path.join(tmp.dir, 'escape.zarr')
    fs.mkdirSync(bad)
    fs.writeFileSync(path.join(bad, '.zgroup'), '{"zarr_format": 2}')
    const zarray = JSON.parse(fs.readFileSync(path.join(V2, 'raw', '.zarray'), 'utf8')) as unknown
    fs.writeFileSync(path.join(bad, '.zmetadata'), JSON.stringify({ metadata: { '../v2.zarr/raw/.zarray': zarray } }))
    const r = await runCli(['ls', bad])
    expect(r.stderr).toMatch(/names \.\.\/v2\.zarr\/raw\/\.zarray, outside the store/)
  })

  it('--root: a chunk file linked to a file outside the root is refused', async () => {
    const rootDir = path.join(tmp.dir, 'root')
    const store = path.join(rootDir, 's.zarr')
    fs.mkdirSync(rootDir)
    fs.cpSync(path.join(V2, 'raw'), path.join(store, 'raw'), { recursive: true })
    fs.writeFileSync(path.join(store, '.zgroup'), '{"zarr_format": 2}')
    const secret = path.join(tmp.dir, 'secret.bin')
    fs.writeFileSync(secret, Buffer.alloc(48, 0x41))
    fs.rmSync(path.join(store, 'raw', '0.0'))
    fs.symlinkSync(secret, path.join(store, 'raw', '0.0'))
    const s = new ArrayService({ watchIntervalMs: 0, root: rootDir })
    try {
      const { session } = await s.handle('session:open', { path: 's.zarr', array: 'raw', layout: null, mode: 'r' })
      const e = await rejection(
        s.handle('window:get', {
          ...WINDOW,
          session,
          view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
          rows: 2,
          cols: 2
        })
      )
      expect(e.message).toMatch(/outside the folder this server may read/)
    } finally {
      s.closeAll()
    }
  })
})
