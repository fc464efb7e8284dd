// Zarr stores over HTTP from a real nginx and over the S3 API from s3rver: a v2 store written by zarr-python
// (blosc, consolidated .zmetadata, a chunk never written, a corrupt chunk) and a v3 array written by TensorStore
// (sharded, gzip inside, a shard never written). Values equal zarr-python's and TensorStore's reads; a chunk with
// no object is the fill value; a corrupt chunk names its key; a group without consolidated metadata is listed
// over S3 (ListObjectsV2 of its groups' folders) and refused over plain HTTP with the URL of an array to open.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { remoteStats } from '../src/main/service/remote-fetch'
import { runCli } from './helpers/cli'
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy'
import { startNginx, type Nginx } from './helpers/nginx'
import { tempDir } from './helpers/numpy'
import { startS3, type S3Server } from './helpers/s3'
import { tspy, zpy } from './helpers/zarr'

const tmp = tempDir()
const V2 = path.join(tmp.dir, 'v2.zarr')
const PLAIN = path.join(tmp.dir, 'plain.zarr')
const V3 = path.join(tmp.dir, 'ts3.zarr')
let web: Nginx
let s3: S3Server
let proxy: FaultProxy
type Ref = Record<string, number[]>
let ref: Ref

/** Every file under a folder, as keys relative to it. */
function filesUnder(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((d) => {
    const key = rel ? `${rel}/${d.name}` : d.name
    return d.isDirectory() ? filesUnder(dir, key) : [key]
  })
}

