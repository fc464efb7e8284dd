// A FITS tile-compressed image (fpack, astropy's CompImageHDU): a BINTABLE with ZIMAGE = T whose rows are the
// tiles of an image of ZNAXISn pixels (ZTILEn a tile), each tile's compressed bytes in the heap behind a P or Q
// descriptor of the COMPRESSED_DATA column (or, for a tile the compressor gave up on, GZIP_COMPRESSED_DATA or
// UNCOMPRESSED_DATA). The tiles are the chunks of a grid over the image in numpy's axis order (ZNAXISn reversed;
// tiles are stored ZNAXIS1 fastest, i.e. in C order of that grid), decoded by src/main/service/fits-fill.ts into
// the chunk grid's temporary copy in FITS's byte order (big-endian), as an uncompressed image would hold them.
// Quantized floats (ZSCALE/ZZERO per tile, ZQUANTIZ dithering, ZBLANK) are turned into the float values there.
import type { FitsQuantize, FitsTiles } from './fits-tile-layout'
import { ContainerError, readExact, type ParseContext } from './model'

type CardValue = string | number | boolean | null

const SIZES: Record<string, number> = { L: 1, B: 1, A: 1, I: 2, J: 4, K: 8, E: 4, D: 8, C: 8, M: 16, P: 8, Q: 16 }
/** A tile larger than this (pixels) is refused: each is decoded whole in memory. */
const MAX_TILE = 1 << 27
/** Tile tables (one row a tile) larger than this are refused. */
const MAX_TABLE = 256 << 20

interface Column {
  at: number
  code: string
  /** P/Q: the element type in the heap. */
  heapType?: string
}

function columns(get: (k: string) => CardValue | undefined, hdu: number): Map<string, Column> {
  const n = get('TFIELDS')
  if (typeof n !== 'number' || n < 0 || n > 999) throw new ContainerError(`HDU ${hdu}: TFIELDS is ${String(n)}`)
  const out = new Map<string, Column>()
  let at = 0
  for (let k = 1; k <= n; k++) {
    const form = get(`TFORM${k}`)
    const m = typeof form === 'string' ? /^\s*(\d*)([LXBIJKAEDCMPQ])([A-Z]?)/.exec(form) : null
    if (!m)
      throw new ContainerError(`HDU ${hdu}: TFORM${k} = ${JSON.stringify(form ?? null)} is not a binary table format`)
    const repeat = m[1] === '' ? 1 : Number(m[1])
    const code = m[2]!
    const name = String(get(`TTYPE${k}`) ?? '').trim()
    out.set(name, { at, code, ...(code === 'P' || code === 'Q' ? { heapType: m[3] || 'B' } : {}) })
    at += code === 'X' ? Math.ceil(repeat / 8) : repeat * SIZES[code]!
  }
  return out
}

function numberAt(v: DataView, at: number, code: string): number {
  switch (code) {
    case 'B':
      return v.getUint8(at)
    case 'I':
      return v.getInt16(at)
    case 'J':
      return v.getInt32(at)
    case 'K':
      return Number(v.getBigInt64(at))
    case 'E':
      return v.getFloat32(at)
    case 'D':
      return v.getFloat64(at)
    default:
      throw new ContainerError(`a column of type ${code} cannot hold a number here`)
  }
}

