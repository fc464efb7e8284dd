// Statistics of a view in one streaming pass (plus one for the histogram when no range is given):
// count (all elements), min/max/mean/std over finite values, NaN/±Inf counts, np.histogram-compatible bins.
// The native multi-threaded kernels of the scans issue replace this loop; its results are the reference.
import type { ArrayView } from '../../shared/slice'
import { decodeAt, type ScalarDType } from '../../shared/dtypes'
import { ApiError } from '../../shared/contract'
import type { Mapping } from './native'
import { forEachChunk } from './view-reader'

export interface Stats {
  count: number
  min: number | null
  max: number | null
  mean: number | null
  std: number | null
  nan: number
  posinf: number
  neginf: number
  histogram?: { edges: number[]; counts: number[] }
}

function scalarOf(view: ArrayView): ScalarDType {
  const dt = view.dtype
  if (dt.kind !== 'scalar' || dt.type.kind === 'complex') {
    throw new ApiError(
      'bad-request',
      `statistics need a real-valued dtype; ${dt.str} is not (slice a field or a part first)`
    )
  }
  return dt
}

function eachNumber(mapping: Mapping, view: ArrayView, fn: (x: number) => void): void {
  const dt = scalarOf(view)
  forEachChunk(mapping, view, (bytes, count) => {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    for (let e = 0; e < count; e++) fn(Number(decodeAt(dt, dv, e * dt.itemsize)))
  })
}

/** np.linspace(lo, hi, bins + 1) as numpy computes it. */
export function histogramEdges(lo: number, hi: number, bins: number): number[] {
  const step = (hi - lo) / bins
  const edges = Array.from({ length: bins + 1 }, (_, k) => lo + k * step)
  edges[bins] = hi
  return edges
}

/** The bin of x as np.histogram assigns it (uniform bins, with numpy's edge corrections). */
export function binOf(x: number, edges: readonly number[], norm: number): number {
  const n = edges.length - 1
  let i = Math.floor((x - edges[0]!) * norm)
  if (i === n) i--
  if (x < edges[i]!) i--
  else if (i !== n - 1 && x >= edges[i + 1]!) i++
  return i
}

export function computeStats(mapping: Mapping, view: ArrayView, bins?: number, range?: [number, number]): Stats {
  let count = 0
  let n = 0
  let mean = 0
  let m2 = 0
  let min = Infinity
  let max = -Infinity
  let nan = 0
  let posinf = 0
  let neginf = 0
  eachNumber(mapping, view, (x) => {
    count++
    if (Number.isNaN(x)) nan++
    else if (x === Infinity) posinf++
    else if (x === -Infinity) neginf++
    else {
      n++
      const d = x - mean
      mean += d / n
      m2 += d * (x - mean)
      if (x < min) min = x
      if (x > max) max = x
    }
  })
  const stats: Stats = {
    count,
    min: n ? min : null,
    max: n ? max : null,
    mean: n ? mean : null,
    std: n ? Math.sqrt(m2 / n) : null,
    nan,
    posinf,
    neginf
  }
  if (bins !== undefined) {
    let [lo, hi] = range ?? [min, max]
    if (n === 0 && !range) [lo, hi] = [0, 1]
    if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5] // numpy widens an empty range the same way
    const edges = histogramEdges(lo, hi, bins)
    const norm = bins / (hi - lo)
    const counts = new Array<number>(bins).fill(0)
    eachNumber(mapping, view, (x) => {
      if (!(x >= lo && x <= hi)) return
      counts[binOf(x, edges, norm)]!++
    })
    stats.histogram = { edges, counts }
  }
  return stats
}