beforeAll(async () => {
  const v2 = zpy<Ref>(`
import shutil
g = zarr.open_group(${JSON.stringify(V2)}, mode='w')
rng = np.random.default_rng(30)
a = rng.standard_normal((20, 30)).astype('<f4')
g.create_dataset('g/a', data=a, chunks=(8, 8), compressor=numcodecs.Blosc('lz4', 5, numcodecs.Blosc.SHUFFLE))
b = g.create_dataset('b', shape=(10,), chunks=(4,), dtype='<i2', fill_value=-7, compressor=numcodecs.Zlib(1))
b[:4] = np.arange(4) * 100
g.create_dataset('bad', data=np.arange(16, dtype='u1'), chunks=(8,), compressor=numcodecs.Zlib(1))
shutil.copytree(${JSON.stringify(V2)}, ${JSON.stringify(PLAIN)})
zarr.consolidate_metadata(${JSON.stringify(V2)})
r = zarr.open_consolidated(${JSON.stringify(V2)}, mode='r')
print(json.dumps({'a': r['g/a'][...].ravel().tolist(), 'b': r['b'][...].ravel().tolist()}))`)
  const v3 = tspy<Ref>(`
x = (np.arange(40 * 50).reshape(40, 50) * 0.25 - 100).astype('<f8')
t = ts.open({'driver': 'zarr3', 'kvstore': {'driver': 'file', 'path': ${JSON.stringify(V3)}}, 'create': True,
    'metadata': {'shape': [40, 50], 'data_type': 'float64', 'fill_value': 1.5,
        'chunk_grid': {'name': 'regular', 'configuration': {'chunk_shape': [20, 25]}},
        'codecs': [{'name': 'sharding_indexed', 'configuration': {'chunk_shape': [10, 5],
            'codecs': [{'name': 'bytes', 'configuration': {'endian': 'little'}}, {'name': 'gzip', 'configuration': {'level': 5}}],
            'index_codecs': [{'name': 'bytes', 'configuration': {'endian': 'little'}}, {'name': 'crc32c'}]}}]}}).result()
t[0:20, :] = x[0:20, :]
t[20:40, 0:25] = x[20:40, 0:25]
print(json.dumps({'v3': t.read().result().ravel().tolist()}))`)
  const big = tspy<Ref>(`
import os, shutil
rng = np.random.default_rng(33)
x = rng.standard_normal((512, 512))
out = {}
for name, loc in [('big-end.zarr', 'end'), ('big-start.zarr', 'start')]:
    t = ts.open({'driver': 'zarr3', 'kvstore': {'driver': 'file', 'path': os.path.join(${JSON.stringify(tmp.dir)}, name)}, 'create': True,
        'metadata': {'shape': [512, 512], 'data_type': 'float64', 'fill_value': -2,
            'chunk_grid': {'name': 'regular', 'configuration': {'chunk_shape': [256, 256]}},
            'codecs': [{'name': 'sharding_indexed', 'configuration': {'chunk_shape': [64, 64], 'index_location': loc,
                'codecs': [{'name': 'bytes', 'configuration': {'endian': 'little'}}, {'name': 'gzip', 'configuration': {'level': 1}}],
                'index_codecs': [{'name': 'bytes', 'configuration': {'endian': 'little'}}, {'name': 'crc32c'}]}}]}}).result()
    # every inner chunk but (1, 0) of the first shard
    t[0:64, :] = x[0:64, :]
    t[64:128, 64:] = x[64:128, 64:]
    t[128:, :] = x[128:, :]
    a = t.read().result()
    out[name] = a.ravel().tolist()
# a damaged copy: the inner chunk (0, 1) of shard c/0/0 overwritten in its middle (its gzip CRC fails)
d = os.path.join(${JSON.stringify(tmp.dir)}, 'big-bad.zarr')
shutil.copytree(os.path.join(${JSON.stringify(tmp.dir)}, 'big-end.zarr'), d)
f = os.path.join(d, 'c', '0', '0')
b = bytearray(open(f, 'rb').read())
n = 16 * 16 + 4
off, ln = np.frombuffer(bytes(b[-n:-4]), '<u8').reshape(16, 2)[1]
b[int(off) + int(ln) // 2: int(off) + int(ln) // 2 + 8] = b'\\xff' * 8
open(f, 'wb').write(bytes(b))
print(json.dumps(out))`)
  ref = { ...v2, ...v3, ...big }
  // a v3 group with consolidated metadata in its root zarr.json (as zarr-python 3 writes it), no zarr.json below
  const v3c = path.join(tmp.dir, 'v3c.zarr')
  fs.cpSync(V3, path.join(v3c, 'grp', 'ts'), { recursive: true })
  const tsMeta = JSON.parse(fs.readFileSync(path.join(V3, 'zarr.json'), 'utf8')) as unknown
  fs.rmSync(path.join(v3c, 'grp', 'ts', 'zarr.json'))
  const group = { zarr_format: 3, node_type: 'group', attributes: {} }
  fs.writeFileSync(
    path.join(v3c, 'zarr.json'),
    JSON.stringify({
      ...group,
      consolidated_metadata: { kind: 'inline', must_understand: false, metadata: { grp: group, 'grp/ts': tsMeta } }
    })
  )
  // the chunk 0 of 'bad' is no zlib stream any more
  fs.writeFileSync(path.join(V2, 'bad', '0'), 'not zlib at all')
  // the chunk 1 of 'b' was never written: no object, the fill value
  expect(fs.existsSync(path.join(V2, 'b', '1'))).toBe(false)
  // /deny/… answers 403 for a key with no object, as S3 does over HTTPS without list permission
  fs.symlinkSync(tmp.dir, path.join(tmp.dir, 'deny'))
  web = await startNginx(tmp.dir, 'location /deny/ { try_files $uri =403; }')
  proxy = await startFaultProxy(web.url)
  s3 = await startS3('zarr-bucket')
  for (const key of filesUnder(PLAIN)) await s3.putFile(`stores/plain.zarr/${key}`, path.join(PLAIN, key))
  for (const key of filesUnder(V3)) await s3.putFile(`stores/ts3.zarr/${key}`, path.join(V3, key))
  const bigEnd = path.join(tmp.dir, 'big-end.zarr')
  for (const key of filesUnder(bigEnd)) await s3.putFile(`stores/big-end.zarr/${key}`, path.join(bigEnd, key))
}, 120_000)

afterAll(async () => {
  await proxy?.stop()
  await web?.stop()
  await s3?.stop()
  tmp.cleanup()
})

async function shown(url: string, array?: string): Promise<number[]> {
  const r = await runCli(['show', url, ...(array ? ['--array', array] : []), '--json'])
  expect(r.stderr).toBe('')
  return (JSON.parse(r.stdout) as unknown[]).flat(3) as number[]
}

