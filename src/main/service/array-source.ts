// One array's source: where its bytes are kept (a byte store) and the ordered steps (codecs) that turn them into
// the values shown. open.ts builds it once, from a raw file's layout or a container entry; windows, scans, finds,
// exports and the session's bookkeeping read through it, and nothing outside this file asks what kind of array
// it is. A new store (a remote range store) or codec (a native decoder) is a case here and where open.ts builds
// it — see docs/architecture.md, "The source pipeline".
import { describeScaling } from '../../shared/containers'
import type { Codec } from './source-codecs'
import { ApiError, type Request } from '../../shared/contract'
import type { Layout } from '../../shared/layout'
import { sliced, viewGeometry, type ArrayView } from '../../shared/slice'
import type { ByteSource } from './dequant-source'
import type { ChunkedDataset } from './hdf5-chunked'
import type { Mapping, ScanHandle } from './native'
import type { Pyramid } from './pyramid'
import { windowRanges, type RemoteStore } from './remote-store'
import { ScanJob, type ScanSource } from './scan'
import { removeTemp } from './temp-files'
import type { GrowingStore } from './growing-store'
import { raiseGate, streamFill, type GatedFill, type StreamMake } from './stream-fill'
import { remoteFiller } from './remote-stream'
import { privateReader, remoteSpanStream, type SpanStream } from './remote-export'
import { elementsOf, phasedProgress } from './phased-progress'

type Progress = ((done: number, total: number) => void) | undefined

/** Where an array's bytes are kept. */
export type ByteStore =
  /** A file mapped where its bytes lie (a raw file, an .npy, an array of a container stored in place). */
  | { kind: 'file'; path: string }
  /**
   * A temporary copy decoded once from a container (a deflated .npz member, a MATLAB -v7 variable, a .nii.gz)
   * by its codec, removed with the source; or a text file's values parsed into one (text-source.ts).
   */
  | { kind: 'decoded-copy'; path: string; container: string; codec: 'inflate' | 'recode' | 'parse-text' }
  /**
   * A chunked dataset (HDF5): its chunks are decoded into a sparse temporary copy where something reads, by the
   * HDF5 library in a worker; the container is the file whose changes are watched.
   */
  | { kind: 'chunk-grid'; path: string; container: string; chunks: number[] }
  /**
   * A remote object (http, https, s3) read a block at a time into a sparse temporary copy of itself where
   * something reads (remote-store.ts); read-only. path is the copy, url the object.
   */
  | { kind: 'remote'; path: string; url: string }

export interface SourceParts {
  store: ByteStore
  codecs: Codec[]
  /** What is mapped: the file, or the store's copy. */
  mapping: Mapping
  /** The stored numbers as laid out in the mapping (what find and the hex view read). */
  stored: Layout
  /** The values' layout (what windows, scans and exports read). */
  layout: Layout
  /** Where windows, show and export read the values' bytes. */
  reader: ByteSource
  /** Why the array opens read-only, when it must. */
  readOnly?: string
  /** The chunk grid's dataset (a chunk-grid store). */
  chunked?: ChunkedDataset
  /** The file's own reduced images of the array (TIFF SubIFDs, OME-Zarr levels): the image overviews. */
  pyramid?: Pyramid
  /** The pass still writing the copy (a text array opened before its pass ended). */
  growing?: GrowingStore
  /** The remote object (a remote store) and what gives it back when the source closes. */
  remote?: { store: RemoteStore; release: () => void }
  /** The remote container a chunk grid decodes from (held while open; its changes checked over the network). */
  remoteContainer?: { store: RemoteStore; release: () => void }
  /** Called when the source closes (a shared decompressed copy released). */
  onClose?: () => void
  /** The file whose changes are the array's when it is not the mapped one (a .fits.gz beside its copy). */
  watch?: string
}

export class ArraySource implements ByteSource {
  readonly store: ByteStore
  readonly codecs: readonly Codec[]
  readonly mapping: Mapping
  readonly stored: Layout
  readonly layout: Layout
  readonly reader: ByteSource
  readonly readOnly: string | undefined
  readonly pyramid: Pyramid | undefined
  private readonly chunked: ChunkedDataset | undefined
  readonly growing: GrowingStore | undefined
  private readonly remote: SourceParts['remote']
  private readonly remoteContainer: SourceParts['remoteContainer']
  private readonly onClose: SourceParts['onClose']
  private readonly watched: string | undefined

