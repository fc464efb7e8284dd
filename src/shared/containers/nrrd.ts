// NRRD (teem's "nearly raw raster data"): a text header ("NRRD000n", then "field: value" lines and "key:=value"
// pairs, ended by a blank line) before the data or naming a detached data file. One array: sizes are listed
// fastest first, so its numpy shape is the sizes in order F — what pynrrd returns by default (index_order='F').
// Raw encoding maps (byte skip, line skip, endian; byte skip -1 counts from the end); gzip encoding (inline or in
// a detached .raw.gz) opens through a temporary copy inflated once, as teem and pynrrd read it (line skip counts
// lines of the file before the stream, byte skip bytes of the inflated data); text, hex and bzip2 encodings are
// listed with the reason.
import { gzipSize, isGzip } from './gzip'
import {
  ContainerError,
  elementCount,
  readExact,
  type Container,
  type ContainerEntry,
  defineFormat,
  type ParseContext
} from './model'

const MAX_HEADER = 1 << 20

const TYPES: [RegExp, string][] = [
  [/^(signed char|int8|int8_t)$/, 'i1'],
  [/^(uchar|unsigned char|uint8|uint8_t)$/, 'u1'],
  [/^(short|short int|signed short|signed short int|int16|int16_t)$/, 'i2'],
  [/^(ushort|unsigned short|unsigned short int|uint16|uint16_t)$/, 'u2'],
  [/^(int|signed int|int32|int32_t)$/, 'i4'],
  [/^(uint|unsigned int|uint32|uint32_t)$/, 'u4'],
  [/^(longlong|long long|long long int|signed long long|signed long long int|int64|int64_t)$/, 'i8'],
  [/^(ulonglong|unsigned long long|unsigned long long int|uint64|uint64_t)$/, 'u8'],
  [/^float$/, 'f4'],
  [/^double$/, 'f8']
]

export const nrrd = defineFormat({
  format: 'nrrd',
  formats: {
    nrrd: {
      label: 'NRRD',
      description: 'an NRRD file',
      singleArray: true,
      extensions: ['.nrrd', '.nhdr'],
      reader: 'pynrrd',
      recipe: (r) => `import nrrd  # pynrrd\na, header = nrrd.read(${r.file})`
    }
  },
  detect: (head) => /^NRRD000[1-5]\r?\n/.test(String.fromCharCode(...head.subarray(0, 10))),
  parse: (ctx) => parseNrrd(ctx)
})

/** The header text up to (not including) the blank line, and where the bytes after it start. */
function headerText(ctx: ParseContext): { lines: string[]; end: number } {
  const bytes = readExact(ctx, 0, Math.min(ctx.size, MAX_HEADER), 'the NRRD header')
  let text = ''
  for (const b of bytes) text += String.fromCharCode(b)
  const m = /\r?\n\r?\n/.exec(text)
  if (!m) {
    // a detached header may end at the end of the file without a blank line
    if (ctx.size <= MAX_HEADER) return { lines: text.split(/\r?\n/), end: ctx.size }
    throw new ContainerError('the NRRD header has no blank line in its first 1 MB')
  }
  return { lines: text.slice(0, m.index).split(/\r?\n/), end: m.index + m[0].length }
}

