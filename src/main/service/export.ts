// Export of a view via numpy's tofile semantics: raw bytes in C order (optionally cast to another dtype),
// text with sep/format, .npy, CSV for 2-D views. Written to a temporary file beside the target and renamed,
// so a failed export leaves nothing half-written.
import fs from 'node:fs'
import path from 'node:path'
import { ApiError } from '../../shared/contract'
import { castRefusal, CastMiss, converter, type Casting } from '../../shared/casting'
import { decodeAt, encodeAt, parseScalarDType, type Scalar, type ScalarDType } from '../../shared/dtypes'
import { writeNpyHeader } from '../../shared/npy'
import { compileFormat, formatConversion, nativeFormat } from '../../shared/printf'
import { pyStr } from '../../shared/py-text'
import { isCContiguous, isFContiguous, transposed, type ArrayView, viewSize } from '../../shared/slice'
import { dtypeDescr, type DType } from '../../shared/structured'
import { AtomicFile } from './atomic-file'
import { checkExportTarget } from './export-target'
import type { SpanStream } from './remote-export'
import type { FileIdentity } from './file-identity'
import { native, type Mapping, type ScanHandle } from './native'
import { scanElem, ScanJob } from './scan'
import { chunks, ReadAhead } from './view-reader'
import { isMapping, type ByteSource } from './dequant-source'

/** Text is formatted in chunks of this many source bytes: the event loop is free between them. */
const TEXT_CHUNK_BYTES = 1 << 20

export type ExportFormat = 'raw' | 'text' | 'npy' | 'csv'

export interface ExportOptions {
  as: ExportFormat
  out: string
  /** Text: separator between elements (numpy's sep); CSV uses ','. */
  sep?: string
  /** Text/CSV: a %-format applied to every element (numpy's format). */
  fmt?: string
  /** Raw/npy: cast to this scalar dtype first. */
  toDtype?: string
  /** How toDtype casts: numpy's names, or 'checked' (the default: refuse a value that does not fit). */
  casting?: Casting
  /** Raw: also write <out>.arrayscope.json describing the layout, so the file reopens correctly. */
  sidecar?: boolean
}

export interface ExportControl {
  onProgress?: (done: number, total: number) => void
  /** Checked between chunks: a cancelled export removes its temporary file and writes nothing. */
  cancelled?: () => boolean
  /** Where a contiguous span's bytes come from as they arrive, not the mapping (a remote object: remote-export.ts). */
  stream?: SpanStream
}

/** Where a raw export's sidecar goes; the open form reads it back. */
export function sidecarPath(file: string): string {
  return `${file}.arrayscope.json`
}

/** The byte holding the sign bit of a float part (size bytes at offset): its most significant byte. */
function signByte(dt: ScalarDType, offset: number, part: number): number {
  const size = dt.type.kind === 'complex' ? dt.itemsize / 2 : dt.itemsize
  // long double keeps its 10 value bytes first (little-endian) or last (big-endian) in its slot
  const top = dt.type.name.startsWith('longdouble') ? (dt.littleEndian ? 9 : size - 10) : dt.littleEndian ? size - 1 : 0
  return offset + part * size + top
}

/**
 * A NaN keeps its sign through astype (x86 makes NaNs negative by default), but JavaScript numbers do not carry
 * it: copy each NaN part's sign bit from the source element to the converted one.
 */
function copyNanSigns(
  from: ScalarDType,
  src: Uint8Array,
  so: number,
  to: ScalarDType,
  dst: Uint8Array,
  d: number
): void {
  const parts = from.type.kind === 'complex' ? 2 : 1
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength)
  for (let part = 0; part < parts; part++) {
    const x =
      from.type.kind === 'complex'
        ? (decodeAt(from, view, so) as readonly [number, number])[part]!
        : (decodeAt(from, view, so) as number)
    if (!Number.isNaN(x) || (part === 1 && to.type.kind !== 'complex')) continue
    const negative = (src[signByte(from, so, part)]! & 0x80) !== 0
    const at = signByte(to, d, part)
    dst[at] = negative ? dst[at]! | 0x80 : dst[at]! & 0x7f
  }
}

function requireScalar(dt: DType, what: string): ScalarDType {
  if (dt.kind !== 'scalar') throw new ApiError('bad-request', `${what} needs a scalar dtype; ${dt.str} is not`)
  return dt
}

