// Remote sources over the S3 API against a real server (s3rver) on 127.0.0.1, addressed as S3-compatible stores
// are (AWS_ENDPOINT_URL, path-style), signed with the keys in the environment — and read anonymously by a
// process that has no credentials at all. Values equal numpy's reads of the same local files; sizes come from
// Content-Range (s3rver answers suffix ranges wrongly: none are sent).
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { runBin, runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'
import { startS3, type S3Server } from './helpers/s3'

const tmp = tempDir()
let s3: S3Server
let ref: { stats: { min: number; max: number; mean: number }; tail: number[]; w: number[][]; b: number[] }

beforeAll(async () => {
  ref = py(`
import os
from safetensors.numpy import save_file
d = ${JSON.stringify(tmp.dir)}
rng = np.random.default_rng(31)
a = rng.standard_normal(900_000).astype('<f4')
a.tofile(os.path.join(d, 'raw.f32'))
w = rng.standard_normal((3, 4)).astype(np.float32)
save_file({'w': w}, os.path.join(d, 'part-1.safetensors'))
save_file({'b': np.arange(5, dtype=np.int64) - 2}, os.path.join(d, 'part-2.safetensors'))
json.dump({'metadata': {}, 'weight_map': {'w': 'part-1.safetensors', 'b': 'part-2.safetensors'}},
    open(os.path.join(d, 'model.safetensors.index.json'), 'w'))
print(json.dumps({'stats': {'min': float(a.min()), 'max': float(a.max()), 'mean': float(a.astype(np.float64).mean())},
    'tail': a[-5:].tolist(), 'w': w.tolist(), 'b': (np.arange(5) - 2).tolist()}))`)
  s3 = await startS3('bucket')
  await s3.putFile('data/raw.f32', path.join(tmp.dir, 'raw.f32'))
  for (const f of ['part-1.safetensors', 'part-2.safetensors', 'model.safetensors.index.json']) {
    await s3.putFile(`models/m1/${f}`, path.join(tmp.dir, f))
  }
}, 60_000)

afterAll(async () => {
  await s3?.stop()
  tmp.cleanup()
})

describe('remote objects over S3 (s3rver)', () => {
  it('show and stats of s3://bucket/key with a layout equal numpy', async () => {
    const url = 's3://bucket/data/raw.f32'
    const show = await runCli(['show', url, '--dtype', '<f4', '--slice', '-5:', '--json'])
    expect(show.stderr).toBe('')
    expect(JSON.parse(show.stdout)).toEqual(ref.tail)
    const st = await runCli(['stats', url, '--dtype', '<f4', '--json'])
    expect(st.stderr).toBe('')
    const s = JSON.parse(st.stdout) as { count: number; min: number; max: number; mean: number }
    expect(s).toMatchObject({ count: 900_000, min: ref.stats.min, max: ref.stats.max })
    expect(s.mean).toBeCloseTo(ref.stats.mean, 9)
  })

  it('an object larger than its copy may hold streams: a find, an export and a diff equal the local file', async () => {
    await s3.putFile('data/big.f32', path.join(tmp.dir, 'raw.f32'))
    const url = 's3://bucket/data/big.f32'
    const local = path.join(tmp.dir, 'raw.f32')
    process.env.ARRAYSCOPE_TEMP_MAX = '2M'
    process.env.ARRAYSCOPE_STREAM_AHEAD = String(1 << 20)
    try {
      const last = ref.tail.at(-1)!
      const found = await runCli(['find', url, '--dtype', '<f4', '--value', `${last} as <f4`, '--aligned'])
      expect(found.stderr).toBe('')
      expect(found.stdout.split('\t')[0]).toBe(String((900_000 - 1) * 4))
      const out = path.join(tmp.dir, 'big-out.npy')
      expect(
        (await runCli(['export', url, '--dtype', '<f4', '--as', 'npy', '--slice', '::3', '--out', out])).code
      ).toBe(0)
      expect(
        py<boolean>(`
a = np.fromfile(${JSON.stringify(local)}, '<f4')
print(json.dumps(bool(np.array_equal(a[::3], np.load(${JSON.stringify(out)})))))`)
      ).toBe(true)
      const diff = await runCli(['diff', url, local, '--dtype', '<f4', '--json'])
      expect(diff.stderr).toBe('')
      expect(JSON.parse(diff.stdout)).toMatchObject({ mismatched: 0, total: 900_000 })
    } finally {
      delete process.env.ARRAYSCOPE_TEMP_MAX
      delete process.env.ARRAYSCOPE_STREAM_AHEAD
    }
  })

  it('a sharded safetensors index lists and reads the shards beside it in the bucket', async () => {
    const index = 's3://bucket/models/m1/model.safetensors.index.json'
    const ls = await runCli(['ls', index, '--json'])
    expect(ls.stderr).toBe('')
    expect((JSON.parse(ls.stdout) as { name: string }[]).map((e) => e.name).sort()).toEqual(['b', 'w'])
    const w = await runCli(['show', index, '--array', 'w', '--json'])
    expect(JSON.parse(w.stdout)).toEqual(ref.w)
    const b = await runCli(['show', index, '--array', 'b', '--json'])
    expect(JSON.parse(b.stdout)).toEqual(ref.b)
  })

  it('a missing key, and an object replaced under an open session, say so', async () => {
    const missing = await runCli(['show', 's3://bucket/data/none.f32', '--dtype', '<f4'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no such object: s3:\/\/bucket\/data\/none\.f32/)
    await s3.put('data/swap.bin', Buffer.alloc(3 << 20, 1))
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', {
        path: 's3://bucket/data/swap.bin',
        layout: { dtype: 'u1', shape: null, offset: 0, order: 'C' },
        mode: 'r'
      })
      await s3.put('data/swap.bin', Buffer.alloc(3 << 20, 2))
      await expect(s.handle('bytes:get', { session: info.session, offset: 2 << 20, length: 16 })).rejects.toMatchObject(
        {
          code: 'changed'
        }
      )
    } finally {
      s.closeAll()
    }
  })

  it('a process without credentials reads a bucket anonymously', () => {
    const home = path.join(tmp.dir, 'home')
    fs.mkdirSync(home, { recursive: true })
    const r = runBin(['show', 's3://bucket/data/raw.f32', '--dtype', '<f4', '--slice', '-5:', '--json'], {
      HOME: home,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_PROFILE: undefined,
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
      AWS_CONFIG_FILE: path.join(home, 'none')
    })
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual(ref.tail)
  })
})
