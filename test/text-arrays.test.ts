// Text arrays (issue 33): values read by `--sep` equal numpy.fromfile(sep=…) and np.loadtxt on files numpy, the
// csv module and pandas wrote; numpy's quirks (trailing separator, empty file, whitespace after a separator)
// behave as numpy; errors name the line and column; text opens read-only. Through the CLI (show, stats, export)
// on the real addon.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { runCli } from './helpers/cli'
import { NUMPY_DTYPES_COMPLEX, py, tempDir } from './helpers/numpy'

const { dir, cleanup } = tempDir()
afterAll(cleanup)
let n = 0
const file = (text: string | Buffer, ext = '.txt'): string => {
  const p = path.join(dir, `t${n++}${ext}`)
  fs.writeFileSync(p, text)
  return p
}

/** Exports a text file to .npy through the CLI; returns the .npy path. */
async function toNpy(src: string, flags: string[]): Promise<string> {
  const out = path.join(dir, `o${n++}.npy`)
  const r = await runCli(['export', src, ...flags, '--out', out])
  expect(r.stderr).toMatch(/wrote/)
  expect(r.code).toBe(0)
  return out
}

/** True when python says the two arrays are the same: dtype, shape and values (NaN equal, bits of finite). */
function sameAsNumpy(npy: string, expr: string): boolean {
  return py<boolean>(`
a = np.load(${JSON.stringify(npy)})
b = ${expr}
ok = a.dtype == b.dtype and a.shape == b.shape
if ok and a.dtype.kind in 'fc':
    ok = bool(np.array_equal(a, b, equal_nan=True)) and bool((np.signbit(a.real) == np.signbit(b.real))[~np.isnan(a.real)].all())
elif ok:
    ok = bool(np.array_equal(a, b))
print(json.dumps(ok))`)
}