describe('Zarr stores over HTTP (nginx)', () => {
  it('a consolidated v2 store: ls lists its arrays, show and stats equal zarr-python', async () => {
    const url = `${web.url}/v2.zarr`
    const ls = await runCli(['ls', url])
    expect(ls.stderr).toBe('')
    expect(
      ls.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[0])
        .sort()
    ).toEqual(['b', 'bad', 'g/a'])
    // the store's URL with a trailing slash is the same store
    expect(await shown(`${url}/`, 'g/a')).toEqual(ref.a)
    const st = await runCli(['stats', url, '--array', 'g/a', '--json'])
    expect(st.stderr).toBe('')
    const s = JSON.parse(st.stdout) as { count: number; min: number; max: number }
    expect(s).toMatchObject({ count: 600, min: Math.min(...ref.a!), max: Math.max(...ref.a!) })
  })

  it('a v3 group with consolidated metadata in its zarr.json lists and reads without a walk', async () => {
    const url = `${web.url}/v3c.zarr`
    const ls = await runCli(['ls', url])
    expect(ls.stderr).toBe('')
    expect(ls.stdout).toMatch(/^grp\/ts\t<f8\t\(40, 50\)/m)
    expect(await shown(url, 'grp/ts')).toEqual(ref.v3)
  })

  it('a chunk with no object is the fill value; a corrupt chunk names its key', async () => {
    const url = `${web.url}/v2.zarr`
    expect(await shown(url, 'b')).toEqual(ref.b)
    expect(ref.b!.slice(4)).toEqual([-7, -7, -7, -7, -7, -7])
    const bad = await runCli(['show', url, '--array', 'bad', '--json'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/the chunk bad\/0 of 'bad'/)
  })

  it('a sharded v3 array written by TensorStore (gzip inside, a shard never written) equals its read', async () => {
    const url = `${web.url}/ts3.zarr`
    expect((await runCli(['ls', url])).stdout).toMatch(/^\/\t<f8\t\(40, 50\)/)
    const before = remoteStats.requests
    expect(await shown(url)).toEqual(ref.v3)
    // metadata documents, then one GET per shard (4 shards, one of them missing): no per-byte range reads
    expect(remoteStats.requests - before).toBeLessThanOrEqual(5 + 4 + 4)
  })

  it('a group without consolidated metadata is refused with the URL of an array; the array opens by its URL', async () => {
    const url = `${web.url}/plain.zarr`
    const ls = await runCli(['ls', url])
    expect(ls.code).toBe(2)
    expect(ls.stderr).toContain(`${url} is a Zarr group without consolidated metadata`)
    expect(ls.stderr).toContain(`${url}/path/to/array`)
    expect(await shown(`${url}/g/a`)).toEqual(ref.a)
    const none = await runCli(['ls', `${web.url}/none.zarr`])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/none\.zarr: no Zarr metadata there/)
  })

  it('info, export and diff take a remote store like a local one', async () => {
    const url = `${web.url}/v2.zarr`
    const info = await runCli(['info', url, '--array', 'g/a'])
    expect(info.stderr).toBe('')
    expect(JSON.parse(info.stdout)).toMatchObject({ path: url, dtype: '<f4', shape: [20, 30] })
    const out = path.join(tmp.dir, 'a-export.npy')
    const ex = await runCli(['export', url, '--array', 'g/a', '--out', out, '--as', 'npy'])
    expect(ex.code).toBe(0)
    expect(await shown(out)).toEqual(ref.a)
    const diff = await runCli(['diff', out, url, '--array-b', 'g/a'])
    expect(diff.stderr).toBe('')
    expect(diff.code).toBe(0)
  })

  it('a server answering 403 for missing keys: absent metadata documents are skipped, not the answer', async () => {
    const ls = await runCli(['ls', `${web.url}/deny/v2.zarr`])
    expect(ls.stderr).toBe('')
    expect(ls.stdout).toMatch(/^g\/a\t<f4/m)
    // a chunk's 403 is no fill value: the server may be refusing a chunk that exists
    const shard = await runCli(['show', `${web.url}/deny/ts3.zarr`, '--json'])
    expect(shard.stderr).toContain(`${web.url}/deny/ts3.zarr/c/1/1: the server refuses access (HTTP 403`)
    const none = await runCli(['ls', `${web.url}/deny/none.zarr`])
    expect(none.stderr).toMatch(/refuses access \(HTTP 403/)
  })

  it('metadata and chunk reads are retried through 503s and dropped connections', async () => {
    // every document and chunk answers 503 twice, then passes
    expect(await shown(`${proxy.url}/503-2/v2.zarr`, 'g/a')).toEqual(ref.a)
    expect(await proxy.count('/503-2/v2.zarr/g/a/0.0')).toBe(3)
    // every object's first answer is cut off half-way
    expect(await shown(`${proxy.url}/drop-1/ts3.zarr`)).toEqual(ref.v3)
    expect(await proxy.count('/drop-1/ts3.zarr/c/0/0')).toBe(2)
  })

  it('an array of a remote store opens read-only, and serve --remote confines stores to its prefixes', async () => {
    const s = new ArrayService({ watchIntervalMs: 0, remote: [`${web.url}/v2.zarr`] })
    try {
      const info = await s.handle('session:open', { path: `${web.url}/v2.zarr`, array: 'g/a', layout: null, mode: 'r' })
      expect(info.array?.readOnly).toMatch(/remote object/)
      await expect(
        s.handle('session:open', { path: `${web.url}/v2.zarr`, array: 'g/a', layout: null, mode: 'r+' })
      ).rejects.toMatchObject({ code: 'readonly' })
      await expect(
        s.handle('session:open', { path: `${web.url}/ts3.zarr`, layout: null, mode: 'r' })
      ).rejects.toMatchObject({ code: 'permission' })
    } finally {
      s.closeAll()
    }
  })
})

