// What a probed path is, for what the open form offers beside it.
import type { ProbeResult } from '../../../../shared/contract'
import { holdsOneArray } from '../../../../shared/containers/registry'

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
