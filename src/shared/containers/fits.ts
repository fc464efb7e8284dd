// FITS: every HDU of a file (the primary array, IMAGE extensions, BINTABLE rows as records of fixed-width
// fields), its header cards as metadata. Data is big-endian; NAXISn are listed fastest first, so the numpy shape
// is NAXISn … NAXIS1. BSCALE/BZERO/BLANK are applied as astropy applies them (see scaling.ts): float32 for 8/16-bit
// integers and float32 data, float64 for 32/64-bit integers and float64 data, BZERO = 2^(n-1) with BSCALE = 1 read
// as unsigned (8 bits: BZERO = -128 as int8), BLANK (when not 0) as NaN. Names are the HDU index ('0' = primary),
// with EXTNAME (and EXTNAME,EXTVER) accepted too.
import type { JsonValue } from '../json-value'
import {
  ContainerError,
  elementCount,
  readExact,
  type Container,
  type ContainerEntry,
  defineFormat,
  type ParseContext,
  type Scaling
} from './model'
import { isGzip } from './gzip'
import { compressedImage } from './fits-tiles'
import { groupsEntry } from './fits-groups'
import { asciiEntry } from './fits-ascii'

const BLOCK = 2880
const CARD = 80
/** Header blocks read at a time while looking for END. */
const CHUNK_BLOCKS = 16
/** A header longer than this has lost its END card. */
const MAX_HEADER = 100 << 20
const MAX_HDUS = 100_000

export const fits = defineFormat({
  format: 'fits',
  formats: {
    fits: {
      label: 'FITS',
      description: 'a FITS file',
      singleArray: false,
      extensions: ['.fits', '.fit', '.fts'],
      reader: 'astropy',
      recipe: (r) =>
        `from astropy.io import fits\nhdul = fits.open(${r.file}${r.stored ? ', do_not_scale_image_data=True' : ''})\na = hdul[${/^'\d+'$/.test(r.name) ? r.name.slice(1, -1) : r.name}].data`
    }
  },
  // a gzip stream is FITS when named .fits.gz (.fit.gz, .fts.gz): the service parses its decompressed copy
  detect: (head, _size, name) =>
    isGzip(head)
      ? /\.(fits|fit|fts)\.gz$/i.test(name)
      : ascii(head.subarray(0, 30)) === 'SIMPLE  =                    T',
  parse: (ctx) => {
    if (isGzip(ctx.read(0, 3))) {
      throw new ContainerError(
        'a gzip-compressed FITS file is read through a decompressed copy of a local file only: download it (or gunzip it) first'
      )
    }
    return parseFits(ctx)
  }
})

function ascii(b: Uint8Array): string {
  let s = ''
  for (const x of b) s += String.fromCharCode(x)
  return s
}

type CardValue = string | number | boolean | null

interface Header {
  cards: [string, CardValue][]
  get(key: string): CardValue | undefined
  /** Where the data starts. */
  dataStart: number
}

/** Parses a card's value: 'string' (with '' as a quote), T/F, integers, floats (D exponents too). */
function cardValue(text: string): CardValue {
  const t = text.trimStart()
  if (t.startsWith("'")) {
    let out = ''
    let k = 1
    for (; k < t.length; k++) {
      if (t[k] === "'") {
        if (t[k + 1] === "'") {
          out += "'"
          k++
          continue
        }
        break
      }
      out += t[k]
    }
    return out.replace(/ +$/, '')
  }
  const raw = t.split('/')[0]!.trim()
  if (raw === 'T') return true
  if (raw === 'F') return false
  if (raw === '') return null
  if (/^[+-]?\d+$/.test(raw)) {
    const n = Number(raw)
    return Number.isSafeInteger(n) ? n : raw
  }
  const f = Number(raw.replace(/[dD]/, 'e'))
  return Number.isNaN(f) ? raw : f
}

