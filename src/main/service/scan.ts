// Whole-view scans through the native kernels: statistics, histograms, min/max buckets, block reduction.
import { ApiError, type Progress, type ScanStats } from '../../shared/contract'
import type { ArrayView } from '../../shared/slice'
import { viewSize } from '../../shared/slice'
import type { DType } from '../../shared/structured'
import type { Mapping, NativeStats, ScanElem, ScanHandle, ScanResults, ScanSpec } from './native'
import type { Scaling } from '../../shared/containers'
import { parseDType } from '../../shared/structured'
import { progressMeter } from './progress'

const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

const ELEMS: Record<string, ScanElem> = {
  bool: 'b1',
  int8: 'i1',
  uint8: 'u1',
  int16: 'i2',
  uint16: 'u2',
  int32: 'i4',
  uint32: 'u4',
  int64: 'i8',
  uint64: 'u8',
  float16: 'f2',
  float32: 'f4',
  float64: 'f8',
  bfloat16: 'bf16',
  float8_e4m3fn: 'e4m3',
  float8_e5m2: 'e5m2'
}

/** The kernel's element type for a dtype and whether its bytes need swapping; null for complex and records. */
export function scanElem(dt: DType): { elem: ScanElem; swap: boolean } | null {
  const elem = dt.kind === 'scalar' ? ELEMS[dt.type.name] : undefined
  if (dt.kind !== 'scalar' || !elem) return null
  return { elem, swap: dt.itemsize > 1 && dt.littleEndian !== HOST_LITTLE }
}

/** The kernel's view of a real-valued scalar view; complex and records are refused with a reason. */
export function scanView(view: ArrayView): {
  elem: ScanElem
  swap: boolean
  base: number
  shape: number[]
  strides: number[]
} {
  const dt = view.dtype
  const kernel = scanElem(dt)
  if (!kernel) {
    throw new ApiError(
      'bad-request',
      `scans need a real-valued dtype; ${dt.str} is not (slice a field or a part first)`
    )
  }
  return {
    ...kernel,
    base: view.offset,
    shape: view.shape,
    strides: view.strides
  }
}

/**
 * What a scan reads: a mapping, and for a quantized tensor where its blocks are (its view is a virtual float32
 * array), or for scaled values the scaling (its view's byte offsets are the stored ones times ratio).
 */
export interface ScanSource {
  mapping: Mapping
  quant?: { type: number; offset: number; count: number }
  scale?: { scaling: Scaling; ratio: number }
  /** Read only what the fill beside it has written (stream-fill.ts). */
  gate?: BigInt64Array
}

function scanSource(s: Mapping | ScanSource): ScanSource {
  return 'mapping' in s ? s : { mapping: s }
}

type NativeScale = NonNullable<ScanSpecView['scale']>
type ScanSpecView = Extract<ScanSpec, { op: 'stats' }>

/** The kernel's spec of a view read from a source. */
export function sourceView(
  src: ScanSource,
  view: ArrayView
): ReturnType<typeof scanView> & { quant?: ScanSource['quant']; scale?: NativeScale; gate?: BigInt64Array } {
  if (src.gate) {
    const { gate, ...rest } = src
    return { ...sourceView(rest, view), gate }
  }
  if (src.scale) {
    // the view is of the values; the kernels read the stored numbers (offsets / ratio) and scale each piece
    const { scaling, ratio } = src.scale
    const values = scanView(view)
    const stored = scanElem(parseDType(scaling.stored))
    if (!stored) throw new ApiError('bad-request', `scans cannot read stored ${scaling.stored} numbers`)
    return {
      ...values,
      base: view.offset / ratio,
      strides: view.strides.map((x) => x / ratio),
      scale: {
        elem: stored.elem,
        swap: stored.swap,
        rule: scaling.rule,
        slope: scaling.slope,
        inter: scaling.inter,
        ...(scaling.blank !== undefined ? { blank: scaling.blank } : {})
      }
    }
  }
  return { ...scanView(view), ...(src.quant ? { quant: src.quant } : {}) }
}

export interface Stats extends NativeStats {
  histogram?: { edges: number[]; counts: number[] }
}

/** What scan:stats sends: the contract's fields only (the kernel also reports finite and sum). */
export function scanStats(s: Stats): ScanStats {
  const { count, min, max, mean, std, nan, posinf, neginf, minExact, maxExact, histogram } = s
  return {
    count,
    min,
    max,
    mean,
    std,
    nan,
    posinf,
    neginf,
    ...(minExact !== undefined ? { minExact } : {}),
    ...(maxExact !== undefined ? { maxExact } : {}),
    ...(histogram ? { histogram } : {})
  }
}

/** Jobs not ended yet, for cancelAllJobs. */
const live = new Set<ScanJob<unknown>>()

/**
 * Cancels every job still running, wherever it was made. A process ending on a signal calls it first: a native
 * pass waiting at a gate (a remote object's bytes not fetched yet) would otherwise keep its pool thread, which
 * process.exit joins — the command never ended (a CLI `find` on a remote object, Ctrl+C).
 */
export function cancelAllJobs(): void {
  for (const job of [...live]) job.cancel()
}

