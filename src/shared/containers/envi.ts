// ENVI: a text header (.hdr, first word "ENVI", "key = value" lines, {…} values over several lines) beside a raw
// data file (the header's name without .hdr, or with .img/.dat/.raw/.bsq/.bil/.bip). One array: samples, lines
// and bands, interleaved as the header says — bsq (bands, lines, samples), bil (lines, bands, samples), bip
// (lines, samples, bands) in C order, as spectral (SPy) reads them — after header offset bytes.
import { ContainerError, elementCount, readExact, type Container, defineFormat, type ParseContext } from './model'

const MAX_HEADER = 4 << 20

const DATA_TYPES: Record<number, string> = {
  1: 'u1',
  2: 'i2',
  3: 'i4',
  4: 'f4',
  5: 'f8',
  6: 'c8',
  9: 'c16',
  12: 'u2',
  13: 'u4',
  14: 'i8',
  15: 'u8'
}

export const envi = defineFormat({
  format: 'envi',
  formats: {
    envi: {
      label: 'ENVI',
      description: 'an ENVI image',
      singleArray: true,
      extensions: ['.hdr'],
      reader: 'spectral',
      recipe: (r) => `import spectral  # SPy\na = spectral.envi.open(${r.file}).load()`
    }
  },
  detect: (head) => /^ENVI\s/.test(String.fromCharCode(...head.subarray(0, 5))),
  parse: (ctx) => parseEnvi(ctx)
})

/** The header's key = value pairs (keys lower-cased; {…} values joined over lines). */
export function enviFields(text: string): Map<string, string> {
  const out = new Map<string, string>()
  const lines = text.split(/\r?\n/)
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k]!
    const eq = line.indexOf('=')
    if (eq < 0) continue
    const key = line.slice(0, eq).trim().toLowerCase()
    let value = line.slice(eq + 1).trim()
    if (value.startsWith('{')) {
      while (!value.includes('}') && k + 1 < lines.length) value += '\n' + lines[++k]!
      value = value
        .replace(/^\{/, '')
        .replace(/\}\s*$/, '')
        .trim()
    }
    out.set(key, value)
  }
  return out
}

function parseEnvi(ctx: ParseContext): Container<'envi'> {
  if (ctx.size > MAX_HEADER) throw new ContainerError(`an ENVI header of ${ctx.size} bytes: that is no header`)
  const bytes = readExact(ctx, 0, ctx.size, 'the ENVI header')
  let text = ''
  for (const b of bytes) text += String.fromCharCode(b)
  const f = enviFields(text)
  const int = (k: string, dflt?: number): number => {
    const raw = f.get(k)
    if (raw === undefined && dflt !== undefined) return dflt
    const v = Number(raw)
    if (!Number.isSafeInteger(v) || v < 0)
      throw new ContainerError(`the ENVI header's '${k}' is ${JSON.stringify(raw ?? 'missing')}, not an integer ≥ 0`)
    return v
  }
  const samples = int('samples')
  const lines = int('lines')
  const bands = int('bands', 1)
  const offset = int('header offset', 0)
  const typeCode = int('data type')
  const order = int('byte order', 0)
  if (order !== 0 && order !== 1)
    throw new ContainerError(`the ENVI header's byte order is ${order} (0 little-endian, 1 big-endian)`)
  const code = DATA_TYPES[typeCode]
  const interleave = (f.get('interleave') ?? 'bsq').toLowerCase()
  const shape =
    interleave === 'bsq'
      ? [bands, lines, samples]
      : interleave === 'bil'
        ? [lines, bands, samples]
        : interleave === 'bip'
          ? [lines, samples, bands]
          : null
  if (!shape) throw new ContainerError(`the ENVI header's interleave is '${interleave}' (bsq, bil or bip)`)
  const metadata = Object.fromEntries(f)
  const base = {
    name: 'data',
    dtype: '|u1',
    shape,
    order: 'C' as const,
    offset,
    nbytes: 0,
    storedType: `ENVI data type ${typeCode}, ${interleave}`,
    metadata
  }
  if (!code) {
    return {
      format: 'envi',
      metadata,
      entries: [
        {
          ...base,
          unmappable: {
            reason: `ENVI data type ${typeCode} has no numpy dtype here`,
            remedy: 'read it with spectral (SPy)'
          }
        }
      ]
    }
  }
  const itemsize = Number(code.slice(1))
  const dtype = `${itemsize === 1 ? '|' : order === 0 ? '<' : '>'}${code}`
  const nbytes = elementCount(shape, 'the ENVI image') * itemsize
  const file = dataFile(ctx, offset + nbytes)
  return { format: 'envi', metadata, entries: [{ ...base, dtype, nbytes, file }] }
}

/** The data file beside the header: the first candidate that exists, large enough. */
function dataFile(ctx: ParseContext, need: number): string {
  if (!ctx.openSibling) throw new ContainerError('an ENVI header needs its data file beside it')
  const stem = ctx.fileName.replace(/\.hdr$/i, '')
  const names = [
    stem,
    ...['.img', '.dat', '.raw', '.bsq', '.bil', '.bip'].flatMap((x) => [stem + x, stem + x.toUpperCase()])
  ]
  if (stem === ctx.fileName) names.shift()
  const tried: string[] = []
  for (const name of names) {
    let s: ReturnType<NonNullable<ParseContext['openSibling']>>
    try {
      s = ctx.openSibling(name)
    } catch {
      tried.push(name)
      continue
    }
    const size = s.size
    s.close()
    if (size < need)
      throw new ContainerError(`${name} has ${size} bytes; the ENVI header describes ${need}: it is truncated`)
    return name
  }
  throw new ContainerError(`no data file for this ENVI header: tried ${tried.join(', ')}`)
}
