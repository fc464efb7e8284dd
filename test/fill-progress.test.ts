// The progress a statistics run reports (the panel's bar, the CLI's) when a copy is filled as it runs — a remote
// object's blocks before the passes, a chunked gzip HDF5 dataset's chunks beside them (stream-fill.ts). Its fraction never goes back (it went to 100 % for the fill,
// then from 0 % again for the passes) and ends at 1 (the last pass's end was never told); values equal numpy's.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { startNginx, type Nginx } from './helpers/nginx'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
let web: Nginx
let ref: { min: number; max: number; count: number }

beforeAll(async () => {
  ref = py(`
# half floats: their passes convert each value, slow enough to report progress on their way
a = np.random.default_rng(4).standard_normal(12_000_000).astype('<f2')
a.tofile(${JSON.stringify(tmp.dir)} + '/v.f16')
print(json.dumps({"min": float(a.min()), "max": float(a.max()), "count": int(a.size)}))`)
  web = await startNginx(tmp.dir)
})
afterAll(async () => {
  await web?.stop()
  tmp.cleanup()
})

describe('remote statistics with a histogram', () => {
  it('report progress that never goes back and ends at the total', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const layout = { dtype: '<f2', shape: null, offset: 0, order: 'C' } as const
      const info = await s.handle('session:open', { path: `${web.url}/v.f16`, layout, mode: 'r' })
      const seen: number[] = []
      const st = await s.statsOf(info.session, s.session(info.session).layout, {
        bins: 256,
        onProgress: (d, t) => seen.push(d / t)
      }).promise
      expect({ min: st.min, max: st.max, count: st.count }).toEqual(ref)
      expect(seen.length).toBeGreaterThan(1)
      const back = seen.findIndex((f, i) => i > 0 && f < seen[i - 1]!)
      expect(back, `progress went back: ${seen.map((f) => f.toFixed(3)).join(' ')}`).toBe(-1)
      expect(seen.at(-1)).toBe(1)
    } finally {
      s.closeAll()
    }
  })
})

describe('statistics of a chunked, compressed HDF5 dataset read as it is decoded', () => {
  it('report progress that never goes back and ends at the total', async () => {
    const file = path.join(tmp.dir, 'c.h5')
    const r = py<{ min: number; max: number; count: number }>(`
import h5py
a = np.random.default_rng(5).standard_normal((64, 256, 512)).astype('<f2')
with h5py.File(${JSON.stringify(file)}, 'w') as f:
    f.create_dataset('d', data=a, chunks=(4, 128, 512), compression='gzip', compression_opts=1, shuffle=True)
print(json.dumps({"min": float(a.min()), "max": float(a.max()), "count": int(a.size)}))`)
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: file, layout: null, array: 'd', mode: 'r' })
      const seen: number[] = []
      const st = await s.statsOf(info.session, s.session(info.session).layout, {
        bins: 256,
        onProgress: (d, t) => seen.push(d / t)
      }).promise
      expect({ min: st.min, max: st.max, count: st.count }).toEqual(r)
      const back = seen.findIndex((f, i) => i > 0 && f < seen[i - 1]!)
      expect(back, `progress went back: ${seen.map((f) => f.toFixed(3)).join(' ')}`).toBe(-1)
      expect(seen.at(-1)).toBe(1)
    } finally {
      s.closeAll()
    }
  })
})
