// Find in the hex view: a query (hex pattern, text or typed value) turned into native searches over the whole
// file, forwards or backwards from an offset, going round the end when asked.
import type { Request, Response } from '../../shared/contract'
import { FindError, parseHexPattern, splitValueQuery, textPattern, valuePattern, valueRange } from '../../shared/find'
import type { Layout } from '../../shared/layout'
import type { Mapping, ScanSpec } from './native'
import { ScanJob, scanElem } from './scan'

type FindRequest = Omit<Request<'find:run'>, 'session' | 'scanId'>
type Target = { pattern: Uint8Array; mask: Uint8Array } | { elem: string; swap: boolean; lo: number; hi: number }

/** What the native kernel looks for, and the match length. */
export function findTarget(r: FindRequest, layout: Layout): { target: Target; length: number } {
  if (r.kind === 'hex' || r.kind === 'text') {
    if (r.tolerance !== undefined) throw new FindError('a tolerance applies to typed values only')
    const p = r.kind === 'hex' ? parseHexPattern(r.text) : textPattern(r.text)
    return { target: p, length: p.pattern.length }
  }
  const own = layout.dtype.kind === 'scalar' ? layout.dtype.str : null
  const { value, dtype } = splitValueQuery(r.text, own)
  if (r.tolerance === undefined) {
    const p = valuePattern(value, dtype)
    return { target: p, length: p.pattern.length }
  }
  const kernel = scanElem(dtype)
  if (!kernel) throw new FindError(`a tolerance needs a real-valued dtype; ${dtype.str} is not`)
  const [lo, hi] = valueRange(value, dtype, r.tolerance)
  return { target: { ...kernel, lo, hi }, length: dtype.itemsize }
}

/**
 * The first match at or after start (backwards: the last before start); with wrap, then the rest of the file
 * from the other end. Progress counts bytes passed out of the file size.
 */
export function runFind(
  mapping: Mapping,
  layout: Layout,
  r: FindRequest,
  onProgress?: (done: number, total: number) => void,
  /** Read only what the fill beside it has written (stream-fill.ts). */
  gate?: BigInt64Array
): ScanJob<Response<'find:run'>> {
  const { target, length } = findTarget(r, layout)
  const size = mapping.size
  const start = Math.min(r.start, size)
  const align =
    r.aligned && layout.dtype.itemsize > 1 ? { alignBase: layout.offset, alignStep: layout.dtype.itemsize } : {}
  const passes: [number, number][] = r.backwards ? [[0, start]] : [[start, size]]
  if (r.wrap) passes.push(r.backwards ? [start, size] : [0, start])
  return new ScanJob(async (track) => {
    let before = 0
    for (const [k, [from, to]] of passes.entries()) {
      const spec = {
        op: 'find',
        from,
        to,
        backwards: r.backwards,
        ...align,
        ...target,
        ...(gate ? { gate } : {})
      } as ScanSpec & { op: 'find' }
      const hit = await track(mapping.scan(spec, (done) => onProgress?.(before + done, size)))
      if (hit.offset !== null) return { offset: hit.offset, length, wrapped: k > 0 }
      before += to - from
    }
    onProgress?.(size, size)
    return { offset: null, length, wrapped: false }
  })
}