describe('numpy.fromfile(sep=…)', () => {
  test.each(NUMPY_DTYPES_COMPLEX)('%s written by tofile(sep) reads as fromfile reads it', async (dtype) => {
    for (const sep of [' ', ', ', '\n', ';']) {
      const p = path.join(dir, `tofile-${dtype.replace(/\W/g, '_')}-${sep.charCodeAt(0)}.txt`)
      py(`
rng = np.random.default_rng(7)
dt = np.dtype(${JSON.stringify(dtype)})
if dt.kind == 'b': a = rng.integers(0, 2, 50).astype(dt)
elif dt.kind in 'iu':
    info = np.iinfo(dt); a = rng.integers(info.min, info.max, 50, endpoint=True, dtype=dt.newbyteorder('='))
else:
    a = (rng.standard_normal(50) * 10.0 ** rng.integers(-5, 5, 50)).astype(dt)
    if dt.kind == 'c': a = a + 1j * rng.standard_normal(50).astype(dt)
    a[3] = np.nan; a[4] = np.inf; a[5] = -np.inf; a[6] = -0.0
a = a.astype(dt)
if dt.kind in 'bc':
    # numpy cannot read back what tofile writes for these ('True', '(1+2j)'): write what fromfile reads
    words = [str(int(x)) if dt.kind == 'b' else repr(complex(x)).strip('()') for x in a]
    open(${JSON.stringify(p)}, 'w').write(${JSON.stringify(sep)}.join(words))
else:
    a.tofile(${JSON.stringify(p)}, sep=${JSON.stringify(sep)})
print(1)`)
      const npy = await toNpy(p, ['--sep', sep, '--dtype', dtype])
      // numpy 2.4 parses text into a non-native dtype with its bytes swapped (values wrong): compare with the
      // values parsed natively, then cast to the byte order asked for
      const native = dtype.replace('>', '<')
      expect(
        sameAsNumpy(
          npy,
          `np.fromfile(${JSON.stringify(p)}, dtype=${JSON.stringify(native)}, sep=${JSON.stringify(sep)}).astype(${JSON.stringify(dtype)})`
        ),
        `${dtype} sep ${JSON.stringify(sep)}`
      ).toBe(true)
    }
  })

  // numpy's own answers on odd texts: the same values, or an error where numpy gives one
  const CASES: [string, string, string][] = [
    ['1 2 3', 'f8', ' '],
    ['', 'f8', ' '],
    ['1,2,3,', 'f8', ','],
    ['1 , 2 ,3\n', 'f8', ','],
    ['1,2\n,', 'f8', ','],
    ['1\r\n2\r\n', 'f8', ' '],
    ['\n1\n2\n\n', 'f8', ' '],
    ['1;2;3', 'f8', ';'],
    ['1 ; 2;3', 'f8', ' ; '],
    ['1\t2\n3', 'f8', ' '],
    ['1\t\t2', 'f8', '\t'],
    ['nan inf -inf NaN Inf -Infinity infinity +inf nan(123) NAN infinit', 'f8', ' '],
    ['1e3 .5 5. -0 +3 1E3 -.5e-3 1e 1e+ 1e400 -1e400 1e-400 4.9e-324', 'f8', ' '],
    ['1.5 2 65504 65520 1e-8 0.1', 'f2', ' '],
    ['16777217 0.1 3.4e39', 'f4', ' '],
    ['+3 -4 010 00', 'i8', ' '],
    ['9223372036854775808 18446744073709551615 -9223372036854775809', 'i8', ' '],
    ['18446744073709551615 -1 18446744073709551616', 'u8', ' '],
    ['300 -1 256', 'u1', ' '],
    ['99999999999 -2147483649', 'i4', ' '],
    ['1 0 -1 2 1.5 nan 0.0 2e-400', '?', ' '],
    ['1+2j 1-2j 2j nan+nanj inf-infj -1e3-1e-3j 3 1e+2j 1e+2+1e+2j infj', 'c16', ' '],
    ['1+2j,3-4j,5', 'c8', ','],
    ['1, 2, 3', 'f8', ', '],
    ['1,2,3', 'f8', ', ']
  ]
  test.each(CASES)('%j as %s, sep %j: numpy.fromfile values', async (text, dtype, sep) => {
    const p = file(text)
    // --no-rows: numpy.fromfile's stream even for a separator that would read lines as rows
    const npy = await toNpy(p, ['--sep', sep, '--no-rows', '--dtype', dtype])
    expect(
      sameAsNumpy(npy, `np.fromfile(${JSON.stringify(p)}, dtype=${JSON.stringify(dtype)}, sep=${JSON.stringify(sep)})`)
    ).toBe(true)
  })

  const REFUSED: [string, string, string, RegExp][] = [
    ['  ', 'f8', ' ', /only whitespace/],
    ['1,2,\n', 'f8', ',', /line 2.*whitespace after a separator/],
    ['1,2\n3,4\n', 'f8', ',', /line 2, column 1: expected the separator ','/],
    ['1 2\n3 abc 4', 'f8', ' ', /line 2, column 3: cannot read 'abc' as float64/],
    ['1.5 2', 'i4', ' ', /line 1, column 2: expected the separator ' '/],
    ['0x10', 'i4', ' ', /column 2/],
    ['1,,2', 'f8', ',', /line 1, column 3: cannot read ',2'/],
    ['1-2', 'f8', ' ', /column 2: expected the separator/],
    ['1.e5', 'f8', ' ', /column 3/],
    ['1+2', 'c16', ' ', /cannot read '1\+2' as complex128/],
    ['1_0', 'f8', ' ', /column 2/]
  ]
  test.each(REFUSED)(
    '%j as %s, sep %j: refused as numpy refuses it, naming the line and column',
    async (text, dtype, sep, why) => {
      const p = file(text)
      const numpyRefuses = py<boolean>(`
try:
    np.fromfile(${JSON.stringify(p)}, dtype=${JSON.stringify(dtype)}, sep=${JSON.stringify(sep)}); print('false')
except ValueError: print('true')`)
      expect(numpyRefuses).toBe(true)
      const r = await runCli(['show', p, '--sep', sep, '--no-rows', '--dtype', dtype])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(why)
      expect(r.stderr).toContain(p)
    }
  )
})

