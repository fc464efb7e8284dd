// The bytes a quantized tensor's session reads: its values dequantized to float32, never its blocks. The session's
// layout is a virtual float32 array (offset 0, C-contiguous), so slices, windows, show and export compute byte
// offsets as for any '<f4' array; this source turns them into element indices and asks the native dequantizer.
import type { Decoding } from '../../shared/containers'
import { ApiError } from '../../shared/contract'
import type { Mapping, Window2D } from './native'

/** What the window path, show and export read elements through: a mapping, or a decoding of one. */
export interface ByteSource {
  gather(window: Window2D, target: Uint8Array): void
  read(offset: number, target: Uint8Array): number
}

/** Whether a source is the mapping itself (its bytes are the values: copy, readahead and scans apply). */
export function isMapping(source: Mapping | ByteSource): source is Mapping {
  return typeof (source as Partial<Mapping>).copyTo === 'function'
}

export class DequantSource implements ByteSource {
  constructor(
    private readonly mapping: Mapping,
    private readonly decoding: Decoding,
    /** Where the tensor's first block is in the file. */
    private readonly offset: number,
    /** Elements in the tensor. */
    private readonly count: number
  ) {}

  private element(byteOffset: number, what: string): number {
    if (byteOffset % 4 !== 0) throw new ApiError('internal', `${what} ${byteOffset} is not a float32 boundary`)
    return byteOffset / 4
  }

  gather(w: Window2D, target: Uint8Array): void {
    if (w.itemsize !== 4) throw new ApiError('internal', 'a dequantized tensor reads float32 elements')
    this.mapping.dequantize(
      {
        type: this.decoding.ggmlType,
        offset: this.offset,
        count: this.count,
        first: this.element(Number(w.base), 'base'),
        rows: w.rows,
        cols: w.cols,
        rowStep: this.element(Number(w.rowStride), 'row stride'),
        colStep: this.element(Number(w.colStride), 'column stride')
      },
      target
    )
  }

  read(offset: number, target: Uint8Array): number {
    const n = target.length / 4
    if (!Number.isInteger(n)) throw new ApiError('internal', 'a dequantized tensor reads whole float32 elements')
    if (n === 0) return 0
    // the target may sit at any byte offset: dequantize into an aligned buffer
    const aligned = target.byteOffset % 4 === 0 ? target : new Uint8Array(target.length)
    this.mapping.dequantize(
      {
        type: this.decoding.ggmlType,
        offset: this.offset,
        count: this.count,
        first: this.element(offset, 'offset'),
        rows: 1,
        cols: n,
        rowStep: 0,
        colStep: 1
      },
      aligned
    )
    if (aligned !== target) target.set(aligned)
    return target.length
  }
}
