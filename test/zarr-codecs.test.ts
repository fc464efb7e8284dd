// Zarr codecs (issue 29): stores written by TensorStore (v2: blosc with every cname and shuffle mode, zstd, zlib,
// bz2, F order; zarr3: sharding_indexed with the index at the end and at the start, inner chunks and whole shards
// never written, transpose, big-endian bytes, gzip, zstd with its checksum, blosc, crc32c) and by zarr-python
// (v2 filters delta, fixedscaleoffset, astype; lz4) read through the CLI equal the writers' own reads; damaged
// chunks and checksums are errors naming the chunk's key.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { runBin, runCli } from './helpers/cli'
import { tempDir } from './helpers/numpy'
import { tspy, zpy } from './helpers/zarr'

const tmp = tempDir()
const TS = path.join(tmp.dir, 'ts.zarr')
const TS2 = path.join(tmp.dir, 'ts2.zarr')
const BIN = path.join(__dirname, '..', 'bin', 'arrayscope.js')
const ZP = path.join(tmp.dir, 'zp.zarr')
const service = new ArrayService({ watchIntervalMs: 0 })
afterAll(() => {
  service.closeAll()
  tmp.cleanup()
})

type Reads = Record<string, (number | null)[]>
let ref: Reads = {}

const J = `
def j(x):
    x = np.asarray(x)
    return [None if v != v else v for v in x.astype(float).ravel().tolist()]
`

