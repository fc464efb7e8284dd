// `arrayscope show --json` against numpy's .tolist() on random files: every dtype numpy has, ranks 1–4,
// both orders, odd offsets, random basic-indexing slices, and .npy files of header versions 1, 2 and 3.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runBin, runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

interface Case {
  path: string
  dtype: string
  shape: number[]
  offset: number
  order: 'C' | 'F'
  slice: string
  expected: string
}

const ENCODE = `
def enc(x):
    if isinstance(x, bool): return x
    if isinstance(x, int): return x if abs(x) <= 2**53 - 1 else str(x)
    if isinstance(x, float):
        if x != x: return 'nan'
        if x in (float('inf'), float('-inf')): return 'inf' if x > 0 else '-inf'
        return x
    if isinstance(x, complex): return [enc(x.real), enc(x.imag)]
    if isinstance(x, bytes): return x.hex()
    if isinstance(x, list): return [enc(v) for v in x]
    if isinstance(x, tuple): return x
    return x
def tolist(a):
    if a.dtype.names is None: return enc(a.tolist())
    names = [n for n in a.dtype.names]
    def rec(r):
        if isinstance(r, list): return [rec(v) for v in r]
        return {n: enc(v.tolist() if isinstance(v, np.ndarray) else v) for n, v in zip(names, r)}
    return rec(a.tolist())
def descr(dt):
    d = np.lib.format.dtype_to_descr(dt)
    def conv(x):
        if isinstance(x, (list, tuple)): return [conv(v) for v in x]
        return x
    return d if isinstance(d, str) else conv(d)
`

function makeCases(seed: number, count: number): Case[] {
  const dir = tmp.dir
  return py<Case[]>(`
${ENCODE}
rng = np.random.default_rng(${seed})
dtypes = ['?', 'i1', 'u1', '<i2', '>i2', '<u2', '>u2', '<i4', '>i4', '<u4', '>u4', '<i8', '>i8', '<u8', '>u8',
          '<f2', '>f2', '<f4', '>f4', '<f8', '>f8', '<c8', '>c8', '<c16', '>c16',
          np.dtype([('x', '<f4'), ('v', '>i2', (3,))]),
          np.dtype({'names': ['a', 'b'], 'formats': ['u1', '<f8'], 'offsets': [0, 8], 'itemsize': 16})]
def rand_slice(shape):
    parts = []
    for n in shape:
        r = rng.random()
        if r < 0.25 and n > 0:
            parts.append(str(int(rng.integers(-n, n))))
        elif r < 0.4:
            parts.append(':')
        else:
            def b():
                return '' if rng.random() < 0.3 else str(int(rng.integers(-n - 2, n + 3)))
            step = int(rng.choice([1, 2, 3, -1, -2]))
            parts.append(f"{b()}:{b()}" + ('' if step == 1 and rng.random() < 0.5 else f":{step}"))
    if len(parts) > 1 and rng.random() < 0.3:
        k = int(rng.integers(0, len(parts)))
        parts = parts[:k] + ['...'] + parts[k + 1:]
    return ', '.join(parts)
cases = []
for k in range(${count}):
    dt = np.dtype(dtypes[k % len(dtypes)])
    rank = int(rng.integers(1, 5))
    shape = tuple(int(v) for v in rng.integers(1, 6, size=rank))
    order = 'F' if rng.random() < 0.5 else 'C'
    offset = int(rng.integers(0, 40))
    raw = rng.integers(0, 256, size=int(np.prod(shape)) * dt.itemsize, dtype=np.uint8)
    if dt.kind == 'b': raw = raw & 1
    arr = np.frombuffer(raw.tobytes(), dtype=dt).reshape(shape, order=order)
    if dt.kind in 'fc':
        flat = arr.reshape(-1, order='A').copy()
        specials = [np.nan, np.inf, -np.inf, -0.0, 1.5]
        for j in range(min(len(flat), 3)): flat[int(rng.integers(0, len(flat)))] = specials[int(rng.integers(0, 5))]
        arr = flat.reshape(shape, order=order)
    path = f"${dir}/case{k}.bin"
    with open(path, 'wb') as f:
        f.write(bytes(rng.integers(0, 256, size=offset, dtype=np.uint8)))
        f.write(arr.tobytes(order=order))
        f.write(b'trailing')
    m = np.memmap(path, dtype=dt, mode='r', offset=offset, shape=shape, order=order)
    sl = rand_slice(shape)
    view = eval(f"m[{sl}]")
    cases.append({'path': path, 'dtype': json.dumps(descr(dt)) if dt.names else dt.str, 'shape': list(shape),
                  'offset': offset, 'order': order, 'slice': sl, 'expected': json.dumps(tolist(np.asarray(view)))})
print(json.dumps(cases))`)
}

