// Decoding window bytes (raw element bytes, row-major) into values and display text, via the dtype registry.
import { decodeValue, formatValue, parseDType, type DType, type Value } from './structured'

export interface DecodedWindow {
  rows: number
  cols: number
  dtype: DType
  value(row: number, col: number): Value
  text(row: number, col: number): string
}

export function decodeWindow(bytes: Uint8Array, dtype: string, rows: number, cols: number): DecodedWindow {
  const dt = parseDType(dtype)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const value = (r: number, c: number): Value => decodeValue(dt, view, (r * cols + c) * dt.itemsize)
  return { rows, cols, dtype: dt, value, text: (r, c) => formatValue(dt, value(r, c)) }
}