function readHeader(ctx: ParseContext, start: number, hdu: number): Header {
  const cards: [string, CardValue][] = []
  const map = new Map<string, CardValue>()
  let at = start
  for (;;) {
    if (at - start >= MAX_HEADER) throw new ContainerError(`HDU ${hdu}: its header has no END card in its first 100 MB`)
    if (at >= ctx.size)
      throw new ContainerError(`HDU ${hdu}: its header at byte ${start} has no END card before the end of the file`)
    const n = Math.min(CHUNK_BLOCKS * BLOCK, ctx.size - at)
    const bytes = readExact(ctx, at, n - (n % BLOCK) || n, `HDU ${hdu}'s header`)
    for (let c = 0; c + CARD <= bytes.length; c += CARD) {
      const card = ascii(bytes.subarray(c, c + CARD))
      const key = card.slice(0, 8).trimEnd()
      if (key === 'END') {
        return { cards, get: (k) => map.get(k), dataStart: at + Math.ceil((c + CARD) / BLOCK) * BLOCK }
      }
      if (card.slice(8, 10) === '= ') {
        const v = cardValue(card.slice(10))
        cards.push([key, v])
        if (!map.has(key)) map.set(key, v)
      } else if (key === 'CONTINUE' && cards.length && typeof cards[cards.length - 1]![1] === 'string') {
        // a long string continued: the previous value lost its trailing '&'
        const prev = cards[cards.length - 1]!
        const more = cardValue(card.slice(8))
        prev[1] = String(prev[1]).replace(/&$/, '') + (typeof more === 'string' ? more : '')
        map.set(prev[0], prev[1])
      } else if (key && key !== 'CONTINUE') {
        cards.push([key, card.slice(8).trimEnd()])
      }
    }
    at += bytes.length
  }
}

function intCard(h: Header, key: string, hdu: number, min = 0): number {
  const v = h.get(key)
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new ContainerError(`HDU ${hdu}: ${key} is ${JSON.stringify(v ?? 'missing')}, not an integer ≥ ${min}`)
  }
  return v
}

const BITPIX: Record<number, string> = { 8: '|u1', 16: '>i2', 32: '>i4', 64: '>i8', [-32]: '>f4', [-64]: '>f8' }

/** Header cards as metadata: repeated keys (COMMENT, HISTORY) become lists. */
function cardsMetadata(h: Header): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {}
  for (const [k, v] of h.cards) {
    const prev = out[k]
    if (prev === undefined) out[k] = v
    else if (Array.isArray(prev)) prev.push(v)
    else out[k] = [prev, v]
  }
  return out
}

/** astropy's reading of BSCALE, BZERO and BLANK for an image of this BITPIX (none: the values are the bytes). */
function fitsScaling(bitpix: number, h: Header): Scaling | undefined {
  const num = (k: string, d: number): number => {
    const v = h.get(k)
    return typeof v === 'number' ? v : d
  }
  const bscale = num('BSCALE', 1)
  const bzero = num('BZERO', 0)
  const blankCard = h.get('BLANK')
  const blank = typeof blankCard === 'number' && bitpix > 0 ? blankCard : undefined
  const stored = BITPIX[bitpix]!
  if (bscale === 1 && bzero === 0 && blank === undefined) return undefined
  const source = [
    bscale !== 1 ? `BSCALE = ${bscale}` : '',
    bzero !== 0 ? `BZERO = ${bzero}` : '',
    blank !== undefined ? `BLANK = ${blank}` : ''
  ]
    .filter(Boolean)
    .join(', ')
  if (!(bscale === 1 && bzero === 0) && bscale === 1) {
    // the unsigned convention (astropy's uint=True): exact, integers stay integers
    const unsigned: Record<number, [number, string]> = {
      8: [-128, '|i1'],
      16: [32768, '<u2'],
      32: [2 ** 31, '<u4'],
      64: [2 ** 63, '<u8']
    }
    const u = unsigned[bitpix]
    if (u && bzero === u[0])
      return { rule: 'signflip', stored, dtype: u[1], slope: 1, inter: 0, initial: 'scaled', source }
  }
  const f32 = bitpix === 8 || bitpix === 16 || bitpix === -32
  return {
    rule: f32 ? 'f32' : 'f64',
    stored,
    dtype: f32 ? '<f4' : '<f8',
    slope: bscale,
    inter: bzero,
    // astropy turns BLANK into NaN only when it is not 0 (`if self._blank:`)
    ...(blank ? { blank } : {}),
    initial: 'scaled',
    source
  }
}

