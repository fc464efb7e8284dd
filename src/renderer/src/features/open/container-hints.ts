// What the open form says of a probed container: whether a raw layout of its bytes can mean anything, and what
// to do when no dtype is given (the form's proposals are not shown for every container, so it cannot point there).
import { holdsOneArray } from '../../../../shared/containers/registry'
import type { ProbeResult } from '../../../../shared/contract'

/**
 * A container whose bytes are compressed (a .fits.gz, a .nii.gz) or not one file (a Zarr store): no raw layout of
 * them means anything, so none is proposed beside its notice.
 */
export function compressedContainer(p: ProbeResult): boolean {
  return Boolean(p.container) && (p.container === 'zarr' || /\.gz$/i.test(p.path))
}

/** A probed file that holds several arrays: it opens as a container, not as raw bytes. */
export function holdsSeveral(p: ProbeResult | null): boolean {
  return Boolean(p?.container) && !holdsOneArray(p!.container!)
}

/** The form's line when no dtype is given: a container opens as one; a raw file takes a dtype or a proposal. */
export function noDtypeHint(p: ProbeResult | null): string {
  if (p && holdsSeveral(p) && !p.npy) {
    if (p.container === 'zarr') return 'a Zarr store has no raw bytes to lay out: Open as container lists its arrays'
    if (compressedContainer(p)) return 'its bytes are compressed: Open as container lists its arrays'
    return 'Open as container lists its arrays, or give a dtype to read its bytes raw'
  }
  return 'choose a dtype, or use one of the proposed layouts'
}
