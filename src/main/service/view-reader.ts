// Reads every element of a strided view in C order, in bounded chunks gathered natively: the CLI's show,
// stats and export stream through this and never hold more than one chunk.
import type { ArrayView } from '../../shared/slice'
import type { ByteSource } from './dequant-source'

export const CHUNK_BYTES = 4 << 20

/**
 * Calls onChunk(bytes, count) with consecutive runs of elements of the view in C (row-major) order.
 * bytes is reused between calls: copy what must outlive the callback.
 */
export function forEachChunk(
  mapping: ByteSource,
  view: ArrayView,
  onChunk: (bytes: Uint8Array, count: number) => void,
  chunkBytes = CHUNK_BYTES
): void {
  for (const [bytes, count] of chunks(mapping, view, chunkBytes)) onChunk(bytes, count)
}

/** The same runs as a generator, so that async callers (export) can yield to the event loop between them. */
export function* chunks(
  mapping: ByteSource,
  view: ArrayView,
  chunkBytes = CHUNK_BYTES
): Generator<[Uint8Array, number]> {
  const { shape, strides } = view
  const itemsize = view.dtype.itemsize
  const nd = shape.length
  if (shape.some((n) => n === 0)) return
  if (nd === 0) {
    const b = new Uint8Array(itemsize)
    mapping.read(view.offset, b)
    yield [b, 1]
    return
  }
  const maxElems = Math.max(1, Math.floor(chunkBytes / itemsize))
  const last = shape[nd - 1]!
  const lastStride = strides[nd - 1]!
  // Outer axes are walked one index at a time; the inner one or two axes are gathered in blocks.
  const batchRows = nd >= 2 && last <= maxElems / 4
  const outerAxes = batchRows ? nd - 2 : nd - 1
  const buffer = new Uint8Array(Math.min(maxElems, batchRows ? shape[nd - 2]! * last : last) * itemsize)
  const index = new Array<number>(outerAxes).fill(0)
  for (;;) {
    let base = view.offset
    for (let k = 0; k < outerAxes; k++) base += index[k]! * strides[k]!
    if (batchRows) {
      const rowsTotal = shape[nd - 2]!
      const rowStride = strides[nd - 2]!
      const step = Math.max(1, Math.floor(maxElems / last))
      for (let r0 = 0; r0 < rowsTotal; r0 += step) {
        const rows = Math.min(step, rowsTotal - r0)
        const out = buffer.subarray(0, rows * last * itemsize)
        mapping.gather(
          { base: base + r0 * rowStride, rows, cols: last, rowStride, colStride: lastStride, itemsize },
          out
        )
        yield [out, rows * last]
      }
    } else {
      for (let c0 = 0; c0 < last; c0 += maxElems) {
        const cols = Math.min(maxElems, last - c0)
        const out = buffer.subarray(0, cols * itemsize)
        mapping.gather(
          { base: base + c0 * lastStride, rows: 1, cols, rowStride: 0, colStride: lastStride, itemsize },
          out
        )
        yield [out, cols]
      }
    }
    // odometer over the outer axes
    let k = outerAxes - 1
    while (k >= 0) {
      index[k]!++
      if (index[k]! < shape[k]!) break
      index[k] = 0
      k--
    }
    if (k < 0) return
  }
}
