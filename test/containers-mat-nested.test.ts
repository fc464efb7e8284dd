// MATLAB cells, structs and struct arrays hold arrays of their own: each is listed by its MATLAB path (`c{1,2}`,
// `s.x`, `s(1,2).x`, nested) with the values loadmat gives for it, in files savemat writes with and without
// compression; empty cells and structs are listed saying they hold nothing; duplicate field names get loadmat's
// `_1_` prefix; a char array stored with no characters reads as spaces, as loadmat reads it.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { recipe } from '../src/shared/recipe'
import { ls, show } from './helpers/formats'
import { LEAVES_PY } from './helpers/mat'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

type Leaves = Record<string, { dtype: string; shape: number[]; values: unknown }>

describe('MATLAB cells and structs', () => {
  const files = {
    plain: path.join(tmp.dir, 'nested.mat'),
    z: path.join(tmp.dir, 'nested-z.mat'),
    hand: path.join(tmp.dir, 'hand.mat')
  }
  let r: Record<string, Leaves>

  beforeAll(() => {
    r = py(`
from scipy.io import loadmat, savemat
import struct
${LEAVES_PY}
f = ${JSON.stringify(files)}
inner = np.empty((2, 1), dtype=object)
inner[0, 0] = np.arange(6.0).reshape(2, 3)
inner[1, 0] = 'deep'
cell = np.empty((1, 3), dtype=object)
cell[0, 0] = np.int16([[1, -2]])
cell[0, 1] = inner
cell[0, 2] = {'x': np.float32([1.5, 2.5]), 'y': 'why'}
arr = np.zeros((1, 2), dtype=[('a', object), ('b', object)])
arr[0, 0] = (np.array([[1 + 2j]]), 'one')
arr[0, 1] = (np.uint8([[7, 8, 9]]), np.empty((0, 0), dtype=object))
vs = {'cell': cell, 'arr': arr, 's': {'num': np.eye(3), 'sub': {'t': np.array(['ab', 'cd'])}},
      'emptycell': np.empty((0, 0), dtype=object), 'plain': np.arange(4.0)}
savemat(f['plain'], vs)
savemat(f['z'], vs, do_compression=True)
# by hand: a struct whose field name repeats, and char arrays stored with no characters (MATLAB's blanks)
def el(t, data):
    b = struct.pack('<II', t, len(data)) + data
    return b + b'\\0' * (-len(b) % 8)
def head(cls, dims, name):
    return el(6, struct.pack('<II', cls, 0)) + el(5, struct.pack('<%di' % len(dims), *dims)) + el(1, name.encode())
def dbl(name, x):
    return el(14, head(6, [1, 1], name) + el(9, struct.pack('<d', x)))
blank = el(14, head(4, [1, 3], 'blank') + el(4, b''))
dup = el(14, head(2, [1, 1], 'dup') + el(5, struct.pack('<i', 4)) + el(1, b'abc\\0abc\\0xyz\\0') +
         dbl('', 1) + dbl('', 2) + dbl('', 3))
hdr = b'MATLAB 5.0 MAT-file, hand made'.ljust(116, b' ') + b'\\0' * 8 + struct.pack('<H', 0x0100) + b'IM'
open(f['hand'], 'wb').write(hdr + blank + dup)
out = {}
for k, fn in f.items():
    out[k] = {}
    for n, v in loadmat(fn).items():
        if not n.startswith('__'):
            leaves(n, v, out[k])
print(json.dumps(out))`)
  })

  it.each(['plain', 'z', 'hand'] as const)(
    '%s: every array inside is listed by its MATLAB path with loadmat values',
    async (k) => {
      const entries = await ls(files[k])
      const shown = entries.filter((e) => !e.unmappable)
      expect(shown.map((e) => e.name).sort()).toEqual(Object.keys(r[k]!).sort())
      for (const e of shown) {
        const want = r[k]![e.name]!
        expect([e.dtype, e.shape], e.name).toEqual([want.dtype, want.shape])
        expect(await show(files[k], e.name), e.name).toEqual(want.values)
      }
    }
  )

  it('names the paths as MATLAB indexes them; empty cells and structs are listed saying they hold nothing', async () => {
    expect(Object.keys(r.plain!)).toEqual(
      expect.arrayContaining(['cell{1,2}{2,1}', 'cell{1,3}.y', 'arr(1,2).a', 's.sub.t', 'plain'])
    )
    // the repeated field name gets loadmat's prefix; the blank char array is 3 spaces
    expect(Object.keys(r.hand!).sort()).toEqual(['blank', 'dup._1_abc', 'dup.abc', 'dup.xyz'])
    expect(r.hand!.blank!.values).toEqual(['   '])
    for (const k of ['plain', 'z'] as const) {
      const listed = (await ls(files[k])).filter((e) => e.unmappable).map((e) => [e.name, e.unmappable])
      expect(listed).toEqual([
        ['arr(1,2).b', expect.stringMatching(/empty MATLAB cell \(0 × 0\)/)],
        ['emptycell', expect.stringMatching(/empty MATLAB cell \(0 × 0\)/)]
      ])
    }
  })

  it("Copy as code indexes loadmat's result to the same array", async () => {
    const service = new ArrayService({ watchIntervalMs: 0 })
    try {
      for (const name of ['cell{1,2}{1,1}', 'cell{1,3}.x', 'arr(1,2).a', 's.sub.t']) {
        const s = await service.handle('session:open', { path: files.z, layout: null, mode: 'r', array: name })
        const code = recipe(s, { slice: '', rowAxis: 0, colAxis: null, index: [0] }, s.layout.shape).python
        expect(code, name).toContain('loadmat(')
        expect(py(`${code}\nprint(json.dumps(np.asarray(a).tolist()))`), name).toEqual(
          py(`${LEAVES_PY}\nprint(json.dumps(js(np.asarray(${JSON.stringify(r.z![name]!.values)}))))`)
        )
      }
    } finally {
      service.closeAll()
    }
  })
})