beforeAll(() => {
  const written = tspy<Reads>(`
import os
root3 = ${JSON.stringify(TS)}
root2 = ${JSON.stringify(TS2)}
os.makedirs(os.path.join(root3, 'v3'))
os.makedirs(os.path.join(root2, 'v2'))
for d in [root3, os.path.join(root3, 'v3')]:
    json.dump({'zarr_format': 3, 'node_type': 'group', 'attributes': {}}, open(os.path.join(d, 'zarr.json'), 'w'))
for d in [root2, os.path.join(root2, 'v2')]:
    json.dump({'zarr_format': 2}, open(os.path.join(d, '.zgroup'), 'w'))
rng = np.random.default_rng(29)
out = {}
${J}
def kv(name): return {'driver': 'file', 'path': os.path.join(root2 if name.startswith('v2/') else root3, name)}
def v2(name, x, chunks, compressor, order='C'):
    t = ts.open({'driver': 'zarr', 'kvstore': kv(name), 'create': True,
                 'metadata': {'shape': list(x.shape), 'chunks': list(chunks), 'dtype': x.dtype.str,
                              'compressor': compressor, 'order': order, 'fill_value': None}}).result()
    t[...] = x
    out[name] = j(t.read().result())
x = (np.arange(13 * 7).reshape(13, 7) * 3 - 50).astype('<i4')
for cname in ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd']:
    for sh in [0, 1, 2]:
        v2(f'v2/blosc-{cname}-{sh}', x, (5, 3), {'id': 'blosc', 'cname': cname, 'clevel': 5, 'shuffle': sh, 'blocksize': 0})
f = rng.standard_normal((9, 11)).astype('>f8')
v2('v2/zstd', f, (4, 4), {'id': 'zstd', 'level': 3})
v2('v2/zlib', f, (4, 4), {'id': 'zlib', 'level': 3})
v2('v2/bz2', f, (4, 4), {'id': 'bz2', 'level': 9})
v2('v2/blosc-F', f, (4, 5), {'id': 'blosc', 'cname': 'lz4', 'clevel': 5, 'shuffle': 2, 'blocksize': 0}, order='F')
def v3(name, x, chunks, codecs, fill, region=None):
    t = ts.open({'driver': 'zarr3', 'kvstore': kv(name), 'create': True,
                 'metadata': {'shape': list(x.shape), 'data_type': str(x.dtype), 'fill_value': fill,
                              'chunk_grid': {'name': 'regular', 'configuration': {'chunk_shape': list(chunks)}},
                              'codecs': codecs}}).result()
    if region is None: t[...] = x
    else:
        for r in region: t[r] = x[r]
    out[name] = j(t.read().result())
g = rng.standard_normal((20, 17)).astype('float32')
def shard(inner, codecs, loc):
    return [{'name': 'sharding_indexed', 'configuration': {'chunk_shape': inner, 'codecs': codecs,
             'index_codecs': [{'name': 'bytes', 'configuration': {'endian': 'little'}}, {'name': 'crc32c'}], 'index_location': loc}}]
# most inner chunks never written, shard (1, 0) never written at all; edge shards partial (17 = 9 + 8)
parts = [np.s_[0:4, 0:5], np.s_[12:20, 6:17]]
LE = {'name': 'bytes', 'configuration': {'endian': 'little'}}
BL = {'name': 'blosc', 'configuration': {'cname': 'zstd', 'clevel': 5, 'shuffle': 'bitshuffle', 'typesize': 4, 'blocksize': 0}}
v3('v3/shard-end', g, (10, 9), shard([5, 3], [LE, BL], 'end'), 7.5, parts)
v3('v3/shard-start', g, (10, 9), shard([5, 3], [{'name': 'transpose', 'configuration': {'order': [1, 0]}},
   {'name': 'bytes', 'configuration': {'endian': 'big'}}, {'name': 'zstd', 'configuration': {'level': 3, 'checksum': True}}], 'start'), -1, parts)
v3('v3/shard-full', g, (10, 9), shard([5, 3], [LE, {'name': 'gzip', 'configuration': {'level': 5}}], 'end'), 0)
i = (np.arange(4 * 6 * 5).reshape(4, 6, 5) - 60).astype('int16')
v3('v3/transpose-gzip-crc', i, (3, 4, 2), [{'name': 'transpose', 'configuration': {'order': [2, 0, 1]}},
   {'name': 'bytes', 'configuration': {'endian': 'big'}}, {'name': 'gzip', 'configuration': {'level': 1}}, {'name': 'crc32c'}], 0)
v3('v3/blosc-shuffle', i, (3, 4, 5), [LE, {'name': 'blosc', 'configuration': {'cname': 'lz4', 'clevel': 5, 'shuffle': 'shuffle', 'typesize': 2, 'blocksize': 0}}], 0)
print(json.dumps(out))`)
  const filtered = zpy<Reads>(`
${J}
g = zarr.open_group(${JSON.stringify(ZP)}, mode='w')
out = {}
x = (np.arange(40, dtype='<i4') ** 2 - 300).reshape(8, 5)
g.create_dataset('delta', data=x, chunks=(3, 2), filters=[numcodecs.Delta(dtype='<i4')], compressor=numcodecs.Blosc('lz4', 5, 1))
g.create_dataset('delta-i8-F', data=(x.astype('>i8') * 2**40), chunks=(3, 4), order='F', filters=[numcodecs.Delta(dtype='>i8')], compressor=numcodecs.Zstd(1))
t = np.linspace(-20, 45, 60).reshape(6, 10)
g.create_dataset('fso', data=t, chunks=(4, 4), filters=[numcodecs.FixedScaleOffset(offset=10, scale=100, dtype='<f8', astype='<u2')], compressor=numcodecs.Zlib(1))
g.create_dataset('astype', data=t, chunks=(5, 5), filters=[numcodecs.AsType(encode_dtype='<f4', decode_dtype='<f8')], compressor=numcodecs.LZ4())
g.create_dataset('two-filters', data=t.astype('<f4'), chunks=(4, 3), dtype='<f4', filters=[numcodecs.AsType(encode_dtype='<f8', decode_dtype='<f4'), numcodecs.FixedScaleOffset(offset=0, scale=10, dtype='<f8', astype='<i2')], compressor=numcodecs.BZ2(5))
g.create_dataset('quantize', data=t, chunks=(5, 5), filters=[numcodecs.Quantize(digits=2, dtype='<f8')], compressor=None)
r = zarr.open_group(${JSON.stringify(ZP)}, mode='r')
for k in ['delta', 'delta-i8-F', 'fso', 'astype', 'two-filters']:
    out[k] = j(r[k][...])
out['delta-i8-F'] = [str(v) for v in r['delta-i8-F'][...].ravel().tolist()]
print(json.dumps(out))`)
  ref = { ...written, ...Object.fromEntries(Object.entries(filtered).map(([k, v]) => [`zp/${k}`, v])) }
})

/** show --json's values flattened (NaN as null). */
async function shown(store: string, name: string): Promise<unknown[]> {
  const r = await runCli(['show', store, '--array', name, '--json'])
  expect(r.stderr).toBe('')
  const v = JSON.parse(r.stdout.replace(/"nan"/g, 'null')) as unknown
  return Array.isArray(v) ? v.flat(3) : [v]
}

const BLOSC = ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd'].flatMap((c) => [0, 1, 2].map((s) => `v2/blosc-${c}-${s}`))

