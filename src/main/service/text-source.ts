// A text array: numpy.fromfile(FILE, dtype, sep=S) or np.loadtxt(FILE, delimiter=S, ndmin=2) — its values parsed
// by one native pass (native/src/text_parse.cc, on its own thread, progress and cancel) into a temporary copy of
// the dtype's binary values, which the session then maps like a decompressed member: table, statistics, plots,
// find, compare and export all run natively on the copy. The text itself is never edited (values change length).
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import pathModule from 'node:path'
import { ApiError, type Request, type SessionInfo } from '../../shared/contract'
import {
  formatShape,
  resolveLayout,
  textRows,
  type Layout,
  type LayoutSpec,
  type TextLayout
} from '../../shared/layout'
import { parseDType } from '../../shared/structured'
import { ArraySource, readOnlyReason, type Codec } from './array-source'
import { layoutInfo } from './layout-info'
import { native, type Mapping } from './native'
import type { OpenContext } from './open'
import { ScanJob } from './scan'
import { newSession, type Session } from './session'
import { removeTemp, tempFolder } from './temp-files'
import type { TextElem, TextParseResult, TextParseSpec } from '../../../native/index'

const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
const TEXT_ELEMS = new Set(['b1', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'f2', 'f4', 'f8', 'c8', 'c16'])

/** The native parser's element for a dtype, and whether its bytes are swapped; numpy's refusal otherwise. */
export function textElem(dtype: string): { elem: TextElem; swap: boolean } {
  let d
  try {
    d = parseDType(dtype)
  } catch (e) {
    throw new ApiError('layout', (e as Error).message)
  }
  const code = d.str.slice(1)
  if (d.kind !== 'scalar' || !TEXT_ELEMS.has(code)) {
    throw new ApiError(
      'layout',
      `text values cannot be read as ${d.str} (numpy.fromfile reads text only as bool, integers, float16/32/64 or complex64/128): choose one of those dtypes`
    )
  }
  return { elem: code as TextElem, swap: d.itemsize > 1 && d.littleEndian !== HOST_LITTLE }
}

/** The native spec for a text layout over a file. */
export function textSpec(path: string, spec: LayoutSpec & { text: TextLayout }): TextParseSpec {
  const { rows, comments } = textRows(spec.text)
  return {
    path,
    ...textElem(spec.dtype),
    sep: spec.text.sep,
    table: rows,
    skip: spec.text.skip ?? 0,
    comments,
    start: spec.offset
  }
}

/** The shape of a text array: the one given (a -1 inferred from the count), else rows × columns or the count. */
export function textShape(spec: LayoutSpec & { text: TextLayout }, r: TextParseResult, path: string): number[] {
  const { rows } = textRows(spec.text)
  // rows: np.loadtxt's shape — one row or one column is 1-D (its ndmin=0 squeeze; a single value too)
  if (spec.shape === null) {
    if (!rows || r.rows <= 1 || r.cols === 1) return [r.count]
    return [r.rows, r.cols]
  }
  const shape = [...spec.shape]
  const unknown = shape.indexOf(-1)
  const known = shape.reduce((a, n) => (n === -1 ? a : a * n), 1)
  if (unknown >= 0 && known > 0 && r.count % known === 0) shape[unknown] = r.count / known
  if (unknown >= 0 && known === 0 && r.count === 0) shape[unknown] = 0
  const need = shape.reduce((a, n) => a * n, 1)
  if (shape.includes(-1) || need !== r.count) {
    throw new ApiError(
      'layout',
      `${path} holds ${r.count} values${rows ? ` (${r.rows} rows of ${r.cols})` : ''}: shape ${formatShape(spec.shape)} ${shape.includes(-1) ? 'cannot divide them' : `needs ${need}`}; fix the shape or give -1 to infer an axis`
    )
  }
  return shape
}

