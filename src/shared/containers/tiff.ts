// TIFF, BigTIFF, OME-TIFF, GeoTIFF: every series of a file (as tifffile's TiffFile.series gives them) is an
// array, named series0, series1 …, its pyramid levels (SubIFDs) series0.level1 …. A series whose pages are each
// one uncompressed run, equally spaced in the file, is mapped where it lies (as tifffile.memmap maps it); any
// other — compressed strips or tiles (deflate, LZW, packbits, zstd; predictor 2 or 3), uncompressed tiles or
// strips out of row order — is read
// strip by strip or tile by tile into a temporary copy through the chunk grid (src/main/service/tiff-fill.ts).
// What cannot be read (JPEG and other codecs, 1-bit pixels, multi-file OME sets) is listed with the reason.
import type { JsonValue } from '../json-value'
import {
  ContainerError,
  defineFormat,
  elementCount,
  shortened,
  type Container,
  type ContainerEntry,
  type ParseContext
} from './model'
import type { TiffChunks } from './tiff-chunks'
import { isTiff, MAX_IFDS, readChain, readHeader, readIfd, TagReader } from './tiff-ifd'
import { pageMetadata } from './tiff-meta'
import { compressionName, describePage, pageBytes, type TiffPage } from './tiff-page'
import { findSeries, levelShape, type TiffSeries } from './tiff-series'

/** A strip or tile decoded at once is held in memory (several in flight): larger ones are refused. */
const MAX_CHUNK_BYTES = 256 << 20

export const tiff = defineFormat({
  format: 'tiff',
  formats: {
    tiff: {
      label: 'TIFF',
      description: 'a TIFF file (BigTIFF, OME-TIFF, GeoTIFF)',
      singleArray: false,
      extensions: ['.tif', '.tiff', '.ome.tif', '.ome.tiff', '.btf', '.tf8'],
      reader: 'tifffile',
      // a series mapped in place is what tifffile.memmap maps; compressed or scattered pages are decoded (its
      // storedType then names the codec or the layout after a comma)
      recipe: (r) => {
        const m = /^'series(\d+)(?:\.level(\d+))?'$/.exec(r.name)
        const args = `${r.file}, series=${m?.[1] ?? 0}${m?.[2] ? `, level=${m[2]}` : ''}`
        // tifffile does not memory-map 128-bit samples (its pages are then not 'contiguous')
        return r.storedType.includes(',') || r.storedType === 'complex128'
          ? `import tifffile\na = tifffile.imread(${args})`
          : `import tifffile\na = tifffile.memmap(${args}, mode='r')`
      }
    }
  },
  detect: (head) => isTiff(head),
  parse: (ctx) => parseTiff(ctx)
})

const KIND_NAME: Record<string, string> = { u: 'uint', i: 'int', f: 'float', c: 'complex' }

/** numpy's name of a dtype ('uint16', 'float32'). */
function typeName(dtype: string): string {
  return `${KIND_NAME[dtype[1]!]}${Number(dtype.slice(2)) * 8}`
}

function parseTiff(ctx: ParseContext): Container<'tiff'> {
  const h = readHeader(ctx)
  const tags = new TagReader(ctx, h)
  const seen = new Set<number>()
  if (h.first === 0) throw new ContainerError('the header points to no IFD: the file holds no image')
  const ifds = readChain(ctx, h, h.first, (i) => `page ${i}`, seen)
  const pages = ifds.map((ifd, i) => describePage(ifd, `page ${i}`, tags, h, ctx.size))
  const series = findSeries(pages, ctx.fileName, ctx.size)
  let subIfds = 0
  const subPage = (p: TiffPage, k: number): TiffPage => {
    if (++subIfds > MAX_IFDS) throw new ContainerError(`the file has more than ${MAX_IFDS} SubIFDs`)
    const what = `SubIFD ${k} of ${p.what}`
    return describePage(readIfd(ctx, h, p.subIfds[k]!, what), what, tags, h, ctx.size)
  }
  const entries: ContainerEntry[] = []
  series.forEach((s, i) => {
    const name = `series${i}`
    const entry = seriesEntry(s, name, tags)
    entries.push(entry)
    const first = s.pages[0]
    if (s.refusal || !first) return
    const levels: string[] = []
    for (let k = 0; k < first.subIfds.length; k++) {
      const level = levelSeries(s, k, subPage)
      if (!level) continue
      const e = seriesEntry(level, `${name}.level${k + 1}`, tags)
      entries.push(e)
      if (!e.unmappable) levels.push(e.name)
    }
    if (levels.length && !entry.unmappable) entry.levels = levels
  })
  const d = pages[0]?.description
  const metadata: Record<string, JsonValue> = {
    byteorder: h.littleEndian ? '<' : '>',
    bigtiff: h.bigTiff,
    pages: pages.length,
    series: series.map((s) => s.kind).join(', '),
    ...(d ? { [series[0]?.kind === 'ome' ? 'OME-XML' : 'ImageDescription']: shortened(d, 32, 16384) } : {})
  }
  return { format: 'tiff', metadata, entries }
}

