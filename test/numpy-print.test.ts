// `arrayscope show` (no --json) against numpy's str() of the same array: np.array2string's rules for every
// dtype — floats positional or scientific as numpy chooses, widths, nan/inf, complex, bool, ints, strings,
// records with sub-arrays — line wrapping at 75 columns, and '...' summarisation past 1000 elements.
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

interface Case {
  name: string
  file: string
  dtype: string
  shape: number[]
  expected: string
}

function cases(seed: number, count: number): Case[] {
  return py<Case[]>(`
import warnings
warnings.simplefilter('ignore')
rng = np.random.default_rng(${seed})
def values(dt, n):
    kind = np.dtype(dt).kind
    if kind == 'b': return rng.integers(0, 2, n).astype(bool)
    if kind in 'iu':
        info = np.iinfo(dt)
        hi = min(int(info.max), 10 ** int(rng.integers(1, 12)))
        lo = max(int(info.min), -hi)
        return rng.integers(lo, hi, n, endpoint=True).astype(dt)
    if kind == 'c': return (values('f8', n) + 1j * values('f8', n)).astype(dt)
    scale = 10.0 ** rng.integers(-12, 14)
    style = rng.integers(0, 6)
    if style == 0: x = rng.standard_normal(n) * scale
    elif style == 1: x = rng.integers(-1000, 1000, n).astype(float)
    elif style == 2: x = np.round(rng.standard_normal(n) * 100, int(rng.integers(0, 4)))
    elif style == 3: x = rng.uniform(0, 1, n)
    elif style == 4: x = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 5, n)
    else: x = np.linspace(-1, 1, n) * scale
    if rng.random() < 0.3 and n > 3:
        x[rng.integers(0, n, 2)] = rng.choice([np.nan, np.inf, -np.inf, 0.0, -0.0], 2)
    return x.astype(dt)
shapes = [(1,), (5,), (7,), (31,), (100,), (3, 4), (12, 13), (2, 3, 4), (1001,), (40, 30), (3, 400), (2, 2, 2, 2), (9, 9, 13)]
dtypes = ['<f8', '>f8', '<f4', '<f2', '<c16', '<c8', '?', 'i1', '<i4', '>i8', 'u1', '<u8']
out = []
for k in range(${count}):
    dt = dtypes[int(rng.integers(0, len(dtypes)))]
    shape = shapes[int(rng.integers(0, len(shapes)))]
    a = values(dt, int(np.prod(shape))).reshape(shape)
    p = ${JSON.stringify(tmp.dir)} + f'/p${seed}-{k}.bin'
    a.tofile(p)
    out.append({'name': f'{dt} {shape} #{k}', 'file': p, 'dtype': dt, 'shape': list(shape), 'expected': str(a)})
print(json.dumps(out))`)
}

// PRINT_SEED and PRINT_CASES run other or more random cases (e.g. PRINT_CASES=800: a few seconds).
describe('str() of random arrays', () => {
  it.each(
    cases(Number(process.env.PRINT_SEED ?? 11), Number(process.env.PRINT_CASES ?? 150)).map((c) => [c.name, c] as const)
  )('%s', async (_name, c) => {
    const r = await runCli(['show', c.file, '--dtype', c.dtype, '--shape', c.shape.join(',')])
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe(c.expected + '\n')
  })
})

describe('named cases', () => {
  const named: [string, string][] = [
    ['integral floats', 'np.array([1., 1.])'],
    ['a trailing dot padded', 'np.array([1.5, 2.])'],
    ['scientific by ratio', 'np.array([1.0, 1001.0])'],
    ['scientific by size', 'np.array([0.0, 1e-5, 1.5e-5, -3.0])'],
    ['float32 cutoff 1e6', "np.array([1e6, 1], 'f4')"],
    ['float16 cutoff 1e3', "np.array([1000., 1], 'f2')"],
    ['wide exponents', 'np.array([1.1, 1e300, -2e-300])'],
    ['nan and inf widths', 'np.array([np.nan, 1.5, -np.inf, np.inf])'],
    ['only nan', 'np.array([np.nan, np.nan])'],
    ['negative zero', 'np.array([-0.0, 1.0])'],
    ['rounded at 8 digits, ties to even', 'np.array([0.123456785, 0.5, 2.675, 1/3])'],
    ['complex', 'np.array([0.22199317+0.32756395j, 1-2j, np.nan + 1j, 3 - np.inf * 1j])'],
    ['complex64', "np.array([1e-7+2j, 3.5-0.25j], 'c8')"],
    ['bool', 'np.array([[True, False], [False, True]])'],
    ['ints', 'np.array([[1, -22], [333, 4]])'],
    ['big uint64', "np.array([0, 2**64 - 1], 'u8')"],
    ['bytes', "np.array([b'a', b'bcd', b'\\x00x', b\"it's\"], 'S4')"],
    ['text', "np.array(['a', 'bcd', 'caf\\u00e9'], '<U4')"],
    ['void', "np.array([b'\\x01\\x02', b'ab'], 'V2')"],
    ['records', "np.array([(1.5, 2, b'x'), (-3.25, 40, b'yz')], 'f8,i4,S2')"],
    [
      'records with sub-arrays',
      "np.array([(1, [1.5, 2.0, 3.0]), (2, [4.0, 5.5, 6.0])], [('a', 'u1'), ('b', '<f4', (3,))])"
    ],
    ['one-field records', "np.array([(1.5,), (2.0,)], [('x', '<f8')])"],
    ['nested records', "np.array([((1, 2.5), 3)], [('n', [('a', 'i2'), ('b', 'f8')]), ('c', 'u1')])"],
    ['summarised 3-D', 'np.arange(2000.).reshape(10, 20, 10)'],
    ['summarised with a short axis', 'np.arange(3003).reshape(3, 1001)'],
    ['0-d float', 'np.array(0.1)'],
    ['0-d float32', "np.array(0.1, 'f4')"],
    ['0-d text', "np.array('ab')"],
    ['0-d bytes', "np.array(b'ab')"],
    ['empty', 'np.zeros((3, 0))'],
    ['long double', 'np.arange(5, dtype=np.longdouble) / 3']
  ]
  it.each(named)('%s', async (name, expr) => {
    const file = path.join(tmp.dir, `named-${name.replace(/\W+/g, '-')}.npy`)
    const expected = py<string>(`a = ${expr}\nnp.save(${JSON.stringify(file)}, a)\nprint(json.dumps(str(a)))`)
    const r = await runCli(['show', file])
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe(expected + '\n')
  })
})
