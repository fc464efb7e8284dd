// %-formatting against Python's (what numpy's tofile(format=…) uses), exact ties included.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { float64Text } from '../src/shared/floats'
import { compileFormat, nativeFormat } from '../src/shared/printf'
import { native } from '../src/main/service/native'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

it.each([
  '%.6g',
  '%g',
  '%.3f',
  '%.0f',
  '%.4e',
  '%10.3g',
  '%-8.2f|',
  '%+.2e',
  '%d',
  '%5d',
  '%x',
  '%#o',
  '%s',
  '%.1g',
  '%G'
])('%s', (fmt) => {
  const ref = py<{ xs: number[]; out: string[] }>(`
rng = np.random.default_rng(3)
xs = list(rng.standard_normal(500) * 10.0 ** rng.integers(-8, 9, 500))
xs += [k / 2**j for k in range(-40, 41, 3) for j in range(1, 9)]  # exact binary ties
xs += [0.0, -0.0, 1e16, 123456789.0, 2.5, 0.5, 1.5, 9.9999995, 1e-5, float('inf'), float('-inf'), float('nan')]
def f(x):
    try:
        return ${JSON.stringify(fmt)} % (int(x) if '${fmt}'[-1] in 'dxo' else x)
    except (ValueError, OverflowError):
        return None
print(json.dumps({'xs': [x if np.isfinite(x) else str(x) for x in xs], 'out': [f(float(x)) for x in xs]}))`)
  const format = compileFormat(fmt)
  ref.xs.forEach((raw, k) => {
    const x = typeof raw === 'string' ? Number((raw as string).replace('inf', 'Infinity')) : raw
    const want = ref.out[k]
    if (want === null) return expect(() => format(x, () => String(x))).toThrow()
    expect(
      format(x, () => float64Text(x)),
      `${fmt} % ${raw}`
    ).toBe(want)
  })
})

it('the native formatter (export) equals Python on 60k values per format, near-ties and extremes included', () => {
  const { formatText } = native()
  const formats = [
    '%.6g',
    '%.9g',
    '%.15g',
    '%.17g',
    '%g',
    '%.1g',
    '%.3e',
    '%.14E',
    '%e',
    '%.2f',
    '%.0f',
    '%.10f',
    '%F',
    '%+012.4G'
  ]
  const xs = py<string>(`
rng = np.random.default_rng(8)
xs = rng.standard_normal(40000) * 10.0 ** rng.integers(-310, 309, 40000)
xs = np.concatenate([xs, rng.standard_normal(10000) * 10.0 ** rng.integers(-6, 16, 10000)])
# values at or next to decimal ties of 6, 9 and 15 significant digits, and at powers of ten
ties = [(np.floor(rng.random() * 10**p) + 0.5) * 10.0 ** int(rng.integers(-20, 20)) for p in (5, 6, 8, 9, 14) for _ in range(1000)]
ties += [10.0 ** k for k in range(-300, 300)] + [np.nextafter(10.0 ** k, 0) for k in range(-300, 300)]
xs = np.concatenate([xs, ties, [5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 0.0, -0.0]])
open(${JSON.stringify(path.join(tmp.dir, 'values.f8'))}, 'wb').write(xs.astype('<f8').tobytes())
out = {}
for f in ${JSON.stringify(formats)}:
    out[f] = '|'.join(f % x for x in xs.tolist())
print(json.dumps(out))`)
  const bytes = new Uint8Array(fs.readFileSync(path.join(tmp.dir, 'values.f8')))
  const count = bytes.length / 8
  const spec = { elem: 'f8', swap: false, count, sep: '|', rowSep: '', rowLength: 0, index0: 0, prefix: '', suffix: '' }
  for (const f of formats) {
    const parsed = nativeFormat(f, true)!
    const text = Buffer.from(formatText(bytes, { ...spec, ...parsed } as never)).toString()
    const got = text.split('|')
    const want = (xs as unknown as Record<string, string>)[f]!.split('|')
    const bad = got.flatMap((g, k) => (g === want[k] ? [] : [[k, g, want[k]]])).slice(0, 3)
    expect([f, bad]).toEqual([f, []])
  }
})
