// A text array: numpy.fromfile(FILE, dtype, sep=S) or np.loadtxt(FILE, delimiter=S) — its values parsed by one
// native pass (native/src/text_parse.cc, off the main thread, progress and cancel) into a temporary copy of the
// dtype's binary values, which the session then maps like a decompressed member: table, statistics, plots,
// find, compare and export all run natively on the copy. Opened early, the session grows as the pass goes
// (text-growth.ts). The text itself is never edited (values change length).
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import pathModule from 'node:path'
import { isRemote } from './remote-url'
import { ApiError, type Request, type SessionInfo, type TextInfo } from '../../shared/contract'
import {
  formatShape,
  resolveLayout,
  textRows,
  type Layout,
  type LayoutSpec,
  type TextLayout
} from '../../shared/layout'
import { parseDType } from '../../shared/structured'
import { ArraySource } from './array-source'
import { readOnlyReason, type Codec } from './source-codecs'
import { layoutInfo } from './layout-info'
import { native, type Mapping } from './native'
import type { PathPolicy } from './path-policy'
import { ScanJob } from './scan'
import { identityOf } from './file-identity'
import { newSession, type Session } from './session'
import { removeTemp, tempFolder } from './temp-files'
import { TextPass, textError, type TextStatus } from './text-pass'
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

/** The shape while the pass runs: the one given when complete, else the rows (or values) written so far. */
export function provisionalShape(spec: LayoutSpec & { text: TextLayout }, st: TextStatus): number[] {
  const { rows } = textRows(spec.text)
  const given = spec.shape
  if (given && !given.includes(-1)) return given
  const count = rows ? (st.cols > 0 ? st.rows * st.cols : 0) : st.written
  if (given) {
    const known = given.reduce((a, n) => (n === -1 ? a : a * n), 1)
    return given.map((n) => (n === -1 ? (known > 0 ? Math.floor(count / known) : 0) : n))
  }
  return rows && st.cols > 1 ? [st.rows, st.cols] : [count]
}

/** What a text session's info says about the text and the pass. */
export function textInfo(path: string, spec: LayoutSpec & { text: TextLayout }, pass: TextPass): TextInfo {
  const st = pass.status()
  const r = pass.result
  return {
    path,
    ...spec.text,
    size: spec.offset + pass.total,
    offset: spec.offset,
    found: r
      ? { values: r.count, rows: r.rows, cols: r.cols, lines: r.lines }
      : { values: st.written, rows: st.rows, cols: st.cols },
    ...(pass.finished ? {} : { loading: { bytes: st.bytes, total: pass.total } }),
    ...(pass.error ? { error: pass.error.message } : {})
  }
}

/** What opening a text needs of the service (open.ts's OpenContext has it; named here so the two import apart). */
export interface TextOpenContext {
  paths: PathPolicy
  /** Runs a job in the service's registry under id (progress reported, cancel by id). */
  run<T>(id: string, start: (progress: (done: number, total: number) => void) => ScanJob<T>): Promise<T>
}

/** A text file to parse from spec.offset: there, a file, and at least that long (a clear error if not). */
export function statText(path: string, spec: LayoutSpec): fs.Stats {
  // the text pass parses a local file in place: a URL would be stat'ed as a path (ENOENT, as if missing)
  if (isRemote(path))
    throw new ApiError(
      'bad-request',
      `${path}: text arrays are read from local files only: download it first (curl -o NAME URL) and open the copy`
    )
  let st: fs.Stats
  try {
    st = fs.statSync(path)
  } catch (e) {
    throw new ApiError('not-found', `cannot open ${path}: ${(e as Error).message}`)
  }
  if (!st.isFile()) throw new ApiError('bad-request', `${path} is not a file`)
  if (spec.offset > st.size)
    throw new ApiError('layout', `offset ${spec.offset} is beyond the end of ${path} (${st.size} bytes)`)
  return st
}

/** Opens a text file as an array (mode r only: text is never edited in place). */
export async function openText(r: Request<'session:open'>, ctx: TextOpenContext): Promise<Session> {
  const spec = r.layout as LayoutSpec & { text: TextLayout }
  const path = ctx.paths.resolve(r.path)
  if (r.mode !== 'r') {
    throw new ApiError(
      'readonly',
      `a text array opens read-only (mode r): its values are parsed into a copy and change length when edited; export it (--as npy or raw) and edit that`
    )
  }
  const st = statText(path, spec)
  const parse = textSpec(path, spec)
  const itemsize = parseDType(spec.dtype).itemsize
  const total = st.size - spec.offset
  const dir = tempFolder('arrayscope-text-')
  const name =
    pathModule
      .basename(path)
      .replace(/[^\w.-]+/g, '_')
      .slice(0, 100) || 'text'
  const copy = pathModule.join(dir, `${name}.bin`)
  // the copy is sized for the most values the text can hold (one character and a separator each) and stays
  // sparse: a session opened early maps it whole while the pass writes it
  fs.writeFileSync(copy, new Uint8Array(0), { flag: 'wx' })
  fs.truncateSync(copy, Math.max(1, Math.floor(total / 2) + 1) * itemsize)
  let pass: TextPass | undefined
  let mapping: Mapping | undefined
  try {
    const start = (onProgress?: (done: number, total: number) => void): ScanJob<TextParseResult> => {
      pass = new TextPass({ ...parse, out: copy }, path, total, onProgress)
      const p = pass
      return new ScanJob((track) => track(p.asHandle()))
    }
    const all = r.scanId ? ctx.run(r.scanId, start) : start().promise
    all.catch(() => undefined)
    if (r.early) await pass!.started()
    else await all.catch((e: unknown) => Promise.reject(textError(e, path)))
    const p = pass!
    // opened early, a pass that already ended on a bad value (a small text, a quick pass) still shows the rows
    // before it, as one that ends after the open does; with nothing before it, or not early, the open fails
    if (p.error && (!r.early || p.written() === 0)) throw p.error
    const shape = p.result ? textShape(spec, p.result, path) : provisionalShape(spec, p.status())
    mapping = new (native().Mapping)(copy, 'r')
    mapping.advise('random')
    const codecs: Codec[] = [{ kind: 'parse-text', sep: spec.text.sep, rows: parse.table === true }]
    const layout: Layout = resolveLayout({ dtype: spec.dtype, shape, offset: 0, order: spec.order }, mapping.size)
    const source = new ArraySource({
      store: { kind: 'decoded-copy', path: copy, container: path, codec: 'parse-text' },
      codecs,
      mapping,
      stored: layout,
      layout,
      reader: mapping,
      readOnly: readOnlyReason(codecs),
      ...(p.finished ? {} : { growing: p })
    })
    const info: SessionInfo = {
      session: randomUUID(),
      path: copy,
      // the bytes of the values parsed (the copy is mapped larger, sparse, for the values still to come)
      fileSize: layout.nbytes,
      mode: 'r',
      format: 'text',
      layout: layoutInfo(layout),
      text: textInfo(path, spec, p)
    }
    // the text is the file watched for changes by other programs (the copy changes as the pass writes it)
    const id = identityOf(path)
    const watched = {
      stat: { size: st.size, mtimeMs: st.mtimeMs },
      identity: id ?? { ino: BigInt(st.ino), dev: BigInt(st.dev) }
    }
    return newSession(source, info, watched)
  } catch (e) {
    pass?.cancel()
    mapping?.close()
    removeTemp(copy)
    throw e
  }
}
