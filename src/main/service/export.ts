// Export of a view via numpy's tofile semantics: raw bytes in C order (optionally cast to another dtype),
// text with sep/format, .npy, CSV for 2-D views. Written to a temporary file beside the target and renamed,
// so a failed export leaves nothing half-written.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { ApiError } from '../../shared/contract'
import { decodeAt, encodeAt, parseScalarDType, type Scalar, type ScalarDType } from '../../shared/dtypes'
import { writeNpyHeader } from '../../shared/npy'
import { compileFormat, nativeFormat } from '../../shared/printf'
import { pyStr } from '../../shared/py-text'
import type { ArrayView } from '../../shared/slice'
import { dtypeDescr, type DType } from '../../shared/structured'
import { native, type Mapping } from './native'
import { scanElem } from './scan'
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
  /** Raw: also write <out>.arrayscope.json describing the layout, so the file reopens correctly. */
  sidecar?: boolean
}

export interface ExportControl {
  onProgress?: (done: number, total: number) => void
  /** Checked between chunks: a cancelled export removes its temporary file and writes nothing. */
  cancelled?: () => boolean
}

/** Where a raw export's sidecar goes; the open form reads it back. */
export function sidecarPath(file: string): string {
  return `${file}.arrayscope.json`
}

/** Casts a scalar as numpy's astype would for values in range; refuses what numpy would make up. */
function caster(from: ScalarDType, to: ScalarDType): (v: Scalar) => Scalar {
  const k = to.type.kind
  return (v) => {
    const real = Array.isArray(v) ? (v as readonly [number, number])[0] : v
    if (k === 'complex') return Array.isArray(v) ? v : ([Number(real), 0] as const)
    if (k === 'float') return Number(real)
    if (k === 'bool') return Number(real) !== 0
    if (typeof real === 'bigint') return real
    const x = Number(real)
    if (!Number.isFinite(x)) throw new ApiError('bad-request', `cannot cast ${x} from ${from.str} to ${to.str}`)
    return BigInt(Math.trunc(x))
  }
}

function requireScalar(dt: DType, what: string): ScalarDType {
  if (dt.kind !== 'scalar') throw new ApiError('bad-request', `${what} needs a scalar dtype; ${dt.str} is not`)
  return dt
}

class AtomicFile {
  readonly tmp: string
  readonly fd: number
  private buffered: (Uint8Array | string)[] = []
  private size = 0
  constructor(readonly target: string) {
    const dir = path.dirname(path.resolve(target))
    if (!fs.existsSync(dir)) throw new ApiError('not-found', `the folder ${dir} does not exist`)
    this.tmp = path.join(dir, `.${path.basename(target)}.arrayscope-${randomBytes(4).toString('hex')}.tmp`)
    this.fd = fs.openSync(this.tmp, 'wx', 0o644)
  }
  write(data: Uint8Array | string): void {
    this.buffered.push(data)
    this.size += data.length
    if (this.size >= 1 << 22) this.flush()
  }
  private flush(): void {
    for (const d of this.buffered) {
      if (typeof d === 'string') fs.writeSync(this.fd, d)
      else for (let off = 0; off < d.length; ) off += fs.writeSync(this.fd, d, off)
    }
    this.buffered = []
    this.size = 0
  }
  /** Appends the mapping's bytes [offset, offset + length) straight from the mapping (no copy through JS). */
  copyFrom(mapping: Mapping, offset: number, length: number): void {
    this.flush()
    mapping.copyTo(this.fd, offset, length)
  }
  /** Writes at once, without a copy (for chunks whose buffer is reused afterwards). */
  writeNow(data: Uint8Array): void {
    this.flush()
    let off = 0
    while (off < data.length) off += fs.writeSync(this.fd, data, off)
  }
  commit(): void {
    this.flush()
    // No fsync: the rename makes the export appear whole or not at all (ext4 and others order the data
    // before a replacing rename); an fsync would triple the time of a 1 GiB export for a power-loss case.
    fs.closeSync(this.fd)
    fs.renameSync(this.tmp, this.target)
  }
  abort(): void {
    try {
      fs.closeSync(this.fd)
    } catch {
      /* already closed */
    }
    fs.rmSync(this.tmp, { force: true })
  }
}

export async function exportView(
  mapping: Mapping | ByteSource,
  view: ArrayView,
  options: ExportOptions,
  control: ExportControl = {}
): Promise<{ bytes: number }> {
  const file = new AtomicFile(options.out)
  const side = options.sidecar && options.as === 'raw' ? new AtomicFile(sidecarPath(options.out)) : null
  try {
    await writeExport(mapping, view, options, file, control)
    if (side) {
      const dtype = options.toDtype ? parseScalarDType(options.toDtype).str : view.dtype.str
      side.write(
        JSON.stringify({ format: 'arrayscope-raw/1', dtype, shape: view.shape, order: 'C', offset: 0 }, null, 1) + '\n'
      )
      side.commit()
    }
    file.commit()
  } catch (e) {
    file.abort()
    side?.abort()
    throw e
  }
  return { bytes: fs.statSync(options.out).size }
}

/** Walks the view's chunks, yielding to the event loop and honouring cancel between them. */
async function* paced(
  mapping: ByteSource,
  view: ArrayView,
  control: ExportControl,
  chunkBytes?: number
): AsyncGenerator<[Uint8Array, number]> {
  const total = view.shape.reduce((a, b) => a * b, 1)
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
    if (o.as === 'npy') file.write(writeNpyHeader(dtypeDescr(target ?? dt) as never, false, view.shape))
    if (!target) {
      // straight from the mapping when the bytes are the values (not through a decoding such as dequantization)
      const span = process.platform === 'win32' || !isMapping(mapping) ? null : contiguousSpan(view)
      if (span && isMapping(mapping)) return copySpan(mapping, span, view.dtype.itemsize, file, control)
      for await (const [bytes] of paced(mapping, view, control)) file.writeNow(bytes)
      return
    }
    const from = requireScalar(dt, '--to-dtype')
    const cast = caster(from, target)
    for await (const [bytes, count] of paced(mapping, view, control)) {
      const src = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      const out = new Uint8Array(count * target.itemsize)
      const dst = new DataView(out.buffer)
      for (let e = 0; e < count; e++)
        encodeAt(target, dst, e * target.itemsize, cast(decodeAt(from, src, e * from.itemsize)))
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
  const text = (v: Scalar): string => {
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
