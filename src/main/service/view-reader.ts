// Reads every element of a strided view in C order, in bounded chunks gathered natively: the CLI's show,
// stats and export stream through this and never hold more than one chunk.
import type { ArrayView } from '../../shared/slice'
import { isMapping, type ByteSource } from './dequant-source'
import type { Mapping } from './native'

export const CHUNK_BYTES = 4 << 20

/** How far ahead of a sequential reader the kernel is asked to read (a cold file then streams at disk speed). */
const AHEAD_BYTES = 64 << 20

/**
 * Readahead for a walk over a view's flat elements in order (Mapping.readStream): the mapping is advised for
 * random access (browsing), so without it every page of a cold file would be read on its own fault. Asks for
 * blocks of about 4 MiB up to 64 MiB ahead of the reader, and retires the blocks it has passed (which drops
 * their pages again when the view is larger than half of memory, in mode r).
 */
export class ReadAhead {
  private readonly stream: ReturnType<Mapping['readStream']>
  private readonly block: number
  private readonly ahead: number
  private issued = 0
  private retired = 0
  constructor(
    mapping: Mapping,
    view: { offset: number; shape: number[]; strides: number[]; itemsize: number },
    private readonly total = view.shape.reduce((a, b) => a * b, 1)
  ) {
    this.stream = mapping.readStream({
      base: view.offset,
      shape: view.shape,
      strides: view.strides,
      itemsize: view.itemsize
    })
    this.block = Math.max(1, Math.floor(CHUNK_BYTES / view.itemsize))
    this.ahead = Math.max(1, Math.floor(AHEAD_BYTES / view.itemsize))
  }
  /** The reader is about to read elements [i0, i1): retire what lies before i0, ask for what lies ahead. */
  at(i0: number, i1: number): void {
    while (this.retired + this.block <= i0 && this.retired < this.issued) {
      this.stream.retire()
      this.retired += this.block
    }
    const want = Math.min(this.total, Math.max(i1, i0 + this.ahead))
    while (this.issued < want) {
      this.stream.ahead(this.issued, this.issued + this.block)
      this.issued += this.block
    }
  }
  close(): void {
    this.stream.close()
  }
}

/** What a walk tells about its progress; a source that is not a mapping (a dequantization) reads no ahead. */
type Ahead = Pick<ReadAhead, 'at' | 'close'>
const NO_AHEAD: Ahead = { at: () => undefined, close: () => undefined }

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
  // a quantized tensor's session reads virtual float32 offsets, not file bytes: no readahead over those (its
  // blocks are far fewer bytes than the values; the native scans, not this walk, are where readahead matters)
  const readahead = isMapping(mapping)
    ? new ReadAhead(mapping, { offset: view.offset, shape, strides, itemsize })
    : NO_AHEAD
  try {
    yield* gathered(mapping, view, chunkBytes, readahead)
  } finally {
    readahead.close()
  }
}

function* gathered(
  mapping: ByteSource,
  view: ArrayView,
  chunkBytes: number,
  readahead: Ahead
): Generator<[Uint8Array, number]> {
  const { shape, strides } = view
  const itemsize = view.dtype.itemsize
  const nd = shape.length
  let at = 0 // flat index of the next element
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
        readahead.at(at, at + rows * last)
        at += rows * last
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
        readahead.at(at, at + cols)
        at += cols
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
