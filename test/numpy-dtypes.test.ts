// numpy as the reference for the dtypes numpy reads beyond plain numbers — S and U strings (both orders, in
// records), long double, sub-array spellings, (type, shape) fields, nested records, comma strings, the dict
// form — and for --json's float tokens: `show --json` equals json.dumps of numpy's .tolist(), text for text.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

/** Python's json of numpy's .tolist(), with our encoding of what JSON lacks (nan, big ints, bytes as latin-1). */
const ENCODE = `
def enc(x):
    if isinstance(x, (bool, np.bool_)): return bool(x)
    if isinstance(x, (int, np.integer)): return int(x) if abs(int(x)) <= 2**53 - 1 else str(int(x))
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if x != x: return 'nan'
        if x in (float('inf'), float('-inf')): return 'inf' if x > 0 else '-inf'
        return x
    if isinstance(x, complex): return [enc(x.real), enc(x.imag)]
    if isinstance(x, bytes): return x.decode('latin-1')
    if isinstance(x, (list, tuple)): return [enc(v) for v in x]
    return x
def tolist(a):
    if a.dtype.names is None: return enc(a.tolist())
    def rec(r, dt):
        if isinstance(r, list): return [rec(v, dt) for v in r]
        out = {}
        for n, v in zip(dt.names, r):
            sub = dt.fields[n][0]
            if sub.names is not None and sub.shape == (): out[n] = rec(v, sub)
            elif isinstance(v, np.ndarray): out[n] = enc(v.tolist()) if sub.base.names is None else [rec(x, sub.base) for x in v.tolist()]
            else: out[n] = enc(v)
        return out
    return rec(a.tolist(), a.dtype)
def dumps(a): return json.dumps(tolist(a), ensure_ascii=False)
`

interface Case {
  /** The array, as a Python expression. */
  make: string
  /** Layout flags for the raw file (the .npy needs none). */
  flags: string[]
}

const CASES: Record<string, Case> = {
  'S5 with NULs and high bytes': {
    make: "np.array([b'abc', b'a\\x00b', b'', b'\\xff\\xfe', b'12345'], 'S5')",
    flags: ['--dtype', '|S5']
  },
  '<U8 beyond the BMP': {
    make: "np.array(['ab', 'caf\\u00e9', '\\U0001F600x', ''], '<U8')",
    flags: ['--dtype', '<U8']
  },
  '>U3': { make: "np.array([['x', 'yz'], ['\\u20ac', 'abc']], '>U3')", flags: ['--dtype', '>U3', '--shape', '2,2'] },
  "f8,i4,S5 (numpy's recarray_from_file)": {
    make: "np.array([(1.5, -2, b'ab'), (2.5e300, 7, b'hello')], np.dtype('f8,i4,S5'))",
    flags: ['--dtype', 'f8,i4,S5']
  },
  'record with U and S fields, both orders': {
    make: "np.array([(b'x', 'y\\u00e9', 3), (b'', 'zz', -1)], [('a', 'S2'), ('b', '>U2'), ('c', '<i2')])",
    flags: ['--dtype', "[('a', 'S2'), ('b', '>U2'), ('c', '<i2')]"]
  },
  '<f16 long double': {
    make: 'np.array([0, 1.5, -2.0**-1074, 1e300, np.inf, -np.inf, np.nan], np.longdouble) / np.longdouble(3)',
    flags: ['--dtype', '<f16']
  },
  '>f16 long double': {
    make: "(np.arange(6, dtype=np.longdouble) / 7).astype('>f16').reshape(2, 3)",
    flags: ['--dtype', '>f16', '--shape', '2,3']
  },
  '(3,4)i4 sub-array, shape inferred': {
    make: "np.arange(24, dtype='<i4').reshape(2, 3, 4)",
    flags: ['--dtype', '(3,4)i4']
  },
  '(10,)i4 sub-array with a shape': {
    make: "np.arange(60, dtype='<i4').reshape(2, 3, 10)",
    flags: ['--dtype', '(10,)<i4', '--shape', '2,3']
  },
  'a (dtype, shape) field and nested records': {
    make: "np.array([((1, 2, 3), (0.5, ((1, 2), (3, 4))), b'ab'), ((-4, 5, -6), (1e300, ((5, 6), (7, 8))), b'xyz')], [('a', ('<i4', (3,))), ('n', [('x', '<f8'), ('y', 'u1', (2, 2))]), ('s', 'S3')])",
    flags: ['--dtype', "[('a', ('<i4', (3,))), ('n', [('x', '<f8'), ('y', 'u1', (2, 2))]), ('s', 'S3')]"]
  },
  'dict form with a gap': {
    make: "np.array([(7, 1.25), (255, -3.5)], np.dtype({'names': ['a', 'b'], 'formats': ['u1', '<f8'], 'offsets': [0, 8], 'itemsize': 16}))",
    flags: ['--dtype', "{'names': ['a', 'b'], 'formats': ['u1', '<f8'], 'offsets': [0, 8], 'itemsize': 16}"]
  },
  'float tokens': {
    make: 'np.array([14947330.0, -4.843662301069522e+19, 1e-05, 0.1, 1e16, 123.0, -0.0, 5e-324, 1e22, 0.0001])',
    flags: ['--dtype', '<f8']
  },
  'float32 and float16 as float64 values': {
    make: "np.array([0.1, 3.0, 65504.0, 1e-7, 16777217.0], '<f4')",
    flags: ['--dtype', '<f4']
  },
  'complex tokens': { make: "np.array([1+2j, 1e20-0.5j, 3j], '<c16')", flags: ['--dtype', '<c16'] }
}