function parseNrrd(ctx: ParseContext): Container<'nrrd'> {
  const { lines, end } = headerText(ctx)
  const fields = new Map<string, string>()
  const keyvals: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    if (line.startsWith('#') || line === '') continue
    const kv = /^([^:]+):=(.*)$/.exec(line)
    if (kv) {
      keyvals[kv[1]!] = kv[2]!
      continue
    }
    const f = /^([^:]+): ?(.*)$/.exec(line)
    if (!f)
      throw new ContainerError(`the NRRD header line '${line.slice(0, 80)}' is neither "field: value" nor "key:=value"`)
    fields.set(f[1]!.trim().toLowerCase(), f[2]!.trim())
  }
  const need = (k: string): string => {
    const v = fields.get(k)
    if (v === undefined) throw new ContainerError(`the NRRD header has no '${k}' field`)
    return v
  }
  const typeName = need('type').toLowerCase().replace(/\s+/g, ' ')
  const code = TYPES.find(([re]) => re.test(typeName))?.[1]
  const dimension = Number(need('dimension'))
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 32) {
    throw new ContainerError(`NRRD dimension '${fields.get('dimension')}' is not 1 to 32`)
  }
  const sizes = need('sizes').split(/\s+/).map(Number)
  if (sizes.length !== dimension || sizes.some((s) => !Number.isSafeInteger(s) || s < 0)) {
    throw new ContainerError(`NRRD sizes '${fields.get('sizes')}' are not ${dimension} integers ≥ 0`)
  }
  const encoding = need('encoding').toLowerCase()
  const endian = (fields.get('endian') ?? 'little').toLowerCase()
  if (endian !== 'little' && endian !== 'big') throw new ContainerError(`NRRD endian '${endian}' is not little or big`)
  const byteSkip = Number(fields.get('byte skip') ?? '0')
  const lineSkip = Number(fields.get('line skip') ?? '0')
  if (!Number.isSafeInteger(byteSkip) || byteSkip < -1)
    throw new ContainerError(`NRRD byte skip '${fields.get('byte skip')}' is not an integer ≥ -1`)
  if (!Number.isSafeInteger(lineSkip) || lineSkip < 0)
    throw new ContainerError(`NRRD line skip '${fields.get('line skip')}' is not an integer ≥ 0`)
  const dataFile = fields.get('data file') ?? fields.get('datafile')
  const metadata = { ...Object.fromEntries(fields), ...(Object.keys(keyvals).length ? { keyvalues: keyvals } : {}) }
  const base: ContainerEntry = {
    name: 'data',
    dtype: '|u1',
    shape: sizes,
    order: 'F',
    offset: 0,
    nbytes: 0,
    storedType: typeName,
    metadata
  }
  const listed = (reason: string, remedy: string): Container<'nrrd'> => ({
    format: 'nrrd',
    metadata,
    entries: [{ ...base, unmappable: { reason, remedy } }]
  })
  if (!code) return listed(`NRRD type '${typeName}' has no numpy dtype here`, 'read it with pynrrd')
  const gzip = encoding === 'gzip' || encoding === 'gz'
  if (gzip && byteSkip === -1) {
    return listed(
      'its gzip-encoded data has byte skip -1 (counted from the end of the inflated data)',
      'save it with raw encoding (unu save -e raw) and open that'
    )
  }
  if (encoding !== 'raw' && !gzip) {
    return listed(
      `its data is ${encoding}-encoded, not raw bytes`,
      'convert it to raw encoding (unu save -e raw) and open that'
    )
  }
  if (dataFile && (/^LIST/.test(dataFile) || /%/.test(dataFile))) {
    return listed('its data is split over several files', 'join them, or open each with a layout')
  }
  const itemsize = Number(code[1])
  const dtype = `${itemsize === 1 ? '|' : endian === 'little' ? '<' : '>'}${code}`
  const count = elementCount(sizes, 'the NRRD array')
  const nbytes = count * itemsize
  // where the data starts in its file: after line skip lines, then byte skip bytes (-1: the last nbytes)
  let file: string | undefined
  let size = ctx.size
  let read = ctx.read
  let start = end
  let close = (): void => undefined
  if (dataFile) {
    if (!ctx.openSibling) throw new ContainerError('a detached NRRD header needs its data file beside it')
    const s = ctx.openSibling(dataFile)
    file = dataFile
    size = s.size
    read = s.read
    close = s.close
    start = 0
  }
  try {
    for (let k = 0; k < lineSkip; k++) {
      const chunk = read(start, 4096)
      const nl = chunk.indexOf(0x0a)
      if (nl < 0)
        throw new ContainerError(
          `NRRD line skip ${lineSkip}: line ${k + 1} of the data file does not end within 4096 bytes`
        )
      start += nl + 1
    }
    if (gzip)
      return { format: 'nrrd', metadata, entries: [gzipEntry(base, dtype, nbytes, start, byteSkip, file, read, size)] }
    const offset = byteSkip === -1 ? size - nbytes : start + byteSkip
    if (offset < start || offset + nbytes > size) {
      throw new ContainerError(
        `the NRRD array needs ${nbytes} bytes from byte ${offset}${file ? ` of ${file}` : ''}, which has ${size}: the data is truncated`
      )
    }
    return { format: 'nrrd', metadata, entries: [{ ...base, dtype, offset, nbytes, ...(file ? { file } : {}) }] }
  } finally {
    close()
  }
}

/** The array inside a gzip stream from byte start of its file: inflated once into a temporary copy. */
function gzipEntry(
  base: ContainerEntry,
  dtype: string,
  nbytes: number,
  start: number,
  byteSkip: number,
  file: string | undefined,
  read: (o: number, l: number) => Uint8Array,
  size: number
): ContainerEntry {
  const where = file ? ` of ${file}` : ''
  if (!isGzip(read(start, 3))) {
    throw new ContainerError(`the NRRD data${where} says gzip encoding but is not a gzip stream (at byte ${start})`)
  }
  // ISIZE is the size modulo 2^32: checked below 4 GiB
  const have = gzipSize(read, size)
  if (byteSkip + nbytes < 2 ** 32 && have < byteSkip + nbytes) {
    throw new ContainerError(
      `the NRRD array needs bytes [${byteSkip}, ${byteSkip + nbytes}) of the inflated data${where}, which has ${have}: the data is truncated`
    )
  }
  return {
    ...base,
    dtype,
    offset: byteSkip,
    nbytes,
    ...(file ? { file } : {}),
    via: {
      kind: 'inflate',
      stream: 'gzip',
      dataOffset: start,
      compressedSize: 0,
      uncompressedSize: byteSkip + nbytes,
      what: 'NRRD data'
    }
  }
}
