// Stored bytes ↔ values, as a session's source describes them (SessionInfo.array): the one place the renderer
// and the CLI turn a value's byte offset in the session's layout into the stored bytes that hold it (the hex
// view's selection) and back (a go-to from the hex view). A scaled array's layout offsets are the stored ones times
// the ratio of the itemsizes; a quantized tensor's layout is a virtual float32 array from offset 0 whose element
// i lies in block floor(i / elems) of the stored blocks; any other array's values are its stored bytes.
import type { SessionInfo } from './contract'

/** The stored bytes holding the value at byteOffset of the layout (a quantized value: its whole block). */
export function storedBytes(session: SessionInfo, byteOffset: number): { offset: number; length: number } {
  const a = session.array
  const itemsize = session.layout.itemsize
  if (a?.scaling?.applied && a.scaling.ratio !== 1) {
    const r = a.scaling.ratio
    return { offset: byteOffset / r, length: itemsize / r }
  }
  if (a?.blocks) {
    const block = Math.floor(byteOffset / 4 / a.blocks.elems)
    return { offset: a.stored.offset + block * a.blocks.bytes, length: a.blocks.bytes }
  }
  return { offset: byteOffset, length: itemsize }
}

/** The layout's byte offset of the value a stored byte holds (a quantized block: its first element). */
export function valueOffset(session: SessionInfo, storedOffset: number): number {
  const a = session.array
  if (a?.scaling?.applied) return storedOffset * a.scaling.ratio
  if (!a?.blocks || storedOffset < a.stored.offset || storedOffset >= a.stored.offset + a.stored.nbytes)
    return storedOffset
  return Math.floor((storedOffset - a.stored.offset) / a.blocks.bytes) * a.blocks.elems * 4
}
