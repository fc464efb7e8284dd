// Diffs read beside the fills of their sides' copies (streamed-sides.ts): the native diff pass reads each side
// through its own gate (spec.gate for A, spec.b.gate for B), waiting for both; a diff of two chunked gzip HDF5
// datasets whose chunks are not decoded yet gives the report of the same diff over filled copies, and numpy's
// count of mismatches.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { native } from '../src/main/service/native'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const A = path.join(tmp.dir, 'a.h5')
const B = path.join(tmp.dir, 'b.h5')
let mismatched = 0

beforeAll(() => {
  mismatched = py<number>(`
import h5py
rng = np.random.default_rng(27)
a = rng.standard_normal((3000, 1500)).astype('<f4')
b = a.copy()
b[::97, ::31] += 1e-3
b[2999, 1499] = np.nan
with h5py.File(${JSON.stringify(A)}, 'w') as f:
    f.create_dataset('x', data=a, chunks=(250, 1500), compression='gzip', shuffle=True)
with h5py.File(${JSON.stringify(B)}, 'w') as f:
    f.create_dataset('x', data=b, chunks=(100, 500), compression='gzip')
print(int((~np.isclose(b, a, rtol=1e-7, atol=0, equal_nan=True)).sum()))`)
}, 60_000)

describe('a gated diff pass', () => {
  it("waits for each side's own gate, then compares every element", async () => {
    const n = 1 << 20
    const fa = path.join(tmp.dir, 'a.f4')
    const fb = path.join(tmp.dir, 'b.f4')
    const x = new Float32Array(n).map((_, i) => i % 777)
    fs.writeFileSync(fa, Buffer.from(x.buffer))
    x[n - 1] = -1
    fs.writeFileSync(fb, Buffer.from(x.buffer))
    const ma = new (native().Mapping)(fa, 'r')
    const mb = new (native().Mapping)(fb, 'r')
    try {
      const view = { elem: 'f4' as const, swap: false, base: 0, shape: [n], strides: [4] }
      const ga = new BigInt64Array(new SharedArrayBuffer(8))
      const gb = new BigInt64Array(new SharedArrayBuffer(8))
      let settled = false
      const h = ma.scan({
        op: 'diff',
        ...view,
        gate: ga,
        b: { mapping: mb, ...view, gate: gb },
        rtol: 0,
        atol: 0,
        equalNan: true,
        first: 4
      })
      void h.promise.then(() => (settled = true))
      Atomics.store(ga, 0, BigInt(n * 4)) // A all there, B not yet
      await sleep(200)
      expect(settled).toBe(false)
      Atomics.store(gb, 0, BigInt(n * 2))
      await sleep(200)
      expect(settled).toBe(false)
      Atomics.store(gb, 0, BigInt(n * 4))
      const r = (await h.promise) as { mismatched: number; total: number }
      expect(r).toMatchObject({ mismatched: 1, total: n })
    } finally {
      ma.close()
      mb.close()
    }
  })
})

describe('diffs of chunked datasets beside the fills', () => {
  it('give the report of the same diff over filled copies, and numpy’s count', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const open = async (file: string): Promise<string> =>
        (await s.handle('session:open', { path: file, layout: null, mode: 'r', array: '/x' })).session
      const diff = (a: string, b: string) =>
        s.handle('diff:run', {
          a,
          b,
          scanId: `d${a}`,
          rtol: 1e-7,
          atol: 0,
          equalNan: true,
          max: 20,
          map: { rows: 30, cols: 15 }
        })
      const [a1, b1] = [await open(A), await open(B)]
      const beside = await diff(a1, b1)
      expect(beside.mismatched).toBe(mismatched)
      expect(s.session(a1).source.chunkGrid!.chunksRead).toBe(12)
      expect(s.session(b1).source.chunkGrid!.chunksRead).toBe(90)
      const [a2, b2] = [await open(A), await open(B)]
      await s.fillFor(a2, s.session(a2).layout)
      await s.fillFor(b2, s.session(b2).layout)
      expect(await diff(a2, b2)).toEqual(beside)
      // one session against itself sliced: its chunks filled once, first
      const self = await s.handle('diff:run', {
        a: a1,
        b: a1,
        slice: '0:1000',
        scanId: 'self',
        rtol: 0,
        atol: 0,
        equalNan: true
      })
      expect(self.mismatched).toBe(0)
    } finally {
      s.closeAll()
    }
  }, 60_000)

  it('the CLI diff reads both sides beside their fills and says what numpy says', async () => {
    const r = await runCli(['diff', A, B, '--array', '/x', '--array-b', '/x', '--json'])
    expect(r.code).toBe(1)
    expect((JSON.parse(r.stdout) as { mismatched: number }).mismatched).toBe(mismatched)
  }, 60_000)
})