// numpy's types of astropy's stored records (FITS_rec.view(np.ndarray)): a logical is its byte as int8
const TFORM: Record<string, [string, number]> = {
  L: ['|i1', 1],
  B: ['|u1', 1],
  I: ['>i2', 2],
  J: ['>i4', 4],
  K: ['>i8', 8],
  E: ['>f4', 4],
  D: ['>f8', 8],
  C: ['>c8', 8],
  M: ['>c16', 16]
}

function bintableDescr(h: Header, hdu: number, rowBytes: number): { descr: unknown[]; notes: string[] } {
  const n = intCard(h, 'TFIELDS', hdu)
  if (n > 999) throw new ContainerError(`HDU ${hdu}: TFIELDS = ${n} (at most 999)`)
  const descr: unknown[] = []
  const notes: string[] = []
  const names = new Set<string>()
  let at = 0
  for (let k = 1; k <= n; k++) {
    const form = h.get(`TFORM${k}`)
    if (typeof form !== 'string') throw new ContainerError(`HDU ${hdu}: TFORM${k} is missing`)
    const m = /^\s*(\d*)([LXBIJKAEDCMPQ])(.*)$/.exec(form)
    if (!m) throw new ContainerError(`HDU ${hdu}: TFORM${k} = '${form}' is not a binary table format`)
    const repeat = m[1] === '' ? 1 : Number(m[1])
    const code = m[2]!
    let name = String(h.get(`TTYPE${k}`) ?? `col${k}`).trim() || `col${k}`
    while (names.has(name)) name += '_'
    names.add(name)
    let field: unknown[] | null = null
    let width: number
    if (code === 'A') {
      width = repeat
      // characters: numpy's bytes_, as astropy's FITS_rec holds them
      if (repeat) field = [name, `|S${repeat}`]
    } else if (code === 'X') {
      width = Math.ceil(repeat / 8)
      // astropy's stored records hold bits as their bytes, a (bytes,) cell of uint8 (8X too)
      if (width) field = [name, '|u1', [width]]
      notes.push(`${name}: ${repeat} bits, shown as their ${width} bytes (most significant bit first)`)
    } else if (code === 'P' || code === 'Q') {
      width = code === 'P' ? 8 : 16
      field = [name, code === 'P' ? '>i4' : '>i8', [2]]
      notes.push(`${name}: variable-length array descriptors (count, heap offset); the heap is not shown`)
    } else {
      const [dt, size] = TFORM[code]!
      width = repeat * size
      if (code === 'L') notes.push(`${name}: logicals as stored ('T' = 84, 'F' = 70, 0 = null)`)
      const tdim = h.get(`TDIM${k}`)
      const dims =
        typeof tdim === 'string' && /^\(\s*\d+(\s*,\s*\d+)*\s*\)$/.test(tdim)
          ? tdim
              .replace(/[()\s]/g, '')
              .split(',')
              .map(Number)
              .reverse()
          : null
      const shaped = dims && dims.reduce((a, b) => a * b, 1) === repeat ? dims : null
      // TDIM shapes a cell as astropy does (reversed), a single value too: TDIM = '(1,1)' is a (1, 1) cell
      if (shaped && repeat >= 1) field = [name, dt, shaped]
      else if (repeat === 1) field = [name, dt]
      // a zero-width column ('0D') stays a field of no values, as astropy's records keep it
      else field = [name, dt, [repeat]]
    }
    if (h.get(`TSCAL${k}`) !== undefined || h.get(`TZERO${k}`) !== undefined) {
      notes.push(`${name}: TSCAL${k}/TZERO${k} are not applied (stored values shown)`)
    }
    if (field) descr.push(field)
    at += width
  }
  if (at > rowBytes) throw new ContainerError(`HDU ${hdu}: its fields need ${at} bytes a row, NAXIS1 is ${rowBytes}`)
  if (at < rowBytes) descr.push(['', `|V${rowBytes - at}`])
  if (!descr.length) descr.push(['', `|V${Math.max(1, rowBytes)}`])
  return { descr, notes }
}