/** The text pass's errors as the user's: the file named, numpy's wording beside ours. */
export function textError(e: unknown, path: string): ApiError {
  const code = (e as { code?: string }).code
  const message = (e as Error).message
  if (code === 'ECANCELLED') return new ApiError('cancelled', `reading ${path} as text was cancelled`)
  if (code === 'EPARSE' || code === 'ERAGGED') {
    return new ApiError(
      'layout',
      `${path}: ${message} (check --sep and --dtype${code === 'ERAGGED' ? '' : ', or skip a header with --skip-rows'})`
    )
  }
  if (code === 'EIO') return new ApiError('io', `${message} (set TMPDIR to a disk with room for the copy)`)
  return e instanceof ApiError ? e : new ApiError('io', `cannot read ${path} as text: ${message}`)
}

/** Runs the native pass into the copy, progress as bytes of text; cancel stops it. */
function parseJob(
  spec: TextParseSpec,
  total: number,
  onProgress?: (done: number, total: number) => void
): ScanJob<TextParseResult> {
  return new ScanJob(async (track) => {
    const h = native().parseText(spec)
    const timer = onProgress ? setInterval(() => onProgress(h.status().bytes, total), 50) : undefined
    try {
      const r = await track({ promise: h.promise, cancel: () => h.cancel() })
      onProgress?.(total, total)
      return r
    } finally {
      if (timer) clearInterval(timer)
    }
  })
}

/** Opens a text file as an array (mode r only: text is never edited in place). */
export async function openText(r: Request<'session:open'>, ctx: OpenContext): Promise<Session> {
  const spec = r.layout as LayoutSpec & { text: TextLayout }
  const path = ctx.paths.resolve(r.path)
  if (r.mode !== 'r') {
    throw new ApiError(
      'readonly',
      `a text array opens read-only (mode r): its values are parsed into a copy and change length when edited; export it (--as npy or raw) and edit that`
    )
  }
  let st: fs.Stats
  try {
    st = fs.statSync(path)
  } catch (e) {
    throw new ApiError('not-found', `cannot open ${path}: ${(e as Error).message}`)
  }
  if (!st.isFile()) throw new ApiError('bad-request', `${path} is not a file`)
  if (spec.offset > st.size)
    throw new ApiError('layout', `offset ${spec.offset} is beyond the end of ${path} (${st.size} bytes)`)
  const native_ = textSpec(path, spec)
  const dir = tempFolder('arrayscope-text-')
  const copy = pathModule.join(
    dir,
    `${
      pathModule
        .basename(path)
        .replace(/[^\w.-]+/g, '_')
        .slice(0, 100) || 'text'
    }.bin`
  )
  fs.writeFileSync(copy, new Uint8Array(0), { flag: 'wx' })
  let mapping: Mapping | undefined
  try {
    const job = (onProgress?: (done: number, total: number) => void): ScanJob<TextParseResult> =>
      parseJob({ ...native_, out: copy }, st.size - spec.offset, onProgress)
    let result: TextParseResult
    try {
      result = await (r.scanId ? ctx.run(r.scanId, job) : job().promise)
    } catch (e) {
      throw textError(e, path)
    }
    const shape = textShape(spec, result, path)
    const itemsize = parseDType(spec.dtype).itemsize
    // an empty array still maps: the copy holds at least one element's bytes
    fs.truncateSync(copy, Math.max(result.count, 1) * itemsize)
    mapping = new (native().Mapping)(copy, 'r')
    mapping.advise('random')
    const codecs: Codec[] = [{ kind: 'parse-text', sep: spec.text.sep, rows: native_.table === true }]
    const layout: Layout = resolveLayout({ dtype: spec.dtype, shape, offset: 0, order: spec.order }, mapping.size)
    const source = new ArraySource({
      store: { kind: 'decoded-copy', path: copy, container: path, codec: 'parse-text' },
      codecs,
      mapping,
      stored: layout,
      layout,
      reader: mapping,
      readOnly: readOnlyReason(codecs)
    })
    const info: SessionInfo = {
      session: randomUUID(),
      path: copy,
      fileSize: st.size,
      mode: 'r',
      format: 'text',
      layout: layoutInfo(layout),
      text: {
        path,
        ...spec.text,
        offset: spec.offset,
        found: { values: result.count, rows: result.rows, cols: result.cols }
      }
    }
    return newSession(source, info)
  } catch (e) {
    mapping?.close()
    removeTemp(copy)
    throw e
  }
}