/** The running part of a multi-pass scan, so that cancel() reaches whichever pass is running. */
export class ScanJob<T> {
  private current: ScanHandle<unknown> | null = null
  private cancelled = false
  readonly promise: Promise<T>
  /**
   * run starts on the next microtask, so that the caller holds the job (and can cancel) first. Native passes
   * (and anything else with promise and cancel) are tracked; work in JS asks isCancelled() between steps.
   */
  constructor(run: (track: <R>(h: ScanHandle<R>) => Promise<R>, isCancelled: () => boolean) => Promise<T>) {
    this.promise = Promise.resolve().then(() =>
      run(
        (h) => this.track(h),
        () => this.cancelled
      )
    )
    live.add(this)
    const settle = (): void => void live.delete(this)
    this.promise.then(settle, settle)
  }
  private track<R>(h: ScanHandle<R>): Promise<R> {
    this.current = h as ScanHandle<unknown>
    if (this.cancelled) h.cancel()
    return h.promise
  }
  cancel(): void {
    this.cancelled = true
    this.current?.cancel()
  }
}

/**
 * All statistics: count/min/max/mean/std/NaN/±Inf and, when bins are asked for, np.histogram's counts (its
 * edges and bin rules). With a range given, everything is one native pass; without one, the histogram's range
 * is the first pass's [min, max], so it takes a second.
 */
export function runStats(
  from: Mapping | ScanSource,
  view: ArrayView,
  options: { bins?: number; range?: [number, number]; onProgress?: (done: number, total: number) => void } = {}
): ScanJob<Stats> {
  const { mapping, ...src } = scanSource(from)
  const spec = sourceView({ mapping, ...src }, view)
  const total = viewSize(view)
  const passes = options.bins !== undefined && !options.range ? 2 : 1
  const progress = (pass: number) => (done: number) => options.onProgress?.(pass * total + done, passes * total)
  const widen = ([lo, hi]: [number, number]): [number, number] => (lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi]) // as numpy
  return new ScanJob<Stats>(async (track) => {
    const { bins, range } = options
    if (bins !== undefined && range) {
      const [lo, hi] = widen(range)
      return await track(mapping.scan({ op: 'stats', ...spec, bins, lo, hi }, progress(0)))
    }
    const stats: Stats = await track(mapping.scan({ op: 'stats', ...spec }, progress(0)))
    if (bins !== undefined) {
      const [lo, hi] = widen([stats.min ?? 0, stats.max ?? 1])
      stats.histogram = await track(mapping.scan({ op: 'histogram', ...spec, bins, lo, hi }, progress(1)))
    }
    return stats
  })
}

export function runBuckets(
  from: Mapping | ScanSource,
  view: ArrayView,
  start: number,
  stop: number,
  buckets: number
): ScanJob<ScanResults['buckets']> {
  const { mapping, ...src } = scanSource(from)
  const spec = sourceView({ mapping, ...src }, view)
  if (view.shape.length !== 1) throw new ApiError('bad-request', 'a line plot needs a 1-D view')
  return new ScanJob((track) => track(mapping.scan({ op: 'buckets', ...spec, start, stop, buckets })))
}

export function runBlocks(
  from: Mapping | ScanSource,
  view: ArrayView,
  outRows: number,
  outCols: number,
  reduce: 'mean' | 'max'
): ScanJob<ScanResults['blocks']> {
  const { mapping, ...src } = scanSource(from)
  const spec = sourceView({ mapping, ...src }, view)
  if (view.shape.length !== 2) throw new ApiError('bad-request', 'an image needs a 2-D view')
  return new ScanJob((track) => track(mapping.scan({ op: 'blocks', ...spec, outRows, outCols, reduce })))
}

/** The events that report a job's progress: exports have their own, everything else scan:progress. */
export type ProgressEvent = 'scan:progress' | 'export:progress'

/**
 * Running jobs by id — scans, finds, diffs, exports, decompressions: the one way a job is cancelled. A new job
 * with the same id supersedes (cancels) the old one.
 */
export class ScanRegistry {
  private readonly jobs = new Map<string, ScanJob<unknown>>()
  constructor(private readonly onProgress: (event: ProgressEvent, progress: Progress) => void) {}

  /** unitBytes: bytes of the file per unit of progress (the itemsize; 1 for find), for the rate shown. */
  run<T>(
    id: string,
    start: (progress: (done: number, total: number) => void) => ScanJob<T>,
    unitBytes = 1,
    event: ProgressEvent = 'scan:progress'
  ): Promise<T> {
    this.jobs.get(id)?.cancel()
    let last = 0
    const meter = progressMeter(id, unitBytes)
    const job = start((done, total) => {
      const now = Date.now()
      if (now - last >= 100 || done === total) {
        last = now
        this.onProgress(event, meter(done, total))
      }
    })
    this.jobs.set(id, job as ScanJob<unknown>)
    const forget = (): void => {
      if (this.jobs.get(id) === job) this.jobs.delete(id)
    }
    job.promise.then(forget, forget)
    return job.promise
  }

  cancel(id: string): boolean {
    const job = this.jobs.get(id)
    job?.cancel()
    return Boolean(job)
  }

  cancelAll(): void {
    for (const job of this.jobs.values()) job.cancel()
    this.jobs.clear()
  }
}

/** A Float64Array as bytes for the contract (NaN survives; JSON would turn it into null). */
export function f64Bytes(a: Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
}