function parseFits(ctx: ParseContext): Container<'fits'> {
  const entries: ContainerEntry[] = []
  let at = 0
  for (let hdu = 0; at < ctx.size; hdu++) {
    if (hdu >= MAX_HDUS) throw new ContainerError(`the file has more than ${MAX_HDUS} HDUs`)
    // trailing zero blocks (or garbage after the last HDU) end the file
    if (hdu > 0 && ascii(ctx.read(at, 8)) !== 'XTENSION') break
    const h = readHeader(ctx, at, hdu)
    const bitpix = intCard(h, 'BITPIX', hdu, -64)
    if (!(bitpix in BITPIX)) throw new ContainerError(`HDU ${hdu}: BITPIX = ${bitpix} (8, 16, 32, 64, -32 or -64)`)
    const naxis = intCard(h, 'NAXIS', hdu)
    if (naxis > 999) throw new ContainerError(`HDU ${hdu}: NAXIS = ${naxis} (at most 999)`)
    const axes: number[] = []
    for (let k = 1; k <= naxis; k++) axes.push(intCard(h, `NAXIS${k}`, hdu))
    const xt = hdu === 0 ? 'PRIMARY' : String(h.get('XTENSION') ?? '').trim()
    const groups = hdu === 0 && h.get('GROUPS') === true && axes[0] === 0
    // random groups: PCOUNT parameters before each of GCOUNT arrays (fits-groups.ts)
    const pcount = hdu === 0 && !groups ? 0 : intCard(h, 'PCOUNT', hdu, 0)
    const gcount = hdu === 0 && !groups ? 1 : intCard(h, 'GCOUNT', hdu, 1)
    const count =
      naxis === 0 ? 0 : groups ? elementCount(axes.slice(1), `HDU ${hdu}`) : elementCount(axes, `HDU ${hdu}`)
    const itemsize = Math.abs(bitpix) / 8
    const dataBytes = (groups ? (pcount + count) * gcount : (pcount + count) * gcount) * itemsize
    if (!Number.isSafeInteger(dataBytes)) throw new ContainerError(`HDU ${hdu}: its data size overflows`)
    const start = h.dataStart
    const extname = h.get('EXTNAME')
    const extver = h.get('EXTVER')
    const aliases =
      typeof extname === 'string' && extname.trim()
        ? [extname.trim(), ...(typeof extver === 'number' ? [`${extname.trim()},${extver}`] : [])]
        : []
    const base: ContainerEntry = {
      name: String(hdu),
      ...(aliases.length ? { aliases } : {}),
      dtype: BITPIX[bitpix]!,
      shape: [...axes].reverse(),
      order: 'C',
      offset: start,
      nbytes: count * itemsize,
      storedType: `${xt} BITPIX=${bitpix}`,
      metadata: cardsMetadata(h)
    }
    if (start + dataBytes > ctx.size) {
      throw new ContainerError(
        `HDU ${hdu} needs bytes [${start}, ${start + dataBytes}), past the end of the file (${ctx.size}): it is truncated`
      )
    }
    const unmappable = (reason: string, remedy: string): ContainerEntry => ({ ...base, unmappable: { reason, remedy } })
    if (groups) entries.push(groupsEntry((k) => h.get(k), base, BITPIX[bitpix]!, itemsize, axes, pcount, gcount))
    // an image with an axis of length 0 is an empty array, as astropy gives it (data of shape (0, …))
    else if (naxis === 0 || (count === 0 && !(xt === 'PRIMARY' || xt === 'IMAGE'))) {
      entries.push({
        ...base,
        shape: naxis === 0 ? [] : base.shape,
        nbytes: 0,
        unmappable: { reason: 'it holds no data, only header cards', remedy: 'its header is in the metadata' }
      })
    } else if (xt === 'PRIMARY' || xt === 'IMAGE') {
      const scaling = fitsScaling(bitpix, h)
      entries.push(scaling ? { ...base, scaling } : base)
    } else if (xt === 'BINTABLE') {
      if (h.get('ZIMAGE') === true) {
        entries.push(compressedEntry(ctx, h, hdu, base, axes, pcount))
      } else {
        if (naxis !== 2 || bitpix !== 8)
          throw new ContainerError(`HDU ${hdu}: a BINTABLE needs BITPIX = 8 and NAXIS = 2`)
        const { descr, notes } = bintableDescr(h, hdu, axes[0]!)
        entries.push({
          ...base,
          dtype: JSON.stringify(descr),
          shape: [axes[1]!],
          nbytes: axes[0]! * axes[1]!,
          storedType: 'BINTABLE',
          ...(notes.length ? { metadata: { ...base.metadata, columns: notes } } : {})
        })
      }
    } else if (xt === 'TABLE') {
      if (naxis !== 2 || bitpix !== 8) throw new ContainerError(`HDU ${hdu}: a TABLE needs BITPIX = 8 and NAXIS = 2`)
      try {
        entries.push(asciiEntry((k) => h.get(k), hdu, base, start, axes[0]!, axes[1]!))
      } catch (e) {
        // damaged field cards: this table is listed with the reason, the file's other HDUs still open
        if (!(e instanceof ContainerError)) throw e
        entries.push(unmappable(e.message, 'its TFORMn/TBCOLn cards are damaged; the other HDUs of the file open'))
      }
    } else {
      entries.push(unmappable(`an extension of type '${xt}' is not read here`, 'read it with astropy'))
    }
    at = start + Math.ceil(dataBytes / BLOCK) * BLOCK
  }
  return { format: 'fits', metadata: { hdus: entries.length }, entries }
}

