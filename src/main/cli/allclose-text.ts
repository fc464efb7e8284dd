// numpy.testing.assert_allclose's failure message, as numpy 2 writes it (numpy/testing/_private/utils.py,
// assert_array_compare): the mismatched elements as f-strings of numpy scalars (a float32 prints its float64
// value, 99.99993896484375), at most 5 of them, and the largest differences as np.array2string prints them, in
// the dtype numpy computes `abs(x - y)` in (float32 for two float32 arrays: 6.1035156e-05).
import type { DiffReport } from '../service/diff'
import { arrayStr } from '../../shared/array-print'
import { parseScalarDType, type ScalarDType } from '../../shared/dtypes'
import { halfToNumber, numberToHalf } from '../../shared/floats'
import { pyFloatRepr } from '../../shared/json-value'
import { compileFormat } from '../../shared/printf'
import type { DType, Value } from '../../shared/structured'

/** How many mismatches numpy lists. */
export const NUMPY_LISTED = 5

/** f"{x}" of a numpy scalar: Python's repr of the value as a float64 / complex / int / bool. */
export function pyScalarText(dt: DType, v: Value): string {
  if (dt.kind !== 'scalar') return String(v)
  switch (dt.type.kind) {
    case 'bool':
      return v ? 'True' : 'False'
    case 'int':
    case 'uint':
      return String(v)
    case 'complex': {
      const [re, im] = v as readonly [number, number]
      const part = (x: number): string => pyFloatRepr(x).replace(/\.0$/, '')
      if (re === 0 && !Object.is(re, -0)) return `${part(im)}j`
      const sign = im < 0 || Object.is(im, -0) || Number.isNaN(im) ? '' : '+'
      return `(${part(re)}${sign}${part(im)}j)`
    }
    default:
      return pyFloatRepr(Number(v))
  }
}

const FLOATS = ['float16', 'float32', 'float64']

/** numpy's result type of x − y for two real dtypes, or null when numpy cannot subtract them (bool). */
function differenceType(a: ScalarDType, b: ScalarDType): ScalarDType | null {
  const kinds = [a.type.kind, b.type.kind]
  if (kinds.includes('bool') || kinds.includes('complex')) return null
  const floats = [a, b].filter((d) => FLOATS.includes(d.type.name))
  const ints = [a, b].filter((d) => d.type.kind === 'int' || d.type.kind === 'uint')
  if (ints.length === 2) return parseScalarDType('<i8') // printed as an integer whatever its width
  if (floats.length === 0) return parseScalarDType('<f8') // bfloat16, float8: ml_dtypes' promotions vary
  let rank = Math.max(...floats.map((d) => FLOATS.indexOf(d.type.name)))
  // an integer beside a float: int8/uint8 fit float16, int16/uint16 float32, wider ones only float64
  for (const d of ints) rank = Math.max(rank, d.itemsize === 1 ? 0 : d.itemsize === 2 ? 1 : 2)
  if (floats.length + ints.length < 2) rank = 2
  return parseScalarDType(['<f2', '<f4', '<f8'][rank]!)
}

/** A float64 figure rounded to `dt` and printed by np.array2string, as numpy prints a 0-d array. */
function array2string(dt: ScalarDType, x: number): string {
  if (dt.type.kind === 'int') return String(Math.round(x))
  const v = dt.type.name === 'float32' ? Math.fround(x) : dt.type.name === 'float16' ? halfToNumber(numberToHalf(x)) : x
  return arrayStr({ dtype: dt, shape: [1], read: () => v }).slice(1, -1)
}

export function allcloseText(r: DiffReport, a: DType, b: DType, tol: string): string {
  const lines = [`Not equal to tolerance ${tol}`, '']
  const percent = (100 * r.mismatched) / r.total
  lines.push(`Mismatched elements: ${r.mismatched} / ${r.total} (${compileFormat('%.3g')(percent, () => '')}%)`)
  if (r.mismatches.length) {
    const head =
      r.mismatched === 1
        ? 'Mismatch at index:'
        : r.mismatched <= r.mismatches.length
          ? 'Mismatch at indices:'
          : `First ${r.mismatches.length} mismatches are at indices:`
    lines.push(head)
    for (const m of r.mismatches) {
      lines.push(` [${m.index.join(', ')}]: ${pyScalarText(a, m.a)} (ACTUAL), ${pyScalarText(b, m.b)} (DESIRED)`)
    }
  }
  const diffType = a.kind === 'scalar' && b.kind === 'scalar' ? differenceType(a, b) : null
  if (diffType && r.maxAbsDiff !== null) {
    lines.push(`Max absolute difference among violations: ${array2string(diffType, r.maxAbsDiff)}`)
    // |x − y| / |y|: integers divide into float64, floats stay in their type
    const relType = diffType.type.kind === 'int' ? parseScalarDType('<f8') : diffType
    lines.push(`Max relative difference among violations: ${array2string(relType, r.maxRelDiff ?? Infinity)}`)
  }
  if (r.nanMismatched || r.infMismatched) {
    lines.push(`Of the mismatches, ${r.nanMismatched} involve NaN and ${r.infMismatched} involve ±inf.`)
  }
  return lines.join('\n') + '\n'
}