/** The compressed image's layout, or the reason it cannot be read (an unmappable entry). */
export function compressedImage(
  ctx: ParseContext,
  get: (k: string) => CardValue | undefined,
  hdu: number,
  dataStart: number,
  rowBytes: number,
  rows: number,
  pcount: number
): FitsTiles | { unreadable: string; dims: number[]; zbitpix: number } {
  const int = (k: string, min: number, def?: number): number => {
    const v = get(k) ?? def
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
      throw new ContainerError(`HDU ${hdu}: ${k} is ${JSON.stringify(v ?? 'missing')}, not an integer ≥ ${min}`)
    return v
  }
  const zbitpix = int('ZBITPIX', -64)
  if (![8, 16, 32, 64, -32, -64].includes(zbitpix))
    throw new ContainerError(`HDU ${hdu}: ZBITPIX = ${zbitpix} (8, 16, 32, 64, -32 or -64)`)
  const znaxis = int('ZNAXIS', 0)
  if (znaxis > 999) throw new ContainerError(`HDU ${hdu}: ZNAXIS = ${znaxis} (at most 999)`)
  const axes: number[] = []
  const tile: number[] = []
  for (let k = 1; k <= znaxis; k++) {
    axes.push(int(`ZNAXIS${k}`, 0))
    tile.push(int(`ZTILE${k}`, 1, k === 1 ? axes[0] || 1 : 1))
  }
  const codec = String(get('ZCMPTYPE') ?? '').trim()
  const grid = axes.map((d, k) => Math.ceil(d / tile[k]!))
  const ntiles = grid.reduce((a, b) => a * b, 1)
  if (ntiles !== rows)
    throw new ContainerError(
      `HDU ${hdu}: ZNAXISn (${axes.join(', ')}) in tiles of ZTILEn (${tile.join(', ')}) make ${ntiles} tiles, but the table has ${rows} rows`
    )
  const tilePixels = tile.reduce((a, b) => a * Math.min(b, Number.MAX_SAFE_INTEGER), 1)
  if (tilePixels > MAX_TILE)
    throw new ContainerError(`HDU ${hdu}: its tiles of ZTILEn (${tile.join(', ')}) exceed ${MAX_TILE} pixels`)
  const params = new Map<string, number>()
  for (let k = 1; k <= 999 && get(`ZNAME${k}`) !== undefined; k++) {
    const v = get(`ZVAL${k}`)
    if (typeof v === 'number')
      params.set(
        String(get(`ZNAME${k}`))
          .trim()
          .toUpperCase(),
        v
      )
  }
  const known = ['RICE_1', 'RICE_ONE', 'GZIP_1', 'GZIP_2', 'PLIO_1', 'NOCOMPRESS', 'HCOMPRESS_1']
  if (!known.includes(codec)) {
    return {
      dims: [...axes].reverse(),
      zbitpix,
      unreadable: `its tiles are compressed by ZCMPTYPE = ${JSON.stringify(codec)}, which the FITS convention does not define`
    }
  }
  const bytepix = params.get('BYTEPIX') ?? 4
  const blocksize = params.get('BLOCKSIZE') ?? 32
  if (codec.startsWith('RICE') && (![1, 2, 4].includes(bytepix) || !(blocksize >= 1 && blocksize <= 1 << 16)))
    throw new ContainerError(`HDU ${hdu}: Rice BYTEPIX = ${bytepix}, BLOCKSIZE = ${blocksize} (1, 2 or 4; 1–65536)`)
  const cols = columns(get, hdu)
  if (rowBytes * rows > MAX_TABLE) throw new ContainerError(`HDU ${hdu}: its tile table exceeds ${MAX_TABLE} bytes`)
  const table = readExact(ctx, dataStart, rowBytes * rows, `HDU ${hdu}'s tile table`)
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength)
  const theap = int('THEAP', 0, rowBytes * rows)
  const heapStart = dataStart + theap
  const heapEnd = dataStart + rowBytes * rows + pcount
  const data = ['COMPRESSED_DATA', 'GZIP_COMPRESSED_DATA', 'UNCOMPRESSED_DATA'].map((n) => cols.get(n))
  if (!data[0] || !data[0].heapType)
    throw new ContainerError(`HDU ${hdu}: a compressed image without a COMPRESSED_DATA column of P or Q descriptors`)
  const offsets: number[] = []
  const counts: number[] = []
  const stored: number[] = []
  // as astropy reads them: a tile whose COMPRESSED_DATA is empty is in GZIP_COMPRESSED_DATA when the table has
  // that column, else in UNCOMPRESSED_DATA (a tile with no bytes anywhere is reported when it is read)
  const fallback = data[1]?.heapType ? 1 : data[2]?.heapType ? 2 : 0
  const descriptor = (c: Column, r: number): [number, number] => {
    const at = r * rowBytes + c.at
    const count = c.code === 'P' ? view.getUint32(at) : Number(view.getBigUint64(at))
    const off = c.code === 'P' ? view.getUint32(at + 4) : Number(view.getBigUint64(at + 8))
    return [count * (SIZES[c.heapType!] ?? 1), off]
  }
  for (let r = 0; r < rows; r++) {
    let [bytes, off] = descriptor(data[0], r)
    let s = 0
    if (bytes === 0 && fallback) {
      s = fallback
      ;[bytes, off] = descriptor(data[fallback]!, r)
    }
    if (heapStart + off + bytes > heapEnd || heapStart + off + bytes > ctx.size)
      throw new ContainerError(
        `HDU ${hdu}: tile ${r} claims ${bytes} bytes at heap offset ${off}, past the heap's end (${heapEnd - heapStart} bytes from its start): the file is damaged`
      )
    offsets.push(heapStart + off)
    counts.push(bytes)
    stored.push(s)
  }
  const tiles: FitsTiles = {
    dims: [...axes].reverse(),
    chunks: [...tile].reverse(),
    zbitpix,
    codec: codec === 'RICE_ONE' ? 'RICE_1' : codec,
    blocksize,
    bytepix,
    offsets,
    counts,
    stored,
    ...(codec === 'HCOMPRESS_1' && (params.get('SMOOTH') ?? 0) !== 0 ? { smooth: true } : {}),
    ...(fallback === 2 ? { rawType: data[2]!.heapType } : {})
  }
  const perTile = (name: string): (number | null)[] | undefined => {
    const c = cols.get(name)
    if (c) return Array.from({ length: rows }, (_, r) => numberAt(view, r * rowBytes + c.at, c.code))
    const v = get(name)
    return typeof v === 'number' ? new Array<number>(rows).fill(v) : undefined
  }
  const scale = perTile('ZSCALE')
  const zero = perTile('ZZERO')
  if (zbitpix < 0 && scale && zero) {
    const q = String(get('ZQUANTIZ') ?? 'NO_DITHER').trim()
    const method: FitsQuantize =
      q === 'SUBTRACTIVE_DITHER_1' || q === 'SUBTRACTIVE_DITHER_2' ? q : q === 'NO_DITHER' ? q : 'NO_DITHER'
    if (!['NO_DITHER', 'SUBTRACTIVE_DITHER_1', 'SUBTRACTIVE_DITHER_2'].includes(q))
      return {
        dims: tiles.dims,
        zbitpix,
        unreadable: `its floats are quantized by ZQUANTIZ = ${JSON.stringify(q)}, which the FITS convention does not define`
      }
    const dither0 = get('ZDITHER0')
    tiles.quant = {
      method,
      // astropy's default when the card is absent (the tile's row then picks the dither start alone)
      dither0: typeof dither0 === 'number' && Number.isSafeInteger(dither0) ? dither0 : 0,
      scale: scale.map(Number),
      zero: zero.map(Number),
      blank: perTile('ZBLANK') ?? perTile('BLANK') ?? new Array<null>(rows).fill(null)
    }
  }
  return tiles
}
