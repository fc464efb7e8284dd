// "Copy as code" for types numpy lacks (bfloat16, float8): the code given runs with numpy + ml_dtypes (no torch)
// in the test venv and reads the values the app shows. Run as given, on real files.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { recipe, type RecipeView } from '../src/shared/recipe'
import { py, tempDir } from './helpers/numpy'

/** The table's first view of a 2-D array: rows axis 0, columns axis 1. */
const WHOLE: RecipeView = { slice: '', rowAxis: 0, colAxis: 1, index: [0, 0] }

const tmp = tempDir()
afterAll(() => tmp.cleanup())

/** Runs the recipe's Python and returns `view` as float32 values. */
function runRecipe(code: string): number[][] {
  // torch may be named in a comment (the other way), never in the code that runs
  const statements = code.replace(/#.*$/gm, '')
  expect(statements).not.toContain('torch')
  expect(statements).not.toContain("framework='pt'")
  return py<number[][]>(`${code}\nprint(json.dumps(np.asarray(view, dtype=np.float32).tolist()))`)
}

describe('Copy as code runs with numpy + ml_dtypes', () => {
  it('a bf16 and a float8 tensor of a safetensors file (and an F32 one beside them, numpy alone)', async () => {
    const f = path.join(tmp.dir, 'model.safetensors')
    const expected = py<Record<string, number[][]>>(`
import struct, ml_dtypes
vals = (np.arange(12, dtype=np.float32).reshape(3, 4) - 5) * 1.37
tensors = {'w.bf16': ('BF16', vals.astype(ml_dtypes.bfloat16)), 'w.f8': ('F8_E4M3', vals.astype(ml_dtypes.float8_e4m3fn)),
           'w.f32': ('F32', vals)}
header, blobs, at = {}, [], 0
for name, (dt, a) in tensors.items():
    b = a.tobytes(); header[name] = {'dtype': dt, 'shape': list(a.shape), 'data_offsets': [at, at + len(b)]}
    blobs.append(b); at += len(b)
h = json.dumps(header).encode(); h += b' ' * (-len(h) % 8)
with open(${JSON.stringify(f)}, 'wb') as fh:
    fh.write(struct.pack('<Q', len(h))); fh.write(h); [fh.write(b) for b in blobs]
print(json.dumps({k: a.astype(np.float32).tolist() for k, (_, a) in tensors.items()}))`)
    const service = new ArrayService({ watchIntervalMs: 0 })
    try {
      for (const name of ['w.bf16', 'w.f8', 'w.f32']) {
        const s = await service.handle('session:open', { path: f, layout: null, mode: 'r', array: name })
        const code = recipe(s, WHOLE, s.layout.shape).python
        if (name !== 'w.f32') expect(code).toContain('import ml_dtypes')
        expect(runRecipe(code)).toEqual(expected[name])
      }
    } finally {
      service.closeAll()
    }
  })

  it('a raw bfloat16 dump, little- and big-endian, as np.memmap', async () => {
    const le = path.join(tmp.dir, 'act_le.bin')
    const be = path.join(tmp.dir, 'act_be.bin')
    const expected = py<number[][]>(`
import ml_dtypes
a = (np.arange(6, dtype=np.float32).reshape(2, 3) * 0.3 - 1).astype(ml_dtypes.bfloat16)
a.tofile(${JSON.stringify(le)})
a.view('<u2').astype('>u2').tofile(${JSON.stringify(be)})
print(json.dumps(a.astype(np.float32).tolist()))`)
    const service = new ArrayService({ watchIntervalMs: 0 })
    try {
      for (const [file, dtype] of [
        [le, '<bfloat16'],
        [be, '>bfloat16']
      ] as const) {
        const layout = { dtype, shape: [2, 3], offset: 0, order: 'C' as const }
        const s = await service.handle('session:open', { path: file, layout, mode: 'r' })
        const code = recipe(s, WHOLE, s.layout.shape).python
        expect(runRecipe(code)).toEqual(expected)
      }
    } finally {
      service.closeAll()
    }
  })
})

describe('Copy as code of a file that grows', () => {
  it('computes an inferred axis from the file’s size when it runs, and the command keeps -1', async () => {
    const file = path.join(tmp.dir, 'log.f4')
    const rows = (n: number, from = 0): Buffer =>
      Buffer.from(Float32Array.from({ length: n * 4 }, (_, i) => from * 4 + i).buffer)
    fs.writeFileSync(file, rows(3))
    const service = new ArrayService({ watchIntervalMs: 0 })
    try {
      for (const shape of [[-1, 4], null]) {
        const layout = { dtype: '<f4', shape, offset: 0, order: 'C' as const }
        const s = await service.handle('session:open', { path: file, layout, mode: 'r' })
        expect(s.inferredAxis).toBe(0)
        const state = shape ? WHOLE : { slice: '', rowAxis: 0, colAxis: null, index: [0] }
        const { python, cli } = recipe(s, state as RecipeView, s.layout.shape)
        expect(cli).toContain(shape ? '--shape -1,4' : '--shape -1 ')
        // the producer appends two rows and half of a third after the code was copied
        fs.appendFileSync(file, Buffer.concat([rows(2, 3), rows(1, 5).subarray(0, 8)]))
        const got = runRecipe(python)
        const want = Array.from({ length: shape ? 20 : 22 }, (_, i) => i)
        expect(got.flat()).toEqual(want)
        fs.truncateSync(file, 48)
      }
      const fixed = await service.handle('session:open', {
        path: file,
        layout: { dtype: '<f4', shape: [3, 4], offset: 0, order: 'C' },
        mode: 'r'
      })
      expect(fixed.inferredAxis).toBeUndefined()
      expect(recipe(fixed, WHOLE, fixed.layout.shape).python).toContain('shape=(3, 4)')
    } finally {
      service.closeAll()
    }
  })
})
