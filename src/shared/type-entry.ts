// What one element type is: the registry entry that dtypes.ts lists and strings.ts builds for S and U. Kept apart
// from the registry so that an entry's module needs only this file, not the registry that lists it.
import { BadRequestError } from './errors'

/**
 * A decoded element: numbers, exact 64-bit integers, booleans, complex [re, im], and strings — a U element's
 * text, or an S element's bytes one character per byte (U+0000–U+00FF), both without numpy's trailing NULs.
 */
export type Scalar = number | bigint | boolean | readonly [number, number] | string

/** bytes: numpy's S (bytes_); str: numpy's U (str_, UTF-32 code points). */
export type Kind = 'bool' | 'int' | 'uint' | 'float' | 'complex' | 'bytes' | 'str'

/** One element type, independent of byte order. */
export interface TypeEntry {
  /** numpy's name: float32, int64, bfloat16 … */
  name: string
  /** numpy's type character with size, e.g. f4; for types numpy lacks, the name. */
  code: string
  kind: Kind
  size: number
  decode(view: DataView, offset: number, little: boolean): Scalar
  encode(view: DataView, offset: number, value: Scalar, little: boolean): void
  /** Display text, numpy's repr of the scalar (shortest round-trip for floats). */
  format(value: Scalar): string
  /** Parses user text; throws ParseError with a reason (out of range, not a number…). */
  parse(text: string): Scalar
  /** Floats (and the parts of complex): numpy's printing of arrays needs these (arrayprint). */
  float?: {
    /** The shortest digits of |x| that read back as x in this type: [digits, exponent of the first]. */
    shortest(x: number): [string, number]
    /** np.finfo(type).precision: decimal digits the type holds (the scientific-notation cutoff uses it). */
    precision: number
    /** A float64 rounded to this type: numpy compares and divides an array's values in its own type. */
    round(x: number): number
  }
}

export class ParseError extends BadRequestError {}