describe('show --json equals json.dumps of .tolist()', () => {
  it.each(Object.entries(CASES))('%s', async (name, c) => {
    const tag = name.replace(/\W+/g, '-')
    const raw = path.join(tmp.dir, `${tag}.bin`)
    const npy = path.join(tmp.dir, `${tag}.npy`)
    const expected = py<string>(`${ENCODE}
a = ${c.make}
a.tofile(${JSON.stringify(raw)})
np.save(${JSON.stringify(npy)}, a)
print(json.dumps(dumps(a)))`)
    const fromRaw = await runCli(['show', raw, ...c.flags, '--json'])
    expect([name, fromRaw.stderr]).toEqual([name, ''])
    expect(fromRaw.stdout.trimEnd()).toBe(expected)
    const fromNpy = await runCli(['show', npy, '--json'])
    expect(fromNpy.stdout.trimEnd()).toBe(expected)
    // info reports numpy's shape for a sub-array dtype
    const info = JSON.parse((await runCli(['info', npy])).stdout) as { shape: number[] }
    expect(info.shape).toEqual(py<number[]>(`print(json.dumps(list(np.load(${JSON.stringify(npy)}).shape)))`))
  })
})

describe('strings: edited with a length check, exported as tofile writes them', () => {
  it('set writes what numpy reads back, and refuses what does not fit instead of cutting it', async () => {
    const s = path.join(tmp.dir, 'edit-s.bin')
    const u = path.join(tmp.dir, 'edit-u.bin')
    py(
      `np.array([b'aaa', b'bbb'], 'S3').tofile(${JSON.stringify(s)}); np.array(['x', 'y'], '>U3').tofile(${JSON.stringify(u)}); print(1)`
    )
    expect((await runCli(['set', s, '--dtype', 'S3', '--index', '1', '--value', 'ab'])).code).toBe(0)
    expect((await runCli(['set', s, '--dtype', 'S3', '--index', '0', '--value', "b'\\xff\\x00z'"])).code).toBe(0)
    const tooLong = await runCli(['set', s, '--dtype', 'S3', '--index', '0', '--value', 'abcd'])
    expect([tooLong.code, tooLong.stderr]).toEqual([
      2,
      expect.stringMatching(/4 bytes do not fit in \|S3, which holds 3/)
    ])
    const notAscii = await runCli(['set', s, '--dtype', 'S3', '--index', '0', '--value', 'é'])
    expect([notAscii.code, notAscii.stderr]).toEqual([2, expect.stringMatching(/'é' is not ASCII/)])
    expect(
      py<string[]>(`print(json.dumps([x.decode('latin-1') for x in np.fromfile(${JSON.stringify(s)}, 'S3').tolist()]))`)
    ).toEqual(['\u00ff\u0000z', 'ab'])
    expect((await runCli(['set', u, '--dtype', '>U3', '--index', '0', '--value', 'é€😀'])).code).toBe(0)
    const longU = await runCli(['set', u, '--dtype', '>U3', '--index', '1', '--value', 'abcd'])
    expect([longU.code, longU.stderr]).toEqual([2, expect.stringMatching(/4 characters do not fit in U3/)])
    expect(py<string[]>(`print(json.dumps(np.fromfile(${JSON.stringify(u)}, '>U3').tolist()))`)).toEqual(['é€😀', 'y'])
  })

  it('raw and text exports equal tofile', async () => {
    const s = path.join(tmp.dir, 'exp-s.bin')
    const u = path.join(tmp.dir, 'exp-u.bin')
    const refs = py<Record<string, string>>(`
a = np.array([b'ab', b'c\\x00d', b'', b"it's"], 'S4'); a.tofile(${JSON.stringify(s)})
b = np.array(['ab', 'x', ''], '<U3'); b.tofile(${JSON.stringify(u)})
out = {}
for name, arr in (('s', a), ('u', b)):
    p = ${JSON.stringify(tmp.dir)} + '/ref-' + name
    arr.tofile(p + '.raw'); arr.tofile(p + '.txt', sep=' ')
    out[name + 'raw'] = open(p + '.raw', 'rb').read().hex(); out[name + 'txt'] = open(p + '.txt', 'rb').read().hex()
    for f in ('%s', '%r', '%5s'):
        arr.tofile(p + '.f', sep=';', format=f); out[name + f] = open(p + '.f', 'rb').read().hex()
print(json.dumps(out))`)
    for (const [name, file, dtype] of [
      ['s', s, 'S4'],
      ['u', u, '<U3']
    ] as const) {
      const raw = path.join(tmp.dir, `out-${name}.raw`)
      const txt = path.join(tmp.dir, `out-${name}.txt`)
      expect((await runCli(['export', file, '--dtype', dtype, '--out', raw])).code).toBe(0)
      expect((await runCli(['export', file, '--dtype', dtype, '--out', txt, '--as', 'text'])).code).toBe(0)
      expect(fs.readFileSync(raw).toString('hex')).toBe(refs[`${name}raw`])
      expect(fs.readFileSync(txt).toString('hex')).toBe(refs[`${name}txt`])
      for (const f of ['%s', '%r', '%5s']) {
        const r = await runCli([
          'export',
          file,
          '--dtype',
          dtype,
          '--out',
          txt,
          '--force',
          '--as',
          'text',
          '--sep',
          ';',
          '--fmt',
          f
        ])
        expect([f, r.code]).toEqual([f, 0])
        expect([f, fs.readFileSync(txt).toString('hex')]).toEqual([f, refs[`${name}${f}`]])
      }
      // numpy: "%d format: a real number is required, not bytes"
      const d = await runCli(['export', file, '--dtype', dtype, '--out', txt, '--force', '--as', 'text', '--fmt', '%d'])
      expect([d.code, d.stderr]).toEqual([
        2,
        expect.stringMatching(/format '%d' needs numbers; .* holds (bytes|text): use %s/)
      ])
    }
  })
})