export async function exportView(
  mapping: Mapping | ByteSource,
  view: ArrayView,
  options: ExportOptions,
  control: ExportControl = {}
): Promise<{ bytes: number }> {
  let file: AtomicFile | null = null
  let side: AtomicFile | null = null
  let sideRenamed = false
  try {
    file = new AtomicFile(options.out)
    side = options.sidecar && options.as === 'raw' ? sidecarFile(options.out) : null
    await writeExport(mapping, view, options, file, control)
    file.finish()
    if (side) {
      const dtype = options.toDtype ? parseScalarDType(options.toDtype).str : view.dtype.str
      side.write(
        JSON.stringify({ format: 'arrayscope-raw/1', dtype, shape: view.shape, order: 'C', offset: 0 }, null, 1) + '\n'
      )
      side.finish()
      side.rename()
      sideRenamed = true
    }
    file.rename()
  } catch (e) {
    file?.abort()
    side?.abort()
    // the sidecar describes an export that did not happen
    if (sideRenamed) fs.rmSync(sidecarPath(options.out), { force: true })
    throw exportError(e, options.out)
  }
  return { bytes: fs.statSync(options.out).size }
}

/** What an export must not replace, and how its caller confirms replacing an existing file. */
export interface ExportTarget {
  /** The files being exported (the mapped file, and a container it belongs to). */
  sources: { path: string; identity: FileIdentity }[]
  overwrite: boolean
  /** For the message: "confirm", "add --force". */
  howToReplace: string
}

/**
 * An export as a job (the service runs it in its scan registry, the CLI awaits it): the target and sidecar
 * checked before a byte is written, then prepare (a chunked dataset reads the chunks the view touches into its
 * copy), then the file written atomically. Cancelling stops whichever step runs; nothing is left behind.
 */
export function exportJob(
  source: Mapping | ByteSource,
  view: ArrayView,
  options: ExportOptions,
  target: ExportTarget,
  onProgress?: (done: number, total: number) => void,
  prepare?: (onProgress?: (done: number, total: number) => void) => ScanHandle<void>,
  /** A contiguous raw or .npy export's bytes as they arrive (no prepare needed for it: remote-export.ts). */
  stream?: SpanStream
): ScanJob<{ out: string; bytes: number }> {
  const out = path.resolve(options.out)
  return new ScanJob(async (track, cancelled) => {
    checkExportTarget(out, target.sources, target.overwrite, target.howToReplace)
    if (options.sidecar && options.as === 'raw')
      checkExportTarget(sidecarPath(out), target.sources, target.overwrite, target.howToReplace)
    const streamed = stream && !options.toDtype && (options.as === 'raw' || options.as === 'npy')
    const direct =
      streamed &&
      contiguousSpan(options.as === 'npy' && isFContiguous(view) && !isCContiguous(view) ? transposed(view) : view)
    if (prepare && !direct) await track(prepare(onProgress))
    const control = { cancelled, onProgress, ...(direct ? { stream } : {}) }
    const { bytes } = await exportView(source, view, { ...options, out }, control)
    return { out, bytes }
  })
}

/** The sidecar's temporary file; a name too long for it says so (the user named the export, not the sidecar). */
function sidecarFile(out: string): AtomicFile {
  const name = path.basename(sidecarPath(out))
  if (Buffer.byteLength(name) > 255) {
    throw new ApiError(
      'bad-request',
      `the sidecar's name (the export's name + .arrayscope.json) would be ${Buffer.byteLength(name)} bytes; ` +
        `file systems take at most 255: choose a shorter --out name, or export without --sidecar`
    )
  }
  return new AtomicFile(sidecarPath(out))
}

/** A failed export's error, said for its target (not the temporary file the system call named). */
function exportError(e: unknown, out: string): unknown {
  const code = (e as { code?: unknown }).code
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') {
    return new ApiError(
      'io',
      `no space left on device: the export to ${out} did not fit and nothing was written; free some space or choose another folder`
    )
  }
  if (code === 'ENAMETOOLONG') return new ApiError('bad-request', `the name ${out} is too long for the file system`)
  if (code === 'EISDIR') return new ApiError('bad-request', `${out} is a folder: give the export a file name inside it`)
  if (code === 'ENOTDIR')
    return new ApiError('bad-request', `${out}: a part of the path before its last name is a file, not a folder`)
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new ApiError('permission', `cannot write ${out}: permission denied (or a read-only file system)`)
  return e
}

