// One TIFF page (an IFD holding an image) described as an array: its shape as tifffile gives a page's ((rows,
// cols), (rows, cols, samples) interleaved, (samples, rows, cols) planar), its dtype from BitsPerSample and
// SampleFormat in the file's byte order, its strips or tiles as chunks (offsets and byte counts checked against
// the file), and — when it is uncompressed and its data is one run in row order — where that run starts, so it
// maps in place. What cannot be read (1-bit pixels, JPEG, volumes) is said with the reason.
import { ContainerError } from './model'
import type { Ifd, TagReader, TiffHeader } from './tiff-ifd'

export const TAG = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  FillOrder: 266,
  ImageDescription: 270,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  PlanarConfig: 284,
  Software: 305,
  DateTime: 306,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  SubIFDs: 330,
  ExtraSamples: 338,
  SampleFormat: 339,
  ImageDepth: 32997,
  TileDepth: 32998
} as const

/** Compressions decoded here (through the chunk grid), by TIFF's code. */
export const DECODED: Record<number, string> = {
  1: 'none',
  5: 'lzw',
  8: 'deflate',
  32946: 'deflate',
  32773: 'packbits',
  50000: 'zstd'
}

/** Names of compressions listed but not decoded, for messages. */
const KNOWN: Record<number, string> = {
  2: 'CCITT RLE',
  3: 'CCITT T.4',
  4: 'CCITT T.6',
  6: 'old-style JPEG',
  7: 'JPEG',
  34712: 'JPEG 2000',
  34887: 'LERC',
  34925: 'LZMA',
  50001: 'WebP',
  50002: 'JPEG XL',
  52546: 'JPEG XL'
}

export function compressionName(c: number): string {
  return DECODED[c] ?? KNOWN[c] ?? `compression ${c}`
}

export interface TiffPage {
  /** For messages: 'page 3', 'SubIFD 1 of page 0'. */
  what: string
  ifd: Ifd
  offset: number
  width: number
  length: number
  samples: number
  bits: number
  sampleFormat: number
  compression: number
  predictor: number
  planar: 1 | 2
  photometric: number
  /** numpy dtype in the file's byte order ('<u2', '>f4', '|u1'), when one exists for the samples. */
  dtype: string
  itemsize: number
  /** tifffile's page.shape. */
  shape: number[]
  /** The chunk (strip or tile) shape inside the page's shape, and the strips/tiles in C order of that grid. */
  chunk: number[]
  /** A strip's rows (or a tile's) and a tile's columns (a strip's: the width). */
  chunkRows: number
  chunkCols: number
  offsets: number[]
  counts: number[]
  tiled: boolean
  /** Where the page's decoded bytes start in the file when they are stored as one uncompressed run in row order. */
  contiguous?: number
  /** Why the page's values cannot be read here, and what reads them. */
  refusal?: { reason: string; remedy: string }
  description?: string
  subIfds: number[]
  /** What tifffile groups pages by (shape, type, storage): pages with the same key form a generic series. */
  key: string
}

const SAMPLE_KIND: Record<number, string> = { 1: 'u', 2: 'i', 3: 'f', 6: 'c' }

function dtypeOf(bits: number, fmt: number, little: boolean): { dtype: string; itemsize: number } | string {
  const kind = SAMPLE_KIND[fmt]
  if (!kind) return fmt === 5 ? 'complex integer samples have no numpy type' : `SampleFormat ${fmt} is not defined`
  const ok =
    kind === 'f'
      ? [16, 32, 64].includes(bits)
      : kind === 'c'
        ? [64, 128].includes(bits)
        : [8, 16, 32, 64].includes(bits)
  if (!ok) {
    return bits === 1
      ? '1-bit (bilevel) samples are packed 8 to a byte: ArrayScope maps whole bytes only'
      : `${bits}-bit ${kind === 'f' ? 'float' : kind === 'c' ? 'complex' : 'integer'} samples are not a whole numpy type`
  }
  const itemsize = bits / 8
  return { dtype: `${itemsize === 1 ? '|' : little ? '<' : '>'}${kind}${itemsize}`, itemsize }
}

