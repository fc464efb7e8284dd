// HCOMPRESS_1's smoothing on decompression (ZVAL SMOOTH ≠ 0; White's H-compress, as in fits-hcompress.ts): at each
// level of the inverse H-transform, before the level is inverted, the x and y differences and the curvature of
// each 2 × 2 zone are nudged toward the values that would match the zone's neighbours' means, within what the
// monotonicity of those means allows and by at most scale/2 (what digitizing rounded away). Edge zones are kept.
// Values are doubles; the encoder's shifts are multiplications and floor divisions by powers of two.

/** max(min(v, hi), lo). */
function clamp(v: number, lo: number, hi: number): number {
  return Math.max(Math.min(v, hi), lo)
}

/** The change toward `target` (k × the coefficient c it matches), divided by k rounding toward zero, within ±smax. */
function nudge(target: number, c: number, k: number, smax: number): number {
  const s = target - c * k
  return clamp(s >= 0 ? Math.floor(s / k) : Math.floor((s + k - 1) / k), -smax, smax)
}

/** Smooths the level's coefficients a (nxtop × nytop used of rows of ny) in place. */
export function hsmooth(a: Float64Array, nxtop: number, nytop: number, ny: number, scale: number): void {
  const smax = Math.floor(scale / 2)
  if (smax <= 0) return
  const ny2 = 2 * ny
  // x differences (hx at [i + 1, j]) from the means of the zones before and after in x
  for (let i = 2; i < nxtop - 2; i += 2) {
    for (let j = 0, s00 = ny * i; j < nytop; j += 2, s00 += 2) {
      const hm = a[s00 - ny2]!
      const h0 = a[s00]!
      const hp = a[s00 + ny2]!
      const dmax = Math.max(Math.min(hp - h0, h0 - hm), 0) * 4
      const dmin = Math.min(Math.max(hp - h0, h0 - hm), 0) * 4
      if (dmin < dmax) a[s00 + ny] = a[s00 + ny]! + nudge(clamp(hp - hm, dmin, dmax), a[s00 + ny]!, 8, smax)
    }
  }
  // y differences (hy at [i, j + 1])
  for (let i = 0; i < nxtop; i += 2) {
    for (let j = 2, s00 = ny * i + 2; j < nytop - 2; j += 2, s00 += 2) {
      const hm = a[s00 - 2]!
      const h0 = a[s00]!
      const hp = a[s00 + 2]!
      const dmax = Math.max(Math.min(hp - h0, h0 - hm), 0) * 4
      const dmin = Math.min(Math.max(hp - h0, h0 - hm), 0) * 4
      if (dmin < dmax) a[s00 + 1] = a[s00 + 1]! + nudge(clamp(hp - hm, dmin, dmax), a[s00 + 1]!, 8, smax)
    }
  }
  // curvature (hc at [i + 1, j + 1]) from the four diagonal zones
  for (let i = 2; i < nxtop - 2; i += 2) {
    for (let j = 2, s00 = ny * i + 2; j < nytop - 2; j += 2, s00 += 2) {
      const s10 = s00 + ny
      const hmm = a[s00 - ny2 - 2]!
      const hpm = a[s00 + ny2 - 2]!
      const hmp = a[s00 - ny2 + 2]!
      const hpp = a[s00 + ny2 + 2]!
      const h0 = a[s00]!
      const hx2 = a[s10]! * 2
      const hy2 = a[s00 + 1]! * 2
      const dmax =
        Math.min(
          Math.min(Math.max(hpp - h0, 0) - hx2 - hy2, Math.max(h0 - hpm, 0) + hx2 - hy2),
          Math.min(Math.max(h0 - hmp, 0) - hx2 + hy2, Math.max(hmm - h0, 0) + hx2 + hy2)
        ) * 16
      const dmin =
        Math.max(
          Math.max(Math.min(hpp - h0, 0) - hx2 - hy2, Math.min(h0 - hpm, 0) + hx2 - hy2),
          Math.max(Math.min(h0 - hmp, 0) - hx2 + hy2, Math.min(hmm - h0, 0) + hx2 + hy2)
        ) * 16
      if (dmin < dmax) a[s10 + 1] = a[s10 + 1]! + nudge(clamp(hpp + hmm - hmp - hpm, dmin, dmax), a[s10 + 1]!, 64, smax)
    }
  }
}