/** Walks the view's chunks, yielding to the event loop and honouring cancel between them. */
async function* paced(
  mapping: ByteSource,
  view: ArrayView,
  control: ExportControl,
  chunkBytes?: number
): AsyncGenerator<[Uint8Array, number]> {
  const total = viewSize(view)
  let done = 0
  let last = Date.now()
  for (const chunk of chunks(mapping, view, chunkBytes)) {
    if (control.cancelled?.()) throw new ApiError('cancelled', 'the export was cancelled; nothing was written')
    yield chunk
    done += chunk[1]
    if (Date.now() - last > 50) {
      last = Date.now()
      control.onProgress?.(done, total)
      await new Promise((r) => setImmediate(r))
    }
  }
  control.onProgress?.(total, total)
}

/** The bytes [offset, offset + length) a C-contiguous view occupies, or null when it is strided. */
function contiguousSpan(view: ArrayView): [number, number] | null {
  let length = view.dtype.itemsize
  for (let k = view.shape.length - 1; k >= 0; k--) {
    if (view.shape[k] !== 1 && view.strides[k] !== length) return null
    length *= view.shape[k]!
  }
  return [view.offset, length]
}

/** The raw bytes of a contiguous view, written from the mapping in 16 MiB steps (progress and cancel between). */
async function copySpan(
  mapping: Mapping,
  [offset, length]: [number, number],
  itemsize: number,
  file: AtomicFile,
  control: ExportControl
): Promise<void> {
  const step = 16 << 20
  const readahead = new ReadAhead(mapping, { offset, shape: [length], strides: [1], itemsize: 1 })
  try {
    for (let done = 0; done < length; done += step) {
      if (control.cancelled?.()) throw new ApiError('cancelled', 'the export was cancelled; nothing was written')
      const n = Math.min(step, length - done)
      readahead.at(done, done + n)
      file.copyFrom(mapping, offset + done, n)
      control.onProgress?.((done + n) / itemsize, length / itemsize)
      await new Promise((r) => setImmediate(r))
    }
  } finally {
    readahead.close()
  }
  if (length === 0) control.onProgress?.(0, 0)
}

/** The raw bytes of a contiguous view written as they arrive from a stream, in order (progress and cancel). */
async function streamSpan(
  stream: SpanStream,
  [offset, length]: [number, number],
  itemsize: number,
  file: AtomicFile,
  control: ExportControl
): Promise<void> {
  let done = 0
  const cancelled = control.cancelled ?? (() => false)
  await stream.stream(
    offset,
    length,
    async (bytes) => {
      await file.writeNowAsync(bytes)
      done += bytes.length
      control.onProgress?.(done / itemsize, length / itemsize)
    },
    cancelled
  )
  if (cancelled()) throw new ApiError('cancelled', 'the export was cancelled; nothing was written')
  if (length === 0) control.onProgress?.(0, 0)
}