describe('TensorStore stores', () => {
  it.each([...BLOSC, 'v2/zstd', 'v2/zlib', 'v2/bz2', 'v2/blosc-F'])('v2 %s equals TensorStore', async (name) => {
    expect(await shown(TS2, name)).toEqual(ref[name])
  })

  it.each(['v3/shard-end', 'v3/shard-start', 'v3/shard-full', 'v3/transpose-gzip-crc', 'v3/blosc-shuffle'])(
    'zarr3 %s equals TensorStore',
    async (name) => {
      expect(await shown(TS, name)).toEqual(ref[name])
    }
  )

  it('statistics of a sharded array (fill value in missing inner chunks and shards) equal numpy on TensorStore’s read', async () => {
    const r = await runCli(['stats', TS, '--array', 'v3/shard-end', '--json'])
    const s = JSON.parse(r.stdout) as { count: number; min: number; max: number; mean: number }
    const v = ref['v3/shard-end'] as number[]
    expect(s).toMatchObject({ count: v.length, min: Math.min(...v), max: Math.max(...v) })
    expect(s.mean).toBeCloseTo(v.reduce((a, b) => a + b, 0) / v.length, 5)
  })

  it('a window of the app reads the sharded array (asynchronous path) with TensorStore’s values', async () => {
    const { session } = await service.handle('session:open', {
      path: TS,
      array: 'v3/shard-start',
      layout: null,
      mode: 'r'
    })
    const w = await service.handle('window:get', {
      generation: 0,
      view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
      row0: 0,
      col0: 0,
      rows: 20,
      cols: 17,
      session
    })
    // the inner chunks' bytes codec stores big-endian: the copy keeps the stored byte order
    expect(w.dtype).toBe('>f4')
    const dv = new DataView(w.bytes.buffer, w.bytes.byteOffset, w.bytes.byteLength)
    const values = Array.from({ length: 20 * 17 }, (_, k) => dv.getFloat32(4 * k, false))
    expect(values).toEqual(ref['v3/shard-start'])
    await service.handle('session:close', { session })
  })
})

describe('the built command', () => {
  it('show (blosc decoded on a codec worker, the command blocking on it) prints and exits', () => {
    // the synchronous caller's port to the worker kept the process alive after its output (a hang, fixed)
    const started = Date.now()
    const r = spawnSync(process.execPath, [BIN, 'show', TS, '--array', 'v3/shard-end', '--slice', '0, 0:3'], {
      encoding: 'utf8',
      timeout: 20_000
    })
    expect(r.signal).toBeNull()
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^\[/)
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(runBin(['stats', TS2, '--array', 'v2/bz2', '--json']).code).toBe(0)
  })
})

describe('a native codec library that cannot be loaded', () => {
  it('fails only the arrays that need it, saying what to do; other commands run', () => {
    // a preload makes zstd-napi unloadable, as a broken or missing native build would (it used to fail every command)
    const hook = path.join(tmp.dir, 'no-zstd.cjs')
    fs.writeFileSync(
      hook,
      `const M = require('module'); const r = M._resolveFilename;
M._resolveFilename = function (req, ...a) { if (req.startsWith('zstd-napi')) throw new Error('no zstd here'); return r.call(this, req, ...a) }`
    )
    const run = (args: string[]): ReturnType<typeof spawnSync> =>
      spawnSync(process.execPath, ['-r', hook, BIN, ...args], { encoding: 'utf8', timeout: 20_000 })
    const ok = run(['show', TS2, '--array', 'v2/zlib', '--slice', '0, 0:2'])
    expect(ok.stderr).toBe('')
    expect(ok.status).toBe(0)
    const bad = run(['show', TS2, '--array', 'v2/zstd'])
    expect(bad.status).toBe(2)
    expect(String(bad.stderr)).toMatch(
      /the codec library zstd-napi\/binding cannot be loaded \(no zstd here\): reinstall/
    )
    // the same from a codec worker (statistics decode off the main thread)
    const scan = run(['stats', TS2, '--array', 'v2/zstd'])
    expect(scan.status).toBe(2)
    expect(String(scan.stderr)).toMatch(/the codec library zstd-napi\/binding cannot be loaded/)
  })
})

