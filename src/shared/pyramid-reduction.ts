// How a stored pyramid level relates to its base image: the image view's tiles at level L cover 2^L × 2^L
// elements, so a level can stand in for the base only when its image plane (the last two dims) is the base's
// divided by the same 2^k and every other dim (time, channel, z) is the base's own. Shared by the TIFF and
// OME-Zarr listings (which name the levels) and the tile pyramid (which reads them).

/**
 * k when `reduced` is `shape` with its last two dims divided by 2^k, k ≥ 1, each rounded up (tifffile, skimage,
 * ome-zarr-py's resize) or down (ome-zarr-py's nearest, `a[::2]` of an even dim); else null.
 */
export function reduction(shape: readonly number[], reduced: readonly number[]): number | null {
  const nd = shape.length
  if (nd < 2 || reduced.length !== nd || shape.slice(0, -2).some((n, k) => reduced[k] !== n)) return null
  const rows = shape[nd - 2]!
  const small = reduced[nd - 2]!
  if (!(small >= 1) || small >= rows) return null
  const k = Math.round(Math.log2(rows / small))
  const f = 2 ** k
  const fits = (n: number, m: number): boolean => m >= 1 && (Math.ceil(n / f) === m || Math.floor(n / f) === m)
  if (k < 1 || !fits(rows, small) || !fits(shape[nd - 1]!, reduced[nd - 1]!)) return null
  return k
}
