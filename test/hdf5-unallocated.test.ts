// A 5.8 KB file claims 8 GB (issue 25, item 5): a chunked 10^6×1000 float64 dataset with no chunk written. Its
// values are all the fill value: the library is not asked, the temporary copy stays a hole (a zero fill value) and
// the stats pass drops the zero pages it reads behind it; what is really written counts against
// ARRAYSCOPE_TEMP_MAX, with a message saying so.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { rejection } from './helpers/errors'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const file = path.join(tmp.dir, 'claims.h5')
let ref: { part: { mean: number; min: number; max: number; count: number } }

beforeAll(() => {
  ref = py(`
import h5py
with h5py.File(${JSON.stringify(file)}, 'w') as f:
    f.create_dataset('x', shape=(10**6, 1000), dtype='f8', chunks=(3907, 8), compression='gzip')
    f.create_dataset('filled', shape=(1000, 1000), dtype='<f8', chunks=(100, 100), fillvalue=2.5)
    p = f.create_dataset('part', shape=(1000, 1000), dtype='>f4', chunks=(100, 100), fillvalue=-1.5)
    p[120:130, 450:460] = np.arange(100, dtype='>f4').reshape(10, 10)
    z = f.create_dataset('zeros', shape=(1000, 1000), dtype='<f8', chunks=(100, 100))
    z[5, 5] = 1
with h5py.File(${JSON.stringify(file)}, 'r') as f:
    a = f['part'][()].astype(np.float64)
    print(json.dumps({'part': {'mean': a.mean(), 'min': a.min(), 'max': a.max(), 'count': a.size}}))`)
})

afterEach(() => {
  delete process.env.ARRAYSCOPE_TEMP_MAX
})

async function statsOf(s: ArrayService, array: string): Promise<{ stats: Record<string, unknown>; disk: number }> {
  const info = await s.handle('session:open', { path: file, layout: null, mode: 'r', array })
  const stats = (await s.handle('scan:stats', { session: info.session, scanId: `s${array}` })) as unknown as Record<
    string,
    unknown
  >
  const copy = fs.statSync(s.session(info.session).source.chunkGrid!.file)
  return { stats, disk: copy.blocks * 512 }
}

describe('a chunked dataset with no chunk written', () => {
  it('10^6×1000 float64: stats count 10^9 fill values with bounded memory and no temporary disk', async () => {
    expect(fs.statSync(file).size).toBeLessThan(1 << 20)
    const s = new ArrayService({ watchIntervalMs: 0 })
    const before = process.memoryUsage().rss
    let peak = before
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    try {
      const { stats, disk } = await statsOf(s, '/x')
      expect(stats).toMatchObject({ count: 1e9, min: 0, max: 0, mean: 0, std: 0, nan: 0 })
      expect(disk).toBe(0)
      // the pass reads 8 GB of holes; the zero pages are dropped behind it (it reached 3.5 GB before)
      expect(peak - before).toBeLessThan(512 << 20)
    } finally {
      clearInterval(sample)
      s.closeAll()
    }
  }, 180_000)

  it('a non-zero fill value is written (and counted), without asking the library', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const { stats, disk } = await statsOf(s, '/filled')
      expect(stats).toMatchObject({ count: 1e6, min: 2.5, max: 2.5, mean: 2.5 })
      expect(disk).toBeGreaterThanOrEqual(8e6)
    } finally {
      s.closeAll()
    }
  })

  it('ARRAYSCOPE_TEMP_MAX caps what a copy may take, with a message saying how to allow more', async () => {
    process.env.ARRAYSCOPE_TEMP_MAX = '1M'
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: file, layout: null, mode: 'r', array: '/filled' })
      const err = await rejection(s.handle('scan:stats', { session: info.session, scanId: 'capped' }))
      expect(err.message).toMatch(
        /reading \/filled would write more than 1\.0 MiB of values \(not the fill value\) into its temporary copy: set ARRAYSCOPE_TEMP_MAX to allow more/
      )
      expect(fs.statSync(s.session(info.session).source.chunkGrid!.file).blocks * 512).toBeLessThanOrEqual(1 << 20)
      // a zero-filled dataset with one chunk written takes no more than that chunk under the same cap
      const { stats, disk } = await statsOf(s, '/zeros')
      expect(stats).toMatchObject({ count: 1e6, min: 0, max: 1 })
      expect(disk).toBeLessThanOrEqual(64 << 10)
    } finally {
      s.closeAll()
    }
  })

  it('some chunks written, a non-zero fill: the values equal h5py', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const { stats } = await statsOf(s, '/part')
      expect(stats).toMatchObject({ count: ref.part.count, min: ref.part.min, max: ref.part.max })
      expect(stats.mean as number).toBeCloseTo(ref.part.mean, 10)
    } finally {
      s.closeAll()
    }
  })
})