async function writeExport(
  mapping: Mapping | ByteSource,
  view: ArrayView,
  o: ExportOptions,
  file: AtomicFile,
  control: ExportControl
): Promise<void> {
  const dt = view.dtype
  const target = o.toDtype ? parseScalarDType(o.toDtype) : null
  if (o.as === 'raw' || o.as === 'npy') {
    // np.save writes an array that is F-contiguous and not C-contiguous in Fortran order, as it lies in
    // memory (array.T.tofile()); anything else in C order
    const fortran = o.as === 'npy' && isFContiguous(view) && !isCContiguous(view)
    if (o.as === 'npy') {
      file.write(writeNpyHeader(dtypeDescr(target ?? dt) as never, fortran, view.shape))
      if (fortran) view = transposed(view)
    }
    if (!target) {
      // straight from the mapping when the bytes are the values (not through a decoding such as dequantization)
      const stream = control.stream
      if (stream) {
        const span = contiguousSpan(view)
        if (span) return streamSpan(stream, span, view.dtype.itemsize, file, control)
      }
      const span = process.platform === 'win32' || !isMapping(mapping) ? null : contiguousSpan(view)
      if (span && isMapping(mapping)) return copySpan(mapping, span, view.dtype.itemsize, file, control)
      for await (const [bytes] of paced(mapping, view, control)) file.writeNow(bytes)
      return
    }
    const from = requireScalar(dt, '--to-dtype')
    const casting = o.casting ?? 'checked'
    const refused = castRefusal(from, target, casting)
    if (refused) throw new ApiError('bad-request', refused)
    const cast = converter(from, target, casting)
    // the N-D index of the i-th element walked, in the exported array's own axes (for a refusal's message)
    const where = (i: number): string => {
      const index = view.shape.map(() => 0)
      for (let k = view.shape.length - 1; k >= 0; k--) {
        index[k] = i % view.shape[k]!
        i = Math.floor(i / view.shape[k]!)
      }
      return `(${(fortran ? index.reverse() : index).join(', ')}${index.length === 1 ? ',' : ''})`
    }
    const floaty = (k: string): boolean => k === 'float' || k === 'complex'
    const keepNanSign = floaty(from.type.kind) && floaty(target.type.kind)
    let i = 0
    for await (const [bytes, count] of paced(mapping, view, control)) {
      const src = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      const out = new Uint8Array(count * target.itemsize)
      const dst = new DataView(out.buffer)
      for (let e = 0; e < count; e++, i++) {
        const value = cast(decodeAt(from, src, e * from.itemsize))
        if (value instanceof CastMiss) {
          throw new ApiError(
            'bad-request',
            `element ${where(i)}: ${value.reason}; nothing was written (--casting unsafe converts it as numpy's astype does)`
          )
        }
        encodeAt(target, dst, e * target.itemsize, value)
        if (keepNanSign) copyNanSigns(from, bytes, e * from.itemsize, target, out, e * target.itemsize)
      }
      file.write(out)
    }
    return
  }
  const sdt = requireScalar(dt, `${o.as} export`)
  let sep = o.sep ?? ' '
  let rowLength = Infinity
  if (o.as === 'csv') {
    if (view.shape.length > 2)
      throw new ApiError('bad-request', `CSV needs a 1-D or 2-D view; this one is ${view.shape.length}-D (use --slice)`)
    sep = ','
    rowLength = view.shape.length === 2 ? view.shape[1]! : 1
  }
  // Common formats (%.6g, %d, %10.3f …) are formatted natively, on threads; the rest here
  const fast = o.fmt ? nativeFormat(o.fmt, sdt.type.kind === 'float') : null
  const elem = scanElem(sdt)
  if (fast && elem) {
    const { formatText } = native()
    let index0 = 0
    for await (const [bytes, count] of paced(mapping, view, control, TEXT_CHUNK_BYTES)) {
      const { conv, flags, width, precision, prefix, suffix } = fast
      const rows = rowLength === Infinity ? 0 : rowLength
      file.write(
        formatText(bytes, {
          ...elem,
          count,
          conv,
          flags,
          width,
          precision,
          prefix,
          suffix,
          sep,
          rowSep: '\n',
          rowLength: rows,
          index0
        })
      )
      index0 += count
    }
    if (o.as === 'csv' && index0 > 0) file.write('\n')
    return
  }
  const fmt = o.fmt ? compileFormat(o.fmt) : null
  const textual = sdt.type.kind === 'bytes' || sdt.type.kind === 'str'
  const repr = o.fmt !== undefined && formatConversion(o.fmt) === 'r'
  if (o.fmt && textual && !'sr'.includes(formatConversion(o.fmt))) {
    // numpy: "%d format: a real number is required, not bytes"
    throw new ApiError(
      'bad-request',
      `format '${o.fmt}' needs numbers; ${sdt.str} holds ${sdt.type.kind === 'bytes' ? 'bytes' : 'text'}: use %s`
    )
  }
  const text = (v: Scalar): string => {
    // tofile formats Python's bytes/str of each element: %s is str() (b'ab', ab), %r is repr() (b'ab', 'ab')
    if (textual && fmt) return fmt(0, () => (repr ? sdt.type.format(v) : pyStr(sdt, v)))
    if (!fmt) return pyStr(sdt, v)
    if (Array.isArray(v))
      throw new ApiError('bad-request', `format '${o.fmt}' needs real numbers; ${sdt.str} is complex (use %s)`)
    return fmt(v as number | bigint | boolean, () => pyStr(sdt, v))
  }
  let i = 0
  for await (const [bytes, count] of paced(mapping, view, control)) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const parts: string[] = []
    for (let e = 0; e < count; e++, i++) {
      if (i > 0) parts.push(o.as === 'csv' && i % rowLength === 0 ? '\n' : sep)
      parts.push(text(decodeAt(sdt, dv, e * sdt.itemsize)))
    }
    file.write(parts.join(''))
  }
  if (o.as === 'csv' && i > 0) file.write('\n')
}
