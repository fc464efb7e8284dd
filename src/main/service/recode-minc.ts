// A MINC image normalised as nibabel's MincImageArrayProxy gives it (Minc1File/Minc2File._normalize): each stored
// integer clipped to the valid range [dmin, dmax], then × slope + inter in float64, where slope = (imax - imin) /
// (dmax - dmin) and inter = imin - dmin · slope, imax/imin being image-max/image-min of the element's slice of
// the leading dims (or the one pair of the image). Written into the copy a slice at a time, little-endian float64.
import fs from 'node:fs'
import type { Recode } from '../../shared/containers'
import { ApiError } from '../../shared/contract'
import { getter, readAt } from './recode-read'

export function writeMinc(
  inFd: number,
  outFd: number,
  r: Extract<Recode, { kind: 'minc' }>,
  name: string,
  control: { cancelled: () => boolean; onProgress?: (done: number, total: number) => void }
): void {
  const g = getter(r.dtype)
  if (r.slices < 1 || r.count % r.slices !== 0) {
    throw new ApiError('layout', `'${name}': ${r.count} values do not split into ${r.slices} slices`)
  }
  const numbers = (at: { offset: number; dtype: string }, what: string): number[] => {
    const q = getter(at.dtype)
    const v = new DataView(readAt(inFd, at.offset, r.slices * q.size, `'${name}' ${what}`).buffer)
    return Array.from({ length: r.slices }, (_, k) => q.get(v, k * q.size))
  }
  const imax = numbers(r.imax, 'image-max')
  const imin = numbers(r.imin, 'image-min')
  const per = r.count / r.slices
  const range = r.dmax - r.dmin
  for (let s = 0; s < r.slices; s++) {
    if (control.cancelled()) throw new ApiError('cancelled', `normalising the MINC image '${name}' was cancelled`)
    const slope = (imax[s]! - imin[s]!) / range
    const inter = imin[s]! - r.dmin * slope
    const v = new DataView(readAt(inFd, r.offset + s * per * g.size, per * g.size, `'${name}' image`).buffer)
    const out = new DataView(new ArrayBuffer(per * 8))
    for (let k = 0; k < per; k++) {
      const x = Math.min(Math.max(g.get(v, k * g.size), r.dmin), r.dmax)
      out.setFloat64(8 * k, x * slope + inter, true)
    }
    fs.writeSync(outFd, new Uint8Array(out.buffer))
    control.onProgress?.((s + 1) * per, r.count)
  }
}
