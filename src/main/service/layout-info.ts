import type { LayoutInfo } from '../../shared/contract'
import type { Layout } from '../../shared/layout'

/** A resolved layout as the contract carries it. */
export function layoutInfo(l: Layout): LayoutInfo {
  return {
    dtype: l.dtype.str,
    shape: l.shape,
    strides: l.strides,
    offset: l.offset,
    order: l.order,
    itemsize: l.dtype.itemsize,
    size: l.size,
    nbytes: l.nbytes
  }
}