  constructor(parts: SourceParts) {
    this.remote = parts.remote
    this.remoteContainer = parts.remoteContainer
    this.onClose = parts.onClose
    this.watched = parts.watch
    this.store = parts.store
    this.codecs = parts.codecs
    this.mapping = parts.mapping
    this.stored = parts.stored
    this.layout = parts.layout
    this.reader = parts.reader
    this.readOnly = parts.readOnly
    this.chunked = parts.chunked
    this.pyramid = parts.pyramid
    this.growing = parts.growing
  }

  /**
   * The same store and codecs with another layout of the values (a growing store's array as it grows), and the
   * store's copy mapped anew when it outgrew its mapping.
   */
  withLayout(layout: Layout, mapping: Mapping = this.mapping): ArraySource {
    return new ArraySource({
      store: this.store,
      codecs: [...this.codecs],
      mapping,
      stored: layout,
      layout,
      reader: this.reader === this.mapping ? mapping : this.reader,
      ...(this.readOnly ? { readOnly: this.readOnly } : {}),
      ...(this.chunked ? { chunked: this.chunked } : {}),
      ...(this.pyramid ? { pyramid: this.pyramid } : {}),
      ...(this.growing ? { growing: this.growing } : {})
    })
  }

  /** A pass that has not ended yet, or undefined. */
  private get pending(): GrowingStore | undefined {
    return this.growing && !this.growing.finished ? this.growing : undefined
  }

  /** A file mapped as it is: its bytes are its values. */
  static ofFile(mapping: Mapping, layout: Layout, reader: ByteSource = mapping): ArraySource {
    return new ArraySource({
      store: { kind: 'file', path: mapping.path },
      codecs: [],
      mapping,
      stored: layout,
      layout,
      reader
    })
  }

  private codec<K extends Codec['kind']>(kind: K): Extract<Codec, { kind: K }> | undefined {
    return this.codecs.find((c): c is Extract<Codec, { kind: K }> => c.kind === kind)
  }

  /** The file whose changes by other programs are reported: the container of a chunk grid, else the mapped file. */
  get watch(): string {
    const s = this.store
    if (this.watched) return this.watched
    return s.kind === 'chunk-grid' || (s.kind === 'decoded-copy' && s.codec === 'parse-text')
      ? s.container
      : s.kind === 'remote'
        ? s.url
        : this.mapping.path
  }

  /** The remote object read, for a remote store (its changes are checked over the network, not by stat). */
  get remoteObject(): RemoteStore | undefined {
    return (this.remote ?? this.remoteContainer)?.store
  }

  /**
   * What an export of a view reads: a remote object's contiguous bytes streamed as they arrive (stream, when the
   * copy does not hold them all already); a remote view larger than its copy may hold through a private reader
   * (close removes it); else the session's reader, after the fill of what the view touches (prepare).
   */
  exportReader(view: ArrayView): {
    source: ByteSource
    prepare?: (onProgress: Progress) => ScanHandle<void>
    stream?: SpanStream
    close?: () => void
  } {
    const store = this.remote?.store
    const span = this.span(view)
    const raw = store && this.codecs.length === 0 ? store : undefined
    const stream = raw && !raw.has(...span) ? remoteSpanStream(raw) : undefined
    const own = raw && !raw.canHold(2 * raw.missingBytes(...span)) ? privateReader(raw, span) : undefined
    if (own) return { source: own, close: own.close, ...(stream ? { stream } : {}) }
    return {
      source: this.reader,
      ...(this.needsFill ? { prepare: (p: Progress) => this.fill(view, p)! } : {}),
      ...(stream ? { stream } : {})
    }
  }

  /** Stored bytes per element of a view of the values (a remote fill's progress in elements). */
  private bytesPerElement(view: ArrayView): number {
    const quant = this.codec('dequantize')?.decoding
    return quant ? quant.blockBytes / quant.blockElems : view.dtype.itemsize / (this.codec('scale')?.ratio ?? 1)
  }

  /** The bytes [first, end) of the mapping a view of the values reads (a quantized tensor: all its blocks). */
  private span(view: ArrayView): [number, number] {
    const quant = this.codec('dequantize')
    if (quant) {
      const d = quant.decoding
      return [quant.offset, quant.offset + Math.ceil(quant.count / d.blockElems) * d.blockBytes]
    }
    const v = this.storedView(view)
    if (v.shape.some((n) => n === 0)) return [v.offset, v.offset]
    let lo = v.offset
    let hi = v.offset
    v.shape.forEach((n, k) => {
      const s = v.strides[k]!
      if (s < 0) lo += (n - 1) * s
      else hi += (n - 1) * s
    })
    const ratio = this.codec('scale')?.ratio ?? 1
    return [lo, hi + view.dtype.itemsize / ratio]
  }