/** Reads what a page's IFD says about its image. */
export function describePage(ifd: Ifd, what: string, tags: TagReader, h: TiffHeader, fileSize: number): TiffPage {
  const get = (tag: number): number[] | undefined => {
    const e = ifd.tags.get(tag)
    return e && tags.numbers(e, what)
  }
  const one = (tag: number, dflt: number): number => get(tag)?.[0] ?? dflt
  const width = one(TAG.ImageWidth, 0)
  const length = one(TAG.ImageLength, 0)
  const samples = one(TAG.SamplesPerPixel, 1)
  const bitsAll = get(TAG.BitsPerSample) ?? [1]
  const bits = bitsAll[0]!
  const sampleFormat = one(TAG.SampleFormat, 1)
  const compression = one(TAG.Compression, 1)
  const predictor = one(TAG.Predictor, 1)
  const planar = one(TAG.PlanarConfig, 1) === 2 && samples > 1 ? 2 : 1
  const photometric = one(TAG.Photometric, -1)
  const descTag = ifd.tags.get(TAG.ImageDescription)
  const description = descTag && tags.text(descTag, what)
  const subIfds = get(TAG.SubIFDs) ?? []
  const tiled = ifd.tags.has(TAG.TileWidth)
  const cw = tiled ? one(TAG.TileWidth, 0) : width
  const ch = tiled ? one(TAG.TileLength, 0) : Math.min(one(TAG.RowsPerStrip, 2 ** 32 - 1), length)
  for (const [v, name] of [
    [width, 'ImageWidth'],
    [length, 'ImageLength'],
    [samples, 'SamplesPerPixel']
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new ContainerError(`${what}: its ${name} is ${v}`)
  }
  const shape = samples === 1 ? [length, width] : planar === 1 ? [length, width, samples] : [samples, length, width]
  const chunk = samples === 1 ? [ch, cw] : planar === 1 ? [ch, cw, samples] : [1, ch, cw]
  const page: TiffPage = {
    what,
    ifd,
    offset: ifd.offset,
    width,
    length,
    samples,
    bits,
    sampleFormat,
    compression,
    predictor,
    planar,
    photometric,
    dtype: '|u1',
    itemsize: 1,
    shape,
    chunk,
    chunkRows: ch,
    chunkCols: cw,
    offsets: [],
    counts: [],
    tiled,
    subIfds,
    key: '',
    ...(description ? { description } : {})
  }
  const refuse = (reason: string, remedy = 'tifffile.imread reads it'): TiffPage => {
    page.refusal = { reason, remedy }
    page.key = `refused ${ifd.offset}`
    return page
  }
  const dt = dtypeOf(bits, sampleFormat, h.littleEndian)
  if (typeof dt === 'string') return refuse(dt)
  page.dtype = dt.dtype
  page.itemsize = dt.itemsize
  page.key = JSON.stringify([shape, dt.dtype, compression, predictor, planar, tiled, chunk, photometric])
  if (bitsAll.some((b) => b !== bits)) return refuse(`its samples have different sizes (${bitsAll.join(', ')} bits)`)
  if (width === 0 || length === 0) return refuse('it holds no pixels (a width or length of 0)', 'nothing to read')
  if (one(TAG.ImageDepth, 1) > 1) return refuse('it is a volume (ImageDepth > 1, SGI tiles)')
  if (one(TAG.FillOrder, 1) === 2) return refuse('its bits are stored in reversed order (FillOrder 2)')
  if (!(compression in DECODED)) {
    return refuse(
      `it is ${compressionName(compression)}-compressed, which ArrayScope does not decode`,
      'tifffile.imread decodes it (with imagecodecs)'
    )
  }
  if (predictor === 2 && sampleFormat === 3) return refuse('horizontal differencing (predictor 2) of float samples')
  if (predictor === 3 && sampleFormat !== 3) return refuse('the floating-point predictor (3) on integer samples')
  if (predictor !== 1 && predictor !== 2 && predictor !== 3) return refuse(`predictor ${predictor} is not read here`)
  if (predictor !== 1 && sampleFormat === 6) return refuse('a predictor on complex samples')
  if (!(Number.isSafeInteger(cw) && Number.isSafeInteger(ch) && cw >= 1 && ch >= 1)) {
    return refuse(`its ${tiled ? 'tile' : 'strip'} size ${ch} × ${cw} is invalid`, 'the file is damaged')
  }
  const offTag = ifd.tags.get(tiled ? TAG.TileOffsets : TAG.StripOffsets)
  const cntTag = ifd.tags.get(tiled ? TAG.TileByteCounts : TAG.StripByteCounts)
  const kind = tiled ? 'tile' : 'strip'
  if (!offTag) return refuse(`it has no ${tiled ? 'TileOffsets' : 'StripOffsets'}`, 'the file is damaged')
  const across = Math.ceil(width / cw)
  const down = Math.ceil(length / ch)
  const expected = across * down * (planar === 2 ? samples : 1)
  if (offTag.count !== expected) {
    return refuse(`it lists ${offTag.count} ${kind}s where its size needs ${expected}`, 'the file is damaged')
  }
  page.offsets = tags.numbers(offTag, what)
  const rowBytes = (planar === 1 ? samples : 1) * cw * dt.itemsize
  if (cntTag && cntTag.count === expected) page.counts = tags.numbers(cntTag, what)
  else if (!cntTag && compression === 1 && expected === 1) page.counts = [ch * rowBytes]
  else
    return refuse(`its ${kind} byte counts are missing or do not match its ${expected} ${kind}s`, 'the file is damaged')
  for (let k = 0; k < expected; k++) {
    const o = page.offsets[k]!
    const n = page.counts[k]!
    if (n > 0 && o + n > fileSize) {
      return refuse(
        `its ${kind} ${k} needs bytes [${o}, ${o + n}), past the end of the file (${fileSize} bytes)`,
        'the file is truncated: copy it again'
      )
    }
  }
  if (compression === 1) page.contiguous = contiguousStart(page, rowBytes)
  return page
}

/**
 * Where an uncompressed page's bytes start when its strips (or full-width tiles) follow one another in row order,
 * each plane after the previous: then the page is one run in the file, mapped as it lies.
 */
function contiguousStart(p: TiffPage, rowBytes: number): number | undefined {
  const ch = p.chunkRows
  const cw = p.chunkCols
  if (cw !== p.width) return undefined
  const down = Math.ceil(p.length / ch)
  const plane = p.length * rowBytes
  const o0 = p.offsets[0]!
  for (let s = 0, k = 0; s < (p.planar === 2 ? p.samples : 1); s++) {
    for (let d = 0; d < down; d++, k++) {
      const rows = Math.min(ch, p.length - d * ch)
      if (p.offsets[k] !== o0 + s * plane + d * ch * rowBytes || p.counts[k]! < rows * rowBytes) return undefined
    }
  }
  return o0
}

/** The bytes of a page's values. */
export function pageBytes(p: TiffPage): number {
  return p.shape.reduce((a, b) => a * b, p.itemsize)
}
