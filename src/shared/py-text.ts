// Python's str() of an element's .item(): what numpy's tofile(sep=…) writes when no format is given.
// Floats of every width print as the float64 value they convert to (float32 0.1 -> 0.10000000149011612).
import type { Scalar, ScalarDType } from './dtypes'
import { float64Text } from './floats'
import { bytesRepr } from './strings'

export function pyStr(dt: ScalarDType, v: Scalar): string {
  switch (dt.type.kind) {
    case 'bool':
      return v ? 'True' : 'False'
    case 'int':
    case 'uint':
      return String(v)
    case 'float':
      return float64Text(v as number)
    case 'complex': {
      const [re, im] = v as readonly [number, number]
      const imText = float64Text(im, true)
      // Python writes a zero real part of a complex as nothing only when it is +0: (1j), but (-0+1j).
      const reText = Object.is(re, 0) ? '' : float64Text(re, true)
      if (reText === '') return `${imText}j`
      return `(${reText}${imText.startsWith('-') ? '' : '+'}${imText}j)`
    }
    case 'bytes':
      return bytesRepr(v as string) // str() of bytes is their repr: b'abc'
    case 'str':
      return v as string
  }
}
