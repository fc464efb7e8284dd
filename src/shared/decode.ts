// Decoding window bytes (raw element bytes, row-major) into display text, via the dtype registry.
import { decodeAt, parseScalarDType, type Scalar, type ScalarDType } from './dtypes'

export interface DecodedWindow {
  rows: number
  cols: number
  dtype: ScalarDType
  value(row: number, col: number): Scalar
  text(row: number, col: number): string
}

export function decodeWindow(bytes: Uint8Array, dtype: string, rows: number, cols: number): DecodedWindow {
  const dt = parseScalarDType(dtype)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const value = (r: number, c: number): Scalar => decodeAt(dt, view, (r * cols + c) * dt.itemsize)
  return { rows, cols, dtype: dt, value, text: (r, c) => dt.type.format(value(r, c)) }
}
