// Statistics printed as numpy prints them: numpy computes a float array's min, max, mean and std in the array's
// own type (a float32 array's mean is an np.float32), so they print with that type's shortest round-trip
// digits — 0.50324 for float32 rather than float64's 0.5032399892807007. Integer arrays give exact integer
// extremes and float64 moments; a bool array's extremes are True/False.
import { parseScalarDType, type ScalarDType } from '../../../../shared/dtypes'

const FLOAT64 = parseScalarDType('<f8')

export function statText(dtype: string, x: number | string | null | undefined, what: 'extreme' | 'moment'): string {
  if (x === null || x === undefined) return '—'
  if (typeof x === 'string') return x // an exact decimal (int64 sums and extremes)
  let dt: ScalarDType
  try {
    dt = parseScalarDType(dtype)
  } catch {
    return FLOAT64.type.format(x) // records and the like never get here; keep something readable
  }
  const kind = dt.type.kind
  if (kind === 'float' && dt.type.float && !dt.type.name.startsWith('longdouble'))
    return dt.type.format(dt.type.float.round(x))
  if (what === 'extreme' && kind === 'bool') return x ? 'True' : 'False'
  if (what === 'extreme' && (kind === 'int' || kind === 'uint')) return String(x)
  return FLOAT64.type.format(x)
}