describe('sharded arrays over HTTP: inner chunks by range', () => {
  it('a window reads its inner chunks (the index, then ranges), not whole shards; a missing inner chunk is the fill', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const url = `${web.url}/big-end.zarr`
      const info = await s.handle('session:open', { path: url, layout: null, mode: 'r' })
      const before = { ...remoteStats }
      const win = await s.handle('window:get', {
        session: info.session,
        view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
        row0: 40,
        col0: 70,
        rows: 60,
        cols: 20,
        generation: 1
      })
      const got = Array.from(new Float64Array(win.bytes.slice().buffer))
      const want = Array.from(
        { length: 60 * 20 },
        (_, k) => ref['big-end.zarr']![(40 + Math.floor(k / 20)) * 512 + 70 + (k % 20)]
      )
      expect(got).toEqual(want)
      // inner chunks (0, 1) and (1, 1) of shard c/0/0: its first 64 KiB, its index, one range (the other lay in
      // the first bytes) — a whole shard is 512 KiB
      expect(remoteStats.requests - before.requests).toBeLessThanOrEqual(4)
      expect(remoteStats.bytes - before.bytes).toBeLessThan(200 << 10)
      const missing = await s.handle('window:get', {
        session: info.session,
        view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
        row0: 64,
        col0: 0,
        rows: 2,
        cols: 2,
        generation: 2
      })
      expect(Array.from(new Float64Array(missing.bytes.slice().buffer))).toEqual([-2, -2, -2, -2])
      const st = await s.statsOf(info.session, s.session(info.session).layout).promise
      expect(st.count).toBe(512 * 512)
      expect(st.min).toBe(ref['big-end.zarr']!.reduce((a, b) => Math.min(a, b)))
      expect(st.max).toBe(ref['big-end.zarr']!.reduce((a, b) => Math.max(a, b)))
    } finally {
      s.closeAll()
    }
  })

  it('the index at the start, read by the CLI (blocking reads); a damaged inner chunk is named', async () => {
    expect(await shown(`${web.url}/big-start.zarr`)).toEqual(ref['big-start.zarr'])
    const bad = await runCli(['show', `${web.url}/big-bad.zarr`, '--slice', '0:2, 60:70', '--json'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/the chunk c\/0\/0 inner chunk \(0, 1\) of '\/'/)
  })
})

describe('Zarr stores over S3 (s3rver)', () => {
  it('a group without consolidated metadata is listed with ListObjectsV2; values equal zarr-python', async () => {
    const url = 's3://zarr-bucket/stores/plain.zarr'
    const ls = await runCli(['ls', url])
    expect(ls.stderr).toBe('')
    expect(
      ls.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[0])
        .sort()
    ).toEqual(['b', 'bad', 'g/a'])
    expect(await shown(url, 'g/a')).toEqual(ref.a)
    expect(await shown(url, 'b')).toEqual(ref.b)
  })

  it('sharded v3 arrays equal TensorStore (small shards whole, large ones by inner-chunk ranges)', async () => {
    expect(await shown('s3://zarr-bucket/stores/ts3.zarr')).toEqual(ref.v3)
    expect(await shown('s3://zarr-bucket/stores/big-end.zarr')).toEqual(ref['big-end.zarr'])
  })
})
