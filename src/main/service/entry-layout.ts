// The layout a session of a container's entry shows: the entry's own (a strided one checked against the file),
// a quantized tensor's virtual float32 array, or a scaled array's values over its stored numbers.
import type { ContainerEntry, Scaling } from '../../shared/containers'
import { ApiError } from '../../shared/contract'
import { contiguousStrides, resolveLayout, type Layout } from '../../shared/layout'
import { parseDType } from '../../shared/structured'

/**
 * The layout of a container's entry in a file of fileSize bytes. A quantized entry is a virtual float32 array
 * (offset 0, C-contiguous) read through its dequantization; its blocks must lie inside the file.
 */
export function entryLayout(entry: ContainerEntry, fileSize: number, mode: 'r' | 'r+' | 'c' | 'w+'): Layout {
  if (entry.offset + entry.nbytes > fileSize) {
    throw new ApiError(
      'layout',
      `'${entry.name}' needs bytes [${entry.offset}, ${entry.offset + entry.nbytes}), the file has ${fileSize}: it was truncated`
    )
  }
  if (entry.decoding) {
    const dtype = parseDType('<f4')
    const size = entry.shape.reduce((a, b) => a * b, 1)
    return {
      dtype,
      shape: entry.shape,
      strides: contiguousStrides(entry.shape, 4, 'C'),
      offset: 0,
      order: 'C',
      size,
      nbytes: size * 4
    }
  }
  const layout = resolveLayout(
    { dtype: entry.dtype, shape: entry.shape, offset: entry.offset, order: entry.order },
    fileSize,
    mode
  )
  if (entry.strides) {
    // a strided entry (part 2: record variables): every element it reaches must be inside the file
    const reach = entry.shape.reduce((a, n, k) => a + (n > 0 ? (n - 1) * entry.strides![k]! : 0), entry.offset)
    if (entry.strides.some((x) => x < 0) || reach + layout.dtype.itemsize > fileSize) {
      throw new ApiError('layout', `'${entry.name}': its strides reach past the end of the file`)
    }
    return { ...layout, strides: entry.strides }
  }
  return layout
}

/**
 * The layout a session of scaled values shows: the values' dtype, byte offsets and strides the stored ones times
 * the ratio of the itemsizes (so that ScaleSource and the scans find the stored numbers by dividing).
 */
export function scaledLayout(stored: Layout, scaling: Scaling, ratio: number): Layout {
  return {
    ...stored,
    dtype: parseDType(scaling.dtype),
    offset: stored.offset * ratio,
    strides: stored.strides.map((x) => x * ratio),
    nbytes: stored.nbytes * ratio
  }
}
