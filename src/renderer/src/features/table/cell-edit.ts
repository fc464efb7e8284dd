// Turning typed text into the bytes of one element (or one field of a record) at its file offset.
// Parsing is the dtype registry's: integers range-checked, floats with nan/inf, complex "1+2j", bool.
import type { LayoutInfo } from '../../../../shared/contract'
import { encodeAt } from '../../../../shared/dtypes'
import { applySlice, parseSlice } from '../../../../shared/slice'
import { parseDType, type StructField } from '../../../../shared/structured'

export function elementFileOffset(layout: LayoutInfo, slice: string, index: readonly number[]): number {
  const dtype = parseDType(layout.dtype)
  const base = { dtype, offset: layout.offset, shape: layout.shape, strides: layout.strides }
  const view = slice.trim() ? applySlice(base, parseSlice(slice)) : base
  return index.reduce((o, i, k) => o + i * view.strides[k]!, view.offset)
}

/** The bytes to write for text typed into a cell; throws with the reason the text is refused. */
export function encodeCell(
  layout: LayoutInfo,
  field: StructField | null,
  text: string
): { delta: number; bytes: Uint8Array } {
  const dtype = parseDType(layout.dtype)
  const target = field ? field.dtype : dtype
  if (field && field.shape.length) throw new Error(`field '${field.name}' is a sub-array: edit it in the hex view`)
  if (target.kind !== 'scalar') throw new Error('edit a record one field at a time')
  const value = target.type.parse(text)
  const bytes = new Uint8Array(target.itemsize)
  encodeAt(target, new DataView(bytes.buffer), 0, value)
  return { delta: field ? field.offset : 0, bytes }
}