function argsOf(c: Case, extra: string[] = []): string[] {
  return [
    'show',
    c.path,
    '--dtype',
    c.dtype,
    '--shape',
    c.shape.join(','),
    '--offset',
    String(c.offset),
    '--order',
    c.order,
    '--json',
    ...extra
  ]
}

describe('show --json equals numpy .tolist()', () => {
  const cases = makeCases(20261123, 162)
  it.each(cases.map((c, k) => [k, c] as const))('case %i', async (_k, c) => {
    const whole = await runCli(argsOf(c))
    expect(whole.stderr).toBe('')
    const sliced = await runCli(argsOf(c, ['--slice', c.slice]))
    expect(sliced.stderr, `slice [${c.slice}]`).toBe('')
    expect(sliced.code).toBe(0)
    expect(JSON.parse(sliced.stdout), `slice [${c.slice}] of ${c.dtype} ${c.order} ${JSON.stringify(c.shape)}`).toEqual(
      JSON.parse(c.expected)
    )
  })

  it('the built command gives the same answer as the in-process run', () => {
    const c = cases[5]!
    const r = runBin(argsOf(c, ['--slice', c.slice]))
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(c.expected))
  })
})

describe('.npy files', () => {
  it('reads header versions 1.0, 2.0 and 3.0 with no layout flags', async () => {
    const files = py<{ path: string; version: string; expected: string; info: Record<string, unknown> }[]>(`
${ENCODE}
out = []
arrays = [np.arange(60, dtype='>f4').reshape(3, 4, 5),
          np.asfortranarray(np.arange(12, dtype='<i8').reshape(3, 4)),
          np.array([(1.5, [1, 2, 3]), (2.5, [4, 5, 6])], dtype=[('x', '<f8'), ('\u00e9t\u00e9', '<i2', (3,))])]
for version in [(1, 0), (2, 0), (3, 0)]:
    for k, a in enumerate(arrays):
        if a.dtype.names and version != (3, 0): continue
        path = f"${tmp.dir}/v{version[0]}_{k}.npy"
        with open(path, 'wb') as f:
            np.lib.format.write_array(f, a, version=version)
        out.append({'path': path, 'version': f"{version[0]}.0", 'expected': json.dumps(tolist(a)),
                    'info': {'shape': list(a.shape), 'order': 'F' if a.flags.f_contiguous and a.ndim > 1 else 'C',
                             'offset': int(np.load(path, mmap_mode='r').offset)}})
print(json.dumps(out))`)
    expect(files.length).toBe(7)
    for (const f of files) {
      const info = await runCli(['info', f.path])
      expect(info.stderr).toBe('')
      expect(JSON.parse(info.stdout)).toMatchObject({ format: 'npy', ...f.info })
      const shown = await runCli(['show', f.path, '--json'])
      expect(JSON.parse(shown.stdout), `${f.path}`).toEqual(JSON.parse(f.expected))
    }
  })

  it('malformed headers get a clear error', async () => {
    const good = fs.readFileSync(path.join(tmp.dir, 'v1_0.npy'))
    const cases: [string, Buffer, RegExp][] = [
      [
        'bad-version.npy',
        Buffer.concat([good.subarray(0, 6), Buffer.from([9, 0]), good.subarray(8)]),
        /version 9\.0 is not supported/
      ],
      [
        'bad-dict.npy',
        Buffer.from(good.toString('latin1').replace("'shape'", "'shap'"), 'latin1'),
        /malformed \.npy header/
      ],
      ['bad-literal.npy', Buffer.from(good.toString('latin1').replace('{', '<'), 'latin1'), /malformed \.npy header/],
      [
        'long-header.npy',
        Buffer.concat([good.subarray(0, 8), Buffer.from([0xff, 0xff]), good.subarray(10, 100)]),
        /header/
      ]
    ]
    for (const [name, bytes, message] of cases) {
      const p = path.join(tmp.dir, name)
      fs.writeFileSync(p, bytes)
      const r = await runCli(['info', p])
      expect(r.code, name).toBe(2)
      expect(r.stderr, name).toMatch(message)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
  })

  it('writes headers numpy reads', () => {
    const p = path.join(tmp.dir, 'export.npy')
    return runCli(['export', path.join(tmp.dir, 'v1_0.npy'), '--out', p, '--slice', '1:, ::-1, 2']).then((r) => {
      expect(r.code).toBe(0)
      const ok = py<boolean>(`
a = np.load(${JSON.stringify(path.join(tmp.dir, 'v1_0.npy'))})[1:, ::-1, 2]
b = np.load(${JSON.stringify(p)})
print(json.dumps(bool(a.dtype == b.dtype and a.shape == b.shape and (a == b).all())))`)
      expect(ok).toBe(true)
    })
  })
})
