import type { LayoutInfo, LayoutSpecMsg } from '../../shared/contract'
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

/** The axis a raw layout leaves to the file's size (-1, or no shape: axis 0), as SessionInfo carries it. */
export function inferredAxisOf(spec: LayoutSpecMsg | null | undefined): { inferredAxis?: number } {
  const at = spec ? (spec.shape ?? [-1]).indexOf(-1) : -1
  return at >= 0 ? { inferredAxis: at } : {}
}