describe('tables: np.loadtxt', () => {
  test('csv module, savetxt and a header: rows × columns as np.loadtxt(ndmin=2) reads them', async () => {
    const csvFile = path.join(dir, 'module.csv')
    const savetxt = path.join(dir, 'savetxt.csv')
    const spaced = path.join(dir, 'savetxt.txt')
    py(`
import csv
rng = np.random.default_rng(3)
a = rng.standard_normal((40, 5)); a[2, 3] = np.nan; a[5, 0] = np.inf; a[6, 1] = -np.inf
with open(${JSON.stringify(csvFile)}, 'w', newline='') as f:
    w = csv.writer(f)  # the csv module ends lines with \\r\\n
    w.writerow(['a', 'b', 'c', 'd', 'e'])
    for row in a: w.writerow([repr(float(x)) for x in row])
np.savetxt(${JSON.stringify(savetxt)}, a, delimiter=',', header='x,y,z,u,v', fmt='%.17g')
np.savetxt(${JSON.stringify(spaced)}, a, fmt='%.10e', header='made by savetxt\\nover two lines', footer='the end')
print(1)`)
    expect(fs.readFileSync(csvFile, 'latin1')).toContain('\r\n')
    const a = await toNpy(csvFile, ['--sep', ',', '--skip-rows', '1'])
    expect(sameAsNumpy(a, `np.loadtxt(${JSON.stringify(csvFile)}, delimiter=',', skiprows=1, ndmin=2)`)).toBe(true)
    // savetxt's header is a '#' comment: np.loadtxt skips it by default, and so does a table
    const b = await toNpy(savetxt, ['--sep', ','])
    expect(sameAsNumpy(b, `np.loadtxt(${JSON.stringify(savetxt)}, delimiter=',', ndmin=2)`)).toBe(true)
    // whitespace columns with comments: --rows reads lines as rows
    const c = await toNpy(spaced, ['--sep', ' ', '--rows', '--dtype', 'f4'])
    expect(sameAsNumpy(c, `np.loadtxt(${JSON.stringify(spaced)}, dtype='f4', ndmin=2)`)).toBe(true)
  })

  test('CRLF, no final newline, comments, blank lines, a header, integers', async () => {
    const text = 'id,count,total\r\n# a comment line\r\n1, 10 ,100\r\n\r\n2,20,200 # trailing comment\r\n3,30,300'
    const p = file(text, '.csv')
    const npy = await toNpy(p, ['--sep', ',', '--skip-rows', '1', '--dtype', '<i8'])
    expect(sameAsNumpy(npy, `np.loadtxt(${JSON.stringify(p)}, delimiter=',', skiprows=1, dtype='<i8', ndmin=2)`)).toBe(
      true
    )
    const shown = await runCli(['show', p, '--sep', ',', '--skip-rows', '1', '--dtype', 'i4'])
    expect(shown.stdout).toBe('[[  1  10 100]\n [  2  20 200]\n [  3  30 300]]\n')
  })

  test('pandas to_csv (index and header) reads as pandas reads it', async () => {
    const p = path.join(dir, 'pandas.csv')
    const has = py<boolean>(`
try:
    import pandas as pd
except ImportError:
    print('false'); raise SystemExit
rng = np.random.default_rng(5)
pd.DataFrame(rng.standard_normal((30, 4)), columns=list('abcd')).to_csv(${JSON.stringify(p)})
print('true')`)
    // pandas is pinned in requirements-test.txt: the venv has it
    expect(has).toBe(true)
    const npy = await toNpy(p, ['--sep', ',', '--skip-rows', '1'])
    expect(
      sameAsNumpy(
        npy,
        `__import__('pandas').read_csv(${JSON.stringify(p)}, float_precision='round_trip').to_numpy(dtype='f8')`
      )
    ).toBe(true)
  })

  test('a ragged row names its line and its count; a trailing separator is an empty value', async () => {
    const ragged = file('1,2,3\n4,5,6\n7,8\n', '.csv')
    const r = await runCli(['show', ragged, '--sep', ','])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/line 3 has 2 values, the rows before it have 3/)
    expect(
      py<boolean>(`
try:
    np.loadtxt(${JSON.stringify(ragged)}, delimiter=','); print('false')
except ValueError: print('true')`)
    ).toBe(true)
    const trailing = file('1,2,\n3,4,\n', '.csv')
    const t = await runCli(['show', trailing, '--sep', ','])
    expect(t.code).toBe(2)
    expect(t.stderr).toMatch(/line 1, column 5: the line ends with a separator/)
    const header = file('a,b\n1,2\n', '.csv')
    const h = await runCli(['show', header, '--sep', ','])
    expect(h.stderr).toMatch(/line 1, column 1: cannot read 'a,b' as float64.*--skip-rows/)
  })

  test('a given shape reshapes the values; a wrong one says how many there are', async () => {
    const p = file('1 2 3 4 5 6\n')
    expect((await runCli(['show', p, '--sep', ' ', '--shape', '2,-1', '--dtype', 'i2'])).stdout).toBe(
      '[[1 2 3]\n [4 5 6]]\n'
    )
    const r = await runCli(['show', p, '--sep', ' ', '--shape', '4,2'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/holds 6 values: shape \(4, 2\) needs 8/)
  })
})