  gather(...a: Parameters<ByteSource['gather']>): void {
    this.reader.gather(...a)
  }

  read(...a: Parameters<ByteSource['read']>): number {
    return this.reader.read(...a)
  }

  /**
   * Why a value cannot be found among the stored bytes (they are not the values), for the app or the CLI, or
   * undefined where they are.
   */
  valueFindRefusal(surface: 'app' | 'cli', storedType?: string): string | undefined {
    const quant = this.codec('dequantize')
    if (quant) {
      return surface === 'app'
        ? `the values of this ${storedType} tensor are not stored as bytes (they are dequantized from blocks): find a hex pattern or text in its blocks instead`
        : `the values of a ${quant.decoding.quant} tensor are not stored as bytes (they are dequantized from blocks): use --hex or --text`
    }
    const scale = this.codec('scale')
    if (scale) {
      return surface === 'app'
        ? `the values shown are scaled (${describeScaling(scale.scaling)}), not stored: switch to the stored values to find a stored number, or find a hex pattern`
        : 'the values of this array are scaled from its stored numbers: give --stored to find a stored number'
    }
    return undefined
  }

  /** A view of the values in the bytes of the mapping (a scaled array's offsets are the stored ones × ratio). */
  storedView(view: ArrayView): ArrayView {
    const scale = this.codec('scale')
    if (!scale) return view
    const { ratio } = scale
    return { ...view, offset: view.offset / ratio, strides: view.strides.map((x) => x / ratio) }
  }

  /** What a scan reads: the mapping, and the codecs a native pass applies per chunk. */
  scanSource(): ScanSource {
    const scale = this.codec('scale')
    if (scale) return { mapping: this.mapping, scale: { scaling: scale.scaling, ratio: scale.ratio } }
    const quant = this.codec('dequantize')
    if (quant) {
      return {
        mapping: this.mapping,
        quant: { type: quant.decoding.ggmlType, offset: quant.offset, count: quant.count }
      }
    }
    return { mapping: this.mapping }
  }

  /** The chunk grid's dataset, for what it reports (chunks read, its copy); undefined for other stores. */
  get chunkGrid(): ChunkedDataset | undefined {
    return this.chunked
  }

  /** Whether a pass must first decode what it reads (a chunk grid fills its copy). */
  get needsFill(): boolean {
    return this.chunked !== undefined || this.pending !== undefined || this.remote !== undefined
  }

  /**
   * Decodes what a view of the values touches into the store's copy (a chunk grid), or fetches it (a remote
   * object: progress in bytes); undefined: nothing to do.
   */
  fill(view: ArrayView, onProgress?: (done: number, total: number) => void): ScanHandle<void> | undefined {
    const pending = this.pending
    // a pass over a growing store waits for its end (cancelling the wait leaves the store's pass running)
    if (pending) return { promise: pending.done.then(() => undefined), cancel: () => undefined }
    if (this.remote) {
      // progress in elements of the view, as a scan's (the rate shown is elements × itemsize: the bytes fetched)
      const per = this.bytesPerElement(view)
      return this.remote.store.fill(...this.span(view), onProgress && ((d, t) => onProgress(d / per, t / per)))
    }
    return this.chunked?.fill(this.storedView(view), onProgress)
  }

  /** A job over a view, after what it touches is decoded (progress and cancel reach both steps). */
  afterFill<T>(view: ArrayView, onProgress: Progress, make: (progress: Progress) => ScanJob<T>): ScanJob<T> {
    const pending = this.pending
    if (pending) {
      return new ScanJob(async (track, cancelled) => {
        await pending.done
        if (cancelled()) throw new ApiError('cancelled', 'cancelled')
        return await track(make(onProgress))
      })
    }
    if (!this.needsFill) return make(onProgress)
    // one bar for both steps (phased-progress.ts): the fill's 100 % is not followed by the passes' 0 %
    const phases = phasedProgress(onProgress, elementsOf(view))
    return new ScanJob(async (track) => {
      await track(this.fill(view, phases.fill)!)
      return phases.ended(await track(make(phases.pass)))
    })
  }

