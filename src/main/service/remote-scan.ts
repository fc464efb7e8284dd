// Statistics of a remote array streamed over the network: the object's ranges are fetched LANES at a time into
// LANES slots of REQUEST bytes of JS memory (a plain-http socket reads the body straight into its slot), each
// range scanned in place by the native kernels (scanBytes) as soon as it is in while the other lanes keep
// receiving, and the partial results merged. Nothing is written to the object's copy: the fill-then-pass it replaces wrote every byte to a
// temporary file on disk and read it again, which cost more than the network on a fast link and needed disk as
// large as the object (docs/architecture.md, "Remote sources"). Memory stays LANES × REQUEST whatever the
// object's size. The ranges of a plain-http object arrive over raw sockets (remote-raw.ts). Taken only where it
// is exact and cheaper: a contiguous float view of a remote object (no codec); statistics in one pass (no
// histogram, or one over a given range; two passes only where the copy could not hold the view); no disk cache
// (ARRAYSCOPE_REMOTE_CACHE keeps what it fetched, so the cached path fills it); some of the view not fetched yet
// (what the copy holds already is scanned there).
import { ApiError } from '../../shared/contract'
import { throwFirstFailure } from './errors'
import type { ArrayView } from '../../shared/slice'
import type { ArraySource } from './array-source'
import { native, type NativeStats, type ScanElem, type ScanHandle, type ScanResults, type ScanSpec } from './native'
import { remoteCacheDir } from './remote-cache'
import { BLOCK, type RemoteStore } from './remote-store'
import { scanElem, ScanJob, type Stats } from './scan'

/** Bytes per request: large enough that a request's round trip is small beside its transfer. */
const REQUEST = 16 << 20
/** Requests in flight (each lane receives one range while the kernels scan another's). */
const LANES = 4
const FLOATS = new Set(['f2', 'f4', 'f8', 'bf16', 'e4m3', 'e5m2'])

export interface StatsOptions {
  bins?: number
  range?: [number, number]
  onProgress?: (done: number, total: number) => void
}

/** The bytes [first, end) of a C-contiguous view, or null when its elements are not one run in order. */
function contiguousSpan(view: ArrayView): [number, number] | null {
  const size = view.dtype.itemsize
  let expect = size
  for (let k = view.shape.length - 1; k >= 0; k--) {
    const n = view.shape[k]!
    if (n === 0) return null
    if (n > 1 && view.strides[k] !== expect) return null
    expect *= n
  }
  return [view.offset, view.offset + expect]
}

/**
 * A streamed statistics job for this view of this source, or undefined where the fill-then-pass is taken. A
 * histogram without a given range needs a second pass over [min, max] (numpy's rule): streamed, that fetches the
 * object twice, so it is streamed only when the copy could not hold the view (ARRAYSCOPE_TEMP_MAX, the disk's
 * room); otherwise the copy is filled once and both passes read it.
 */
export function streamedStats(
  source: ArraySource | undefined,
  view: ArrayView,
  options: StatsOptions
): ScanJob<Stats> | undefined {
  const store = source?.remoteObject
  if (!source || !store || source.store.kind !== 'remote' || source.codecs.length > 0) return undefined
  if (remoteCacheDir()) return undefined
  const kernel = scanElem(view.dtype)
  const span = contiguousSpan(view)
  if (!kernel || !FLOATS.has(kernel.elem) || !span) return undefined
  const missing = store.missingBytes(span[0], span[1])
  if (missing === 0) return undefined
  const twoPass = options.bins !== undefined && !options.range
  if (twoPass && store.canHold(missing)) return undefined
  const k = { ...kernel, itemsize: view.dtype.itemsize }
  const total = (span[1] - span[0]) / k.itemsize
  const passes = twoPass ? 2 : 1
  const progress = (pass: number) => (done: number) => options.onProgress?.(pass * total + done, passes * total)
  return new ScanJob(async (track) => {
    const run = <T>(op: PassOp, pass: number): Promise<T[]> => {
      const abort = new AbortController()
      const promise = streamPass<T>(store, span, k, op, abort.signal, progress(pass))
      return track({ promise, cancel: () => abort.abort() })
    }
    const given = options.range && options.bins !== undefined ? widen(options.range) : null
    const one: PassOp = given ? { op: 'stats', bins: options.bins!, lo: given[0], hi: given[1] } : { op: 'stats' }
    const stats = merge(await run<NativeStats>(one, 0))
    if (twoPass) {
      const [lo, hi] = widen([stats.min ?? 0, stats.max ?? 1])
      const hists = await run<ScanResults['histogram']>({ op: 'histogram', bins: options.bins!, lo, hi }, 1)
      stats.histogram = { edges: hists[0]!.edges, counts: addCounts(hists) }
    }
    return stats
  })
}

type PassOp =
  | { op: 'stats'; bins?: number; lo?: number; hi?: number }
  | { op: 'histogram'; bins: number; lo: number; hi: number }

function addCounts(parts: { counts: number[] }[]): number[] {
  const out = [...parts[0]!.counts]
  for (const p of parts.slice(1)) p.counts.forEach((c, i) => (out[i]! += c))
  return out
}

/**
 * The view's bytes cut into pieces of at most REQUEST bytes on element boundaries: those whose blocks the copy
 * holds already (a window's, an earlier read's) are scanned there; the others are fetched.
 */