/** Level k + 1 of a series: the k-th SubIFD of each of its pages (null when its shape cannot be told). */
function levelSeries(s: TiffSeries, k: number, subPage: (p: TiffPage, k: number) => TiffPage): TiffSeries | null {
  if (s.pages.some((p) => p.subIfds.length <= k)) return null
  const pages = s.pages.map((p) => subPage(p, k))
  const shape = levelShape(s, pages[0]!)
  if (!shape) return null
  const level: TiffSeries = { kind: s.kind, pages, shape, axes: s.axes, metadata: {} }
  if (pages.some((p) => p.key !== pages[0]!.key)) {
    level.refusal = { reason: 'its pages differ in shape, type or storage', remedy: 'read each page with tifffile' }
  }
  return level
}

/** Strides of a series of pages d bytes apart (leading dims over pages, the page's own dims contiguous). */
function pageStrides(shape: number[], page: number[], d: number, itemsize: number): number[] | null {
  const lead = shape.length - page.length
  if (lead < 0 || page.some((n, k) => shape[lead + k] !== n)) return null
  const strides = new Array<number>(shape.length)
  let s = itemsize
  for (let k = shape.length - 1; k >= lead; k--) {
    strides[k] = s
    s *= shape[k]!
  }
  s = d
  for (let k = lead - 1; k >= 0; k--) {
    strides[k] = s
    s *= shape[k]!
  }
  return strides
}

function seriesEntry(s: TiffSeries, name: string, tags: TagReader): ContainerEntry {
  const p = s.pages[0]
  const base: ContainerEntry = {
    name,
    dtype: p?.dtype ?? '|u1',
    shape: s.shape,
    order: 'C',
    offset: 0,
    nbytes: 0,
    storedType: p && !p.refusal ? typeName(p.dtype) : '?',
    metadata: {
      kind: s.kind,
      ...(s.axes ? { axes: s.axes } : {}),
      ...(s.name ? { name: s.name } : {}),
      pages: s.pages.length,
      ...s.metadata,
      ...(p && !p.refusal ? pageMetadata(p, p.ifd, tags) : {})
    }
  }
  const refusal = s.refusal ?? s.pages.find((q) => q.refusal)?.refusal
  if (!p) return { ...base, unmappable: refusal ?? { reason: 'it has no pages', remedy: 'nothing to read' } }
  if (refusal) return { ...base, unmappable: refusal }
  let count: number
  try {
    count = elementCount(s.shape, name)
  } catch (e) {
    return { ...base, unmappable: { reason: (e as Error).message, remedy: 'the file is damaged' } }
  }
  const perPage = p.shape.reduce((a, b) => a * b, 1)
  if (!s.virtual && count !== s.pages.length * perPage) {
    return {
      ...base,
      unmappable: {
        reason: `its shape (${s.shape.join(', ')}) does not hold its ${s.pages.length} pages of (${p.shape.join(', ')})`,
        remedy: 'tifffile.imread reads its pages'
      }
    }
  }
  base.nbytes = count * p.itemsize
  // an ImageJ file past 4 GiB: one IFD, every image stored after the first page's (a series of one run)
  if (s.virtual && p.contiguous !== undefined) return { ...base, offset: p.contiguous }
  const pb = pageBytes(p)
  const o0 = p.contiguous
  if (o0 !== undefined && s.pages.every((q) => q.contiguous !== undefined)) {
    const d = s.pages.length > 1 ? s.pages[1]!.contiguous! - o0 : pb
    if (d >= pb && s.pages.every((q, i) => q.contiguous === o0 + i * d)) {
      // tifffile.memmap maps a run only at an offset that is a multiple of the itemsize (Copy as code reads it
      // with imread then); ArrayScope maps it wherever it lies
      const aligned = o0 % p.itemsize === 0
      if (d === pb) return { ...base, offset: o0, ...(aligned ? {} : { storedType: `${base.storedType}, unaligned` }) }
      const strides = pageStrides(s.shape, p.shape, d, p.itemsize)
      if (strides) {
        return {
          ...base,
          offset: o0,
          nbytes: (s.pages.length - 1) * d + pb,
          strides,
          storedType: `${base.storedType}, pages ${d} bytes apart`
        }
      }
    }
  }
  const chunkBytes = p.chunk.reduce((a, b) => a * b, p.itemsize)
  if (chunkBytes > MAX_CHUNK_BYTES) {
    return {
      ...base,
      unmappable: {
        reason: `its ${p.tiled ? 'tiles' : 'strips'} of ${chunkBytes} bytes each are too large to decode one at a time`,
        remedy: 'tifffile.imread reads it'
      }
    }
  }
  const chunks: TiffChunks = {
    dims: [s.pages.length, ...p.shape],
    chunks: [1, ...p.chunk],
    compression: p.compression,
    codec: compressionName(p.compression),
    predictor: p.predictor,
    littleEndian: p.dtype[0] !== '>',
    itemsize: p.itemsize,
    samples: p.planar === 1 ? p.samples : 1,
    width: p.chunkCols,
    offsets: s.pages.length === 1 ? p.offsets : s.pages.flatMap((q) => q.offsets),
    counts: s.pages.length === 1 ? p.counts : s.pages.flatMap((q) => q.counts)
  }
  const how = p.compression === 1 ? (p.tiled ? 'tiled' : 'strips apart') : chunks.codec
  return { ...base, storedType: `${base.storedType}, ${how}`, tiff: chunks }
}