  /**
   * The fill a streamed job over a view trails (stream-fill.ts): a chunk grid's, or a remote object's (into the
   * copy, or a private one: remote-stream.ts); 'none' when nothing needs filling; undefined when the job must
   * wait for the fill instead (a growing store, a remote view that cannot stream).
   */
  gatedFill(view: ArrayView, options: { onePass?: boolean; from?: number } = {}): GatedFill | 'none' | undefined {
    if (this.pending) return undefined
    const remote = this.remote
    if (remote) {
      // a find from a byte on reads nothing before it
      const [first, end] = this.span(view)
      const span: [number, number] = [Math.min(end, Math.max(first, options.from ?? 0)), end]
      if (remote.store.has(...span)) return 'none'
      const per = this.bytesPerElement(view)
      return remoteFiller(remote.store, span, this.storedView(view), per, { onePass: options.onePass ?? false })
    }
    const chunked = this.chunked
    if (!chunked) return 'none'
    const stored = this.storedView(view)
    return {
      elements: elementsOf(stored),
      start: (p, gate) => chunked.fill(stored, p, (bytes) => raiseGate(gate, bytes))
    }
  }

  /** A job whose scans read what a view touches while it is decoded or fetched (gatedFill); else after the fill. */
  streamFill<T>(
    view: ArrayView,
    onProgress: Progress,
    make: StreamMake<T>,
    options: { early?: boolean; onePass?: boolean; from?: number } = {}
  ): ScanJob<T> {
    const filler = this.gatedFill(view, options)
    if (filler === 'none') return make({}, onProgress)
    if (!filler) return this.afterFill(view, onProgress, (progress) => make({}, progress))
    return streamFill(filler, onProgress, make, options.early)
  }

  /** Decodes the chunks a table window shows (off the main thread), so the synchronous gather finds them. */
  async prepareWindow(r: Request<'window:get'>): Promise<void> {
    if (!this.chunked && !this.pending && !this.remote) return
    const view = r.view.slice ? sliced(this.layout, r.view.slice) : this.layout
    const { base, rowStride, colStride, rowsTotal, colsTotal } = viewGeometry(view, r.view)
    // a window outside the view is window:get's error to report
    if (r.row0 > rowsTotal || r.col0 > colsTotal) return
    const rows = Math.min(r.rows, rowsTotal - r.row0)
    const cols = Math.min(r.cols, colsTotal - r.col0)
    const pending = this.pending
    if (pending) {
      if (rows <= 0 || cols <= 0) return
      // the window's farthest element, in the copy's order: it waits until the pass has written it
      const first = base + r.row0 * rowStride + r.col0 * colStride
      const corners = [
        0,
        (rows - 1) * rowStride,
        (cols - 1) * colStride,
        (rows - 1) * rowStride + (cols - 1) * colStride
      ]
      const last = Math.max(...corners.map((c) => first + c))
      await pending.waitFor(Math.floor(last / this.layout.dtype.itemsize) + 1)
      return
    }
    // the window in the stored bytes (a scaled array's stored numbers are narrower than its values)
    const ratio = this.codec('scale')?.ratio ?? 1
    const w = {
      base: (base + r.row0 * rowStride + r.col0 * colStride) / ratio,
      rows,
      cols,
      rowStride: rowStride / ratio,
      colStride: colStride / ratio,
      itemsize: this.layout.dtype.itemsize / ratio
    }
    // a quantized tensor's window reads blocks around its values: the tensor's blocks are fetched instead
    if (this.remote)
      await this.remote.store.fillRanges(this.codec('dequantize') ? [this.span(this.layout)] : windowRanges(w))
    else await this.chunked?.prepareWindow(w)
  }

  /** Decodes the chunks under a byte range of the mapping, off the main thread. */
  async prepareRange(first: number, end: number): Promise<void> {
    const pending = this.pending
    if (pending) await pending.waitFor(Math.ceil(end / this.layout.dtype.itemsize))
    await this.remote?.store.fillRange(first, Math.min(end, this.mapping.size))
    await this.chunked?.prepareRange(first, end)
  }

  /** Decodes the chunks under a byte range of the mapping now (synchronous readers). */
  ensureRange(first: number, end: number): void {
    this.remote?.store.ensureRange(first, end)
    this.chunked?.ensureRange(first, end)
  }

  /** Unmaps the store and removes its temporary copy. */
  close(): void {
    this.pyramid?.close()
    this.growing?.cancel()
    if (this.chunked) this.chunked.close()
    else this.mapping.close()
    this.remote?.release()
    this.remoteContainer?.release()
    if (this.store.kind === 'decoded-copy') removeTemp(this.store.path)
    this.onClose?.()
  }
}

/** The refusal for a source whose values are not its stored numbers, as an ApiError. */
export function refuseValueFind(source: ArraySource, storedType?: string): void {
  const why = source.valueFindRefusal('app', storedType)
  if (why) throw new ApiError('bad-request', why)
}