export function piecesOf(
  store: Pick<RemoteStore, 'has'>,
  [first, end]: [number, number],
  itemsize: number,
  block: number,
  request: number
): { at: number; length: number; held: boolean }[] {
  const runs: { at: number; length: number; held: boolean }[] = []
  const down = (x: number): number => first + Math.floor((x - first) / itemsize) * itemsize
  for (let at = first; at < end; ) {
    // to the next block edge (on an element boundary), at least one element
    const to = Math.min(end, Math.max(at + itemsize, down((Math.floor(at / block) + 1) * block)))
    const held = store.has(at, to)
    const last = runs.at(-1)
    if (last && last.held === held && last.length + (to - at) <= request) last.length += to - at
    else runs.push({ at, length: to - at, held })
    at = to
  }
  return runs
}

/** One native pass over a view's bytes, range by range as they arrive: each range's result, in no order. */
async function streamPass<T>(
  store: RemoteStore,
  [first, end]: [number, number],
  k: { elem: string; swap: boolean; itemsize: number },
  op: PassOp,
  signal: AbortSignal,
  onProgress: (done: number) => void
): Promise<T[]> {
  const request = Math.min(REQUEST, end - first)
  const pieces = piecesOf(store, [first, end], k.itemsize, BLOCK, request)
  const lanes = Math.min(LANES, pieces.length)
  const slots = takeScratch(lanes * request)
  // one lane failing stops the others before the scratch is given back (none may write into it after)
  const inner = new AbortController()
  const running = new Set<ScanHandle<unknown>>()
  const stop = (): void => {
    inner.abort()
    running.forEach((h) => h.cancel())
  }
  signal.addEventListener('abort', stop)
  const parts: T[] = []
  let done = 0
  let next = 0
  const lane = async (slot: number): Promise<void> => {
    const base = slot * request
    while (next < pieces.length) {
      const { at, length, held } = pieces[next++]!
      if (inner.signal.aborted) throw new ApiError('cancelled', `reading ${store.url} was cancelled`)
      const spec = {
        ...op,
        elem: k.elem as ScanElem,
        swap: k.swap,
        shape: [length / k.itemsize],
        strides: [k.itemsize]
      }
      let h: ScanHandle<T>
      if (held) h = store.mapping.scan({ ...spec, base: at } as ScanSpec) as ScanHandle<T>
      else {
        const slot = slots.subarray(base, base + length)
        await store.readInto(at, length, slot, inner.signal)
        h = native().scanBytes({ ...spec, base: 0, bytes: slot } as Parameters<Scan>[0]) as ScanHandle<T>
      }
      running.add(h)
      try {
        parts.push(await h.promise)
      } finally {
        running.delete(h)
      }
      done += length / k.itemsize
      onProgress(done)
    }
  }
  const settled = await Promise.allSettled(
    Array.from({ length: lanes }, (_, slot) =>
      lane(slot).catch((e: unknown) => {
        stop()
        throw e
      })
    )
  )
  signal.removeEventListener('abort', stop)
  giveBack(slots)
  if (signal.aborted) throw new ApiError('cancelled', `reading ${store.url} was cancelled`)
  throwFirstFailure(settled)
  return parts
}

type Scan = ReturnType<typeof native>['scanBytes']

/**
 * The slots: LANES × REQUEST bytes of JS memory, kept for reuse a few seconds after a scan (a new array's pages
 * are faulted in and zeroed on first write, which costs as much as a copy: a reused one has them), then let go.
 * JS memory because the sockets read into it and the kernels scan it where it is (scanBytes): the addon may not
 * hand its own memory to JS (Electron forbids external array buffers).
 */
const FULL = LANES * REQUEST
const IDLE_MS = 10_000
const spare: Uint8Array[] = []
let idle: NodeJS.Timeout | undefined

function takeScratch(bytes: number): Uint8Array {
  if (bytes === FULL && spare.length) return spare.pop()!
  return new Uint8Array(bytes)
}

function giveBack(s: Uint8Array): void {
  if (s.length !== FULL) return
  spare.push(s)
  clearTimeout(idle)
  idle = setTimeout(() => spare.splice(0), IDLE_MS)
  idle.unref()
}

/** A histogram's range as numpy widens an empty one. */
function widen([lo, hi]: [number, number]): [number, number] {
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi]
}

/**
 * The statistics of the whole from those of its parts: counts added, min/max of theirs, mean and (population)
 * std combined by Chan's pairwise rule from each part's finite count, mean and std; histograms added.
 */
export function merge(parts: NativeStats[]): Stats {
  const out: Stats = { count: 0, finite: 0, nan: 0, posinf: 0, neginf: 0, min: null, max: null, mean: null, std: null }
  let m2 = 0
  for (const p of parts) {
    out.count += p.count
    out.nan += p.nan
    out.posinf += p.posinf
    out.neginf += p.neginf
    if (p.histogram) {
      if (!out.histogram) out.histogram = { edges: p.histogram.edges, counts: [...p.histogram.counts] }
      else p.histogram.counts.forEach((c, i) => (out.histogram!.counts[i]! += c))
    }
    if (!p.finite || p.mean === null || p.std === null) continue
    out.min = out.min === null ? p.min : Math.min(out.min, p.min!)
    out.max = out.max === null ? p.max : Math.max(out.max, p.max!)
    const n = out.finite + p.finite
    const mean = out.mean ?? 0
    const delta = p.mean - mean
    m2 += p.std * p.std * p.finite + ((delta * delta * out.finite) / n) * p.finite
    out.mean = mean + (delta * p.finite) / n
    out.finite = n
  }
  if (out.finite) out.std = Math.sqrt(m2 / out.finite)
  return out
}
