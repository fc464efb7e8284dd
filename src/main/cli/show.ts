// `arrayscope show`: the values of a view, as numpy's str() prints them or (--json) as numpy's .tolist().
import { jsonText, toJsonValue } from '../../shared/json-value'
import type { ArrayView } from '../../shared/slice'
import { arrayStr } from '../../shared/array-print'
import { decodeValue, type Value } from '../../shared/structured'
import type { ArrayService } from '../service/array-service'
import type { ByteSource } from '../service/dequant-source'
import { forEachChunk } from '../service/view-reader'
import path from 'node:path'
import { LAYOUT_FLAGS, UsageError, flagString, rejectUnknownFlags, type ParsedArgs } from './args'
import { describeVersion, follow, followRateOf, intervalOf } from './follow'
import { DEFAULT_FOLLOW_RATE } from '../service/change-watch'
import { io, Output } from './output'
import { isRemote } from '../service/remote-url'
import { MEMMAP_DEFAULT, openFromArgs } from './session'

/** Streams a view as nested JSON lists, brackets placed from each element's position in C order. */
export function writeJson(mapping: ByteSource, view: ArrayView, out: Output): void {
  const nd = view.shape.length
  const dt = view.dtype
  if (view.shape.some((n) => n === 0)) {
    out.write(emptyNested(view.shape) + '\n')
    return
  }
  // spans[k] = number of elements in one block of axes k.. (so a '[' opens when i % spans[k] === 0)
  const spans = new Array<number>(nd)
  let span = 1
  for (let k = nd - 1; k >= 0; k--) {
    span *= view.shape[k]!
    spans[k] = span
  }
  let i = 0
  forEachChunk(mapping, view, (bytes, count) => {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    for (let e = 0; e < count; e++, i++) {
      let opens = 0
      for (let k = nd - 1; k >= 0 && i % spans[k]! === 0; k--) opens++
      if (i > 0) out.write(', ')
      if (opens) out.write('['.repeat(opens))
      out.write(jsonText(toJsonValue(dt, decodeValue(dt, dv, e * dt.itemsize))))
      let closes = 0
      for (let k = nd - 1; k >= 0 && (i + 1) % spans[k]! === 0; k--) closes++
      if (closes) out.write(']'.repeat(closes))
    }
  })
  out.write('\n')
}

function emptyNested(shape: readonly number[]): string {
  if (shape.length === 0 || shape[0] === 0) return '[]'
  return `[${Array.from({ length: shape[0]! }, () => emptyNested(shape.slice(1))).join(', ')}]`
}

/** numpy's str() of the view (np.array2string's rules), reading only the elements it prints. */
export function writeText(mapping: ByteSource, view: ArrayView, out: Output): void {
  const dt = view.dtype
  const buf = new Uint8Array(dt.itemsize)
  const dv = new DataView(buf.buffer)
  const read = (index: readonly number[]): Value => {
    let o = view.offset
    index.forEach((i, k) => (o += i * view.strides[k]!))
    mapping.read(o, buf)
    return decodeValue(dt, dv, 0)
  }
  out.write(arrayStr({ dtype: dt, shape: view.shape, read }) + '\n')
}

/** A printout kept to compare with the next (show --follow) when it is at most this long; longer ones stream. */
const COMPARED_CHARS = 1 << 20

export async function show(args: ParsedArgs, service: ArrayService): Promise<void> {
  rejectUnknownFlags(args, [...LAYOUT_FLAGS, 'slice', 'json', 'follow', 'interval', 'follow-rate'])
  const following = args.flags.has('follow')
  /** Writes the view into out; returns nothing (the caller flushes). */
  const render = async (out: Output): Promise<void> => {
    // following, a file that ends inside a row shows its complete rows (a logger writes blocks, not rows)
    const { session, view } = await openFromArgs(args, service, undefined, MEMMAP_DEFAULT, following)
    if (args.flags.has('json')) writeJson(session.source.reader, view, out)
    else writeText(session.source.reader, view, out)
    out.flush()
  }
  if (!args.flags.has('follow')) return render(new Output())
  // --follow: the slice again at every change of the file, each printout headed by the version it shows
  const file = args.positionals[1]
  if (!file) throw new UsageError('show needs a FILE')
  if (isRemote(file))
    throw new UsageError(
      'show --follow watches local files: a remote object is read as it was opened (open it again for a new version)'
    )
  const timing = {
    pollMs: intervalOf(flagString(args, 'interval')),
    rate: followRateOf(args) ?? DEFAULT_FOLLOW_RATE
  }
  // the last printout when short enough to compare: a producer writing through a shared mapping changes the
  // bytes without the version, so at each check the slice is rendered again and compared (null: too long)
  let shown: string | null = null
  /** The printout, or null when it is longer than COMPARED_CHARS. */
  const capture = async (): Promise<string | null> => {
    const parts: string[] = []
    let size = 0
    const tooLong = new Error('longer than a compared printout')
    try {
      await render(
        new Output((text) => {
          size += text.length
          // stops the rendering: a long printout is streamed instead, and not compared
          if (size > COMPARED_CHARS) throw tooLong
          parts.push(text)
        })
      )
    } catch (e) {
      if (e === tooLong) return null
      throw e
    }
    return parts.join('')
  }
  const rewritten = async (): Promise<boolean> => {
    if (shown === null) return false
    const now = await capture()
    return now !== null && now !== shown
  }
  await follow(
    path.resolve(file),
    service,
    timing,
    async (v) => {
      // JSON: one line per version, nothing else on stdout
      if (!args.flags.has('json')) io.out(`# ${describeVersion(v)}\n`)
      shown = await capture()
      if (shown !== null) io.out(shown)
      // a long printout is not kept: it is written as it is made
      else await render(new Output())
    },
    rewritten
  )
}
