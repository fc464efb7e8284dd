// %-formatting against Python's (what numpy's tofile(format=…) uses), exact ties included.
import { expect, it } from 'vitest'
import { float64Text } from '../src/shared/floats'
import { compileFormat } from '../src/shared/printf'
import { py } from './helpers/numpy'

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