describe('the CLI over text', () => {
  test('stats of a CSV equal numpy over np.loadtxt; export raw equals tofile', async () => {
    const p = path.join(dir, 'stats.csv')
    py(`
rng = np.random.default_rng(11)
a = rng.standard_normal((1000, 3)).astype('f4'); a[10, 1] = np.nan
np.savetxt(${JSON.stringify(p)}, a, delimiter=',', fmt='%.9g')
print(1)`)
    const r = await runCli(['stats', p, '--sep', ',', '--dtype', 'f4', '--json'])
    expect(r.code).toBe(0)
    const s = JSON.parse(r.stdout) as { count: number; nan: number; min: number; max: number; mean: number }
    const ref = py<{ min: number; max: number; mean: number }>(`
a = np.loadtxt(${JSON.stringify(p)}, delimiter=',', dtype='f4')
f = a[np.isfinite(a)]
print(json.dumps({'min': float(f.min()), 'max': float(f.max()), 'mean': float(f.mean(dtype='f8'))}))`)
    expect(s.count).toBe(3000)
    expect(s.nan).toBe(1)
    expect(s.min).toBe(ref.min)
    expect(s.max).toBe(ref.max)
    expect(s.mean).toBeCloseTo(ref.mean, 5)
    const raw = path.join(dir, 'stats.bin')
    expect((await runCli(['export', p, '--sep', ',', '--dtype', '>f4', '--out', raw])).code).toBe(0)
    expect(
      py<boolean>(`
a = np.loadtxt(${JSON.stringify(p)}, delimiter=',', dtype='>f4')
print(json.dumps(open(${JSON.stringify(raw)}, 'rb').read() == a.tobytes()))`)
    ).toBe(true)
    // text out with its own --sep, the input's with --in-sep
    const txt = path.join(dir, 'stats-out.txt')
    expect(
      (
        await runCli([
          'export',
          p,
          '--in-sep',
          ',',
          '--dtype',
          'f4',
          '--slice',
          ':2',
          '--out',
          txt,
          '--as',
          'text',
          '--sep',
          ' '
        ])
      ).code
    ).toBe(0)
    expect(fs.readFileSync(txt, 'utf8').split(' ')).toHaveLength(6)
  })

  test('info names the text, how it was read and what it holds (not the temporary copy)', async () => {
    const p = file('step,value\n1,2.5\n2,nan\n3,-1e3\n', '.csv')
    const r = await runCli(['info', p, '--sep', ',', '--skip-rows', '1'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({
      path: p,
      fileSize: 30,
      format: 'text',
      dtype: '<f8',
      shape: [3, 2],
      order: 'C',
      offset: 0,
      text: { sep: ',', rows: true, skip: 1, values: 6 },
      itemsize: 8,
      nbytes: 48
    })
  })

  test('text opens read-only; a separator with --array or a non-numeric dtype is refused', async () => {
    const p = file('1 2 3')
    for (const mode of ['r+', 'c']) {
      const r = await runCli(['show', p, '--sep', ' ', '--mode', mode])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/text array opens read-only \(mode r\)/)
    }
    expect((await runCli(['show', p, '--sep', ' ', '--array', 'x'])).stderr).toMatch(/--array takes the layout/)
    expect((await runCli(['show', p, '--sep', ' ', '--dtype', 'U5'])).stderr).toMatch(
      /text values cannot be read as <U5/
    )
    expect((await runCli(['show', p, '--skip-rows', '1'])).stderr).toMatch(/give its separator with --sep/)
  })
})
