// .npy as numpy writes and reads it: an export equals np.save's file byte for byte (header padding for the
// growth axis, 64-byte alignment, the version numpy picks, Fortran order for an F-contiguous view), and a
// header np.load refuses is refused too, with numpy's reason in one line.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

describe('export --as npy equals np.save', () => {
  const cases: [string, string][] = [
    ['f8 0-d', 'np.array(2.5)'],
    ['f4 empty', "np.zeros((0,), '<f4')"],
    ['i2 1-D', "np.arange(7, dtype='>i2')"],
    ['u1 3-D', "np.arange(24, dtype='u1').reshape(2, 3, 4)"],
    ['bool', 'np.array([True, False, True])'],
    ['c16 2-D', '(np.arange(6) + 1j).reshape(2, 3)'],
    ['wide shape', "np.zeros((1, 123456789), '|b1')[:, :3]"],
    ['record', "np.zeros(3, [('x', '<f4'), ('v', '>i2', (3,)), ('n', [('a', 'u1'), ('b', '<f8', (2, 2))])])"],
    ['titles', "np.zeros(2, [(('a title', 'x'), '<f4'), ('y', '<i8')])"],
    ['quote in a name', "np.zeros(2, [(\"it's\", '<f4'), ('q\"', '<i2')])"],
    ['latin-1 name (version 1.0)', "np.zeros(2, [('caf\\u00e9', '<f4')])"],
    ['non-latin-1 name (version 3.0)', "np.zeros(2, [('\\u0394x', '<f4')])"],
    [
      'padding in a record',
      "np.zeros(2, np.dtype({'names': ['a', 'b'], 'formats': ['u1', '<f8'], 'offsets': [0, 8], 'itemsize': 16}))"
    ]
  ]
  it.each(cases)('%s', async (name, expr) => {
    const tag = name.replace(/\W+/g, '-')
    const src = path.join(tmp.dir, `${tag}-src.npy`)
    const ref = path.join(tmp.dir, `${tag}-ref.npy`)
    const out = path.join(tmp.dir, `${tag}-out.npy`)
    py(`
import warnings
warnings.simplefilter('ignore')
a = np.ascontiguousarray(${expr})
np.save(${JSON.stringify(src)}, a)
np.save(${JSON.stringify(ref)}, a)
print(1)`)
    const r = await runCli(['export', src, '--out', out, '--as', 'npy'])
    expect([r.stderr, r.code]).toEqual([expect.stringMatching(/^arrayscope: wrote \d+ bytes/), 0])
    expect(fs.readFileSync(out).toString('latin1')).toBe(fs.readFileSync(ref).toString('latin1'))
  })

  it('a Fortran-order array is written as np.save writes an F-contiguous one', async () => {
    const raw = path.join(tmp.dir, 'f.bin')
    const ref = path.join(tmp.dir, 'f-ref.npy')
    const out = path.join(tmp.dir, 'f-out.npy')
    py(`
a = np.asfortranarray(np.arange(3 * 4 * 5, dtype='<f8').reshape(3, 4, 5))
a.T.tofile(${JSON.stringify(raw)})  # the file holds the Fortran-order bytes
np.save(${JSON.stringify(ref)}, a)
print(1)`)
    const layout = ['--dtype', '<f8', '--shape', '3,4,5', '--order', 'F']
    expect((await runCli(['export', raw, ...layout, '--out', out])).code).toBe(0)
    expect(Buffer.compare(fs.readFileSync(out), fs.readFileSync(ref))).toBe(0)
    expect(fs.readFileSync(out).toString('latin1')).toContain("'fortran_order': True")
    // a slice that keeps it F-contiguous (one element of the last axis) is F too; a strided one is C
    const sliced = path.join(tmp.dir, 'f-sliced.npy')
    const refSliced = path.join(tmp.dir, 'f-sliced-ref.npy')
    py(
      `np.save(${JSON.stringify(refSliced)}, np.asfortranarray(np.arange(60, dtype='<f8').reshape(3, 4, 5))[:, :, 2]); print(1)`
    )
    expect((await runCli(['export', raw, ...layout, '--slice', ':, :, 2', '--out', sliced])).code).toBe(0)
    expect(Buffer.compare(fs.readFileSync(sliced), fs.readFileSync(refSliced))).toBe(0)
    const strided = path.join(tmp.dir, 'f-strided.npy')
    const refStrided = path.join(tmp.dir, 'f-strided-ref.npy')
    py(
      `np.save(${JSON.stringify(refStrided)}, np.asfortranarray(np.arange(60, dtype='<f8').reshape(3, 4, 5))[::2, 1:, ::-1]); print(1)`
    )
    expect((await runCli(['export', raw, ...layout, '--slice', '::2, 1:, ::-1', '--out', strided])).code).toBe(0)
    expect(Buffer.compare(fs.readFileSync(strided), fs.readFileSync(refStrided))).toBe(0)
  })
})

