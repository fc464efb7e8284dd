// How much disk a temporary copy of decompressed HDF5 values may take. The copy is sparse: chunks never written
// (the fill value, zeros) and all-zero runs stay holes, so a 5.8 KB file claiming 8 GB costs nothing. What is
// really written counts against a cap — ARRAYSCOPE_TEMP_MAX (bytes, or with a K, M, G or T suffix; default
// 16 GiB) — and never leaves less than 1 GiB free on the temporary folder's disk.
import fs from 'node:fs'
import { ApiError } from '../../shared/contract'

export const DEFAULT_TEMP_MAX = 16 * 2 ** 30
const RESERVE = 2 ** 30
const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }

/** The cap from ARRAYSCOPE_TEMP_MAX (read at each open, so a test or a shell can change it). */
export function tempCap(env = process.env.ARRAYSCOPE_TEMP_MAX): number {
  if (env === undefined || env.trim() === '') return DEFAULT_TEMP_MAX
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*$/i.exec(env)
  if (!m) {
    throw new ApiError(
      'bad-request',
      `ARRAYSCOPE_TEMP_MAX=${env} is not a size: give bytes, or a number with K, M, G or T (e.g. 64G)`
    )
  }
  return Math.floor(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!)
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`
  return `${n} bytes`
}

/** Bytes written into one temporary copy so far, and the checks before writing more. */
export class TempBudget {
  private written = 0
  private readonly cap: number

  constructor(
    private readonly what: string,
    private readonly folder: string,
    cap = tempCap()
  ) {
    this.cap = cap
  }

  get used(): number {
    return this.written
  }

  /** Whether n more bytes would be taken (take would not throw). */
  fits(n: number): boolean {
    if (n <= 0) return true
    if (this.written + n > this.cap) return false
    try {
      const st = fs.statfsSync(this.folder)
      return st.bavail * st.bsize - n >= RESERVE
    } catch {
      return true
    }
  }

  /** Takes n more bytes, or throws an ApiError saying what to do. */
  take(n: number): void {
    if (n <= 0) return
    if (this.written + n > this.cap) {
      throw new ApiError(
        'io',
        `reading ${this.what} would write more than ${formatBytes(this.cap)} of values (not the fill value) into its temporary copy: set ARRAYSCOPE_TEMP_MAX to allow more (e.g. ARRAYSCOPE_TEMP_MAX=64G), or read a slice`
      )
    }
    let free = Infinity
    try {
      const st = fs.statfsSync(this.folder)
      free = st.bavail * st.bsize
    } catch {
      // no statfs here: only the cap applies
    }
    if (free - n < RESERVE) {
      throw new ApiError(
        'io',
        `reading ${this.what} needs ${formatBytes(n)} more in ${this.folder} for its temporary copy, which has ${formatBytes(free)} free (1 GiB is kept free): set TMPDIR to a larger disk`
      )
    }
    this.written += n
  }
}