/** A tile-compressed image (ZIMAGE = T): its pixels' shape and type, its tiles the chunks of a grid. */
function compressedEntry(
  ctx: ParseContext,
  h: Header,
  hdu: number,
  base: ContainerEntry,
  axes: number[],
  pcount: number
): ContainerEntry {
  const cmp = String(h.get('ZCMPTYPE') ?? '?').trim()
  if (axes.length !== 2) throw new ContainerError(`HDU ${hdu}: a compressed image's table needs NAXIS = 2`)
  const storedType = `tile-compressed image (${cmp})`
  let tiles: ReturnType<typeof compressedImage>
  try {
    tiles = compressedImage(ctx, (k) => h.get(k), hdu, h.dataStart, axes[0]!, axes[1]!, pcount)
  } catch (e) {
    // damaged compression cards or tile table: this HDU is listed with the reason, the file's others still open
    if (!(e instanceof ContainerError)) throw e
    return {
      ...base,
      storedType,
      unmappable: {
        reason: e.message,
        remedy: 'its compression cards or tile table are damaged; the other HDUs of the file open'
      }
    }
  }
  if ('unreadable' in tiles) {
    // the image's own type and shape, though its pixels cannot be read here
    return {
      ...base,
      dtype: BITPIX[tiles.zbitpix]!,
      shape: tiles.dims,
      nbytes: tiles.dims.reduce((a, b) => a * b, Math.abs(tiles.zbitpix) / 8),
      storedType,
      unmappable: { reason: tiles.unreadable, remedy: 'decompress it with astropy (or funpack) and open the result' }
    }
  }
  const count = elementCount(tiles.dims, `HDU ${hdu}'s compressed image`)
  const dtype = BITPIX[tiles.zbitpix]!
  // quantized floats are the values once dequantized; integers carry BSCALE/BZERO/BLANK as an image does
  const scaling = tiles.quant ? undefined : fitsScaling(tiles.zbitpix, h)
  return {
    ...base,
    dtype,
    shape: tiles.dims,
    offset: 0,
    nbytes: count * (Math.abs(tiles.zbitpix) / 8),
    storedType: `${storedType}, ZBITPIX=${tiles.zbitpix}${tiles.quant ? `, quantized (${tiles.quant.method})` : ''}`,
    ...(scaling ? { scaling } : {}),
    fitsTiles: tiles
  }
}