describe('headers np.load refuses', () => {
  const header = (version: string, dict: string): string => `
import struct
d = ${JSON.stringify(dict)}.encode('latin1')
major, minor = ${version}
pre = 10 if major == 1 else 12
pad = 64 - (pre + len(d) + 1) % 64
body = d + b' ' * pad + b'\\n'
blob = b'\\x93NUMPY' + bytes([major, minor]) + (struct.pack('<H', len(body)) if major == 1 else struct.pack('<I', len(body))) + body + bytes(24)
`
  const cases: [string, string, string, RegExp][] = [
    [
      'version 1.5',
      '(1, 5)',
      "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
      /format version 1\.5 is not supported: numpy reads only versions 1\.0, 2\.0 and 3\.0/
    ],
    [
      'version 4.0',
      '(4, 0)',
      "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
      /format version 4\.0 is not supported/
    ],
    [
      'an extra key',
      '(1, 0)',
      "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'extra': 1}",
      /does not contain the correct keys: \['descr', 'extra', 'fortran_order', 'shape'\]/
    ],
    [
      'a missing key',
      '(1, 0)',
      "{'descr': '<f8', 'shape': (3,)}",
      /does not contain the correct keys: \['descr', 'shape'\]/
    ],
    [
      'a shape given as a list',
      '(1, 0)',
      "{'descr': '<f8', 'fortran_order': False, 'shape': [3], }",
      /shape is not valid: \[3\] \(numpy needs a tuple of integers\)/
    ],
    [
      'a shape that is an int in parentheses',
      '(1, 0)',
      "{'descr': '<f8', 'fortran_order': False, 'shape': (3), }",
      /shape is not valid: 3/
    ],
    [
      'fortran_order 0',
      '(1, 0)',
      "{'descr': '<f8', 'fortran_order': 0, 'shape': (3,), }",
      /fortran_order is not a valid bool: 0/
    ],
    ['not a dict', '(1, 0)', "['descr', '<f8']", /it is not a dictionary/],
    [
      'a bad descr',
      '(1, 0)',
      "{'descr': 'xyz', 'fortran_order': False, 'shape': (3,), }",
      /descr is not a valid dtype descriptor: 'xyz'/
    ],
    [
      'objects',
      '(1, 0)',
      "{'descr': '|O', 'fortran_order': False, 'shape': (3,), }",
      /holds Python objects \(dtype O\): reading them needs pickles, which ArrayScope never loads/
    ],
    [
      'objects in a record',
      '(1, 0)',
      "{'descr': [('a', '<f8'), ('b', '|O')], 'fortran_order': False, 'shape': (1,), }",
      /needs pickles/
    ]
  ]
  it.each(cases)('%s', async (name, version, dict, message) => {
    const file = path.join(tmp.dir, `bad-${name.replace(/\W+/g, '-')}.npy`)
    const numpySays = py<string>(`${header(version, dict)}
open(${JSON.stringify(file)}, 'wb').write(blob)
try:
    np.load(${JSON.stringify(file)})
    print(json.dumps('loaded'))
except Exception as e:
    print(json.dumps(type(e).__name__))`)
    expect(numpySays).toBe('ValueError')
    for (const command of ['info', 'show']) {
      const r = await runCli([command, file])
      expect([name, r.code]).toEqual([name, 2])
      expect(r.stderr).toMatch(message)
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    }
  })
})