describe('zarr-python filters', () => {
  it.each(['delta', 'fso', 'astype', 'two-filters'])('%s equals zarr-python', async (name) => {
    expect(await shown(ZP, name)).toEqual(ref[`zp/${name}`])
  })

  it('delta on int64 in F order (values beyond 2^53) equals zarr-python', async () => {
    const r = await runCli(['show', ZP, '--array', 'delta-i8-F', '--json'])
    const v = (JSON.parse(r.stdout) as (number | string)[][]).flat().map(String)
    expect(v).toEqual(ref['zp/delta-i8-F'])
  })

  it('a filter that is not a value transform ArrayScope reads is refused with its name', async () => {
    const r = await runCli(['show', ZP, '--array', 'quantize'])
    expect(r.stderr).toMatch(
      /'quantize' cannot be opened: its filter quantize \(delta, fixedscaleoffset and astype are undone/
    )
  })
})

describe('damage', () => {
  it('a corrupted blosc chunk is an error naming its key', async () => {
    const bad = path.join(tmp.dir, 'bad.zarr')
    fs.cpSync(TS2, bad, { recursive: true })
    const chunk = path.join(bad, 'v2', 'blosc-lz4-1', '1.1')
    const b = fs.readFileSync(chunk)
    b.fill(0xff, 0, 16)
    fs.writeFileSync(chunk, b)
    const r = await runCli(['show', bad, '--array', 'v2/blosc-lz4-1'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/the chunk v2\/blosc-lz4-1\/1\.1 of 'v2\/blosc-lz4-1' is not a blosc frame/)
    // a chunk cut short: its zstd frame does not decode
    const z = path.join(bad, 'v2', 'zstd', '0.1')
    fs.writeFileSync(z, fs.readFileSync(z).subarray(0, 20))
    const s = await runCli(['stats', bad, '--array', 'v2/zstd'])
    expect(s.stderr).toMatch(/the chunk v2\/zstd\/0\.1 of 'v2\/zstd' does not zstd-decompress/)
  })

  it('a crc32c mismatch is an error naming the chunk (a chunk’s checksum, a shard index’s checksum)', async () => {
    const bad = path.join(tmp.dir, 'crc.zarr')
    fs.cpSync(TS, bad, { recursive: true })
    const chunk = path.join(bad, 'v3', 'transpose-gzip-crc', 'c', '1', '0', '2')
    const b = fs.readFileSync(chunk)
    b.writeUInt8(b.readUInt8(b.length - 1) ^ 0x01, b.length - 1)
    fs.writeFileSync(chunk, b)
    const r = await runCli(['show', bad, '--array', 'v3/transpose-gzip-crc'])
    expect(r.stderr).toMatch(/the chunk v3\/transpose-gzip-crc\/c\/1\/0\/2 of '[^']+' its crc32c checksum fails/)
    const shard = path.join(bad, 'v3', 'shard-end', 'c', '0', '0')
    const s = fs.readFileSync(shard)
    s.writeUInt8(s.readUInt8(s.length - 10) ^ 0x40, s.length - 10) // inside the index, at the end
    fs.writeFileSync(shard, s)
    const e = await runCli(['stats', bad, '--array', 'v3/shard-end'])
    expect(e.stderr).toMatch(/the chunk v3\/shard-end\/c\/0\/0 of '[^']+' its shard index: its crc32c checksum fails/)
  })

  it('seeded mutants of shard and blosc chunk files: values or a clear error (exit 0 or 2), never a crash', async () => {
    let x = 29
    const rand = (n: number): number => (x = (x * 1103515245 + 12345) >>> 0) % n
    const codes = new Set<number>()
    for (const [store, name, key] of [
      [TS, 'v3/shard-end', 'c/1/1'],
      [TS, 'v3/shard-start', 'c/0/0'],
      [TS2, 'v2/blosc-zstd-2', '1.1']
    ] as const) {
      for (let k = 0; k < 12; k++) {
        const bad = path.join(tmp.dir, `mut-${k}.zarr`)
        fs.rmSync(bad, { recursive: true, force: true })
        fs.cpSync(store, bad, { recursive: true })
        const file = path.join(bad, name, key)
        const b = fs.readFileSync(file)
        for (let m = 0; m < 1 + rand(4); m++) b.writeUInt8(rand(256), rand(b.length))
        fs.writeFileSync(file, k % 3 === 2 ? b.subarray(0, rand(b.length)) : b)
        const r = await runCli(['stats', bad, '--array', name, '--json'])
        codes.add(r.code)
        expect([0, 2], r.stderr).toContain(r.code)
        if (r.code === 2) expect(r.stderr).toMatch(new RegExp(`the chunk ${name}/${key.replace('.', '\\.')} of`))
      }
    }
    expect(codes.has(2)).toBe(true)
  })
})
