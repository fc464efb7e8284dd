// MATLAB MAT-files: level 5 (-v6, and -v7, whose variables are zlib-compressed by default) and level 4 (mat4.ts).
// A level 5 file is a 128-byte header whose last two bytes give the byte order ('IM' little-endian, 'MI'
// big-endian), then one data element per variable: a miMATRIX (mat5-matrix.ts), or a miCOMPRESSED zlib stream
// holding one — listed by the name in its inflated header (only its first bytes are inflated) and opened through a
// temporary decompressed copy, as a deflated .npz member is. A compressed element is not padded to 8 bytes
// (MATLAB and scipy write it so). An element ArrayScope cannot show (a function handle, an object, an opaque
// class, an unknown element type, a corrupt stream) is listed with the reason; the rest of the file opens. v7.3
// files are HDF5 (see hdf5/).
import { isMat4, parseMat4 } from './mat4'
import { tagReader, type HeaderSource, type Tag } from './mat5-matrix'
import { isNested, loadmatIndex, matrixEntries } from './mat5-nested'
import {
  ContainerError,
  readExact,
  type Container,
  type ContainerEntry,
  defineFormat,
  type ParseContext,
  type Recode
} from './model'

const MAX_VARIABLES = 1_000_000
/** Inflated bytes enough for any variable's header (flags, 64 dims, a 64 KiB name, the data tags). */
const HEADER_PREFIX = (64 << 10) + 1024
/** A compressed complex variable is inflated whole to find its imaginary part up to this size. */
const MAX_WHOLE = 64 << 20

/** The element types' names, for the listing of elements that are not variables. */
const MI_NAMES: Record<number, string> = {
  0: 'none',
  1: 'miINT8',
  2: 'miUINT8',
  3: 'miINT16',
  4: 'miUINT16',
  5: 'miINT32',
  6: 'miUINT32',
  7: 'miSINGLE',
  9: 'miDOUBLE',
  12: 'miINT64',
  13: 'miUINT64',
  16: 'miUTF8',
  17: 'miUTF16',
  18: 'miUTF32'
}

export const mat5 = defineFormat({
  format: 'mat5',
  formats: {
    mat5: {
      label: 'MATLAB',
      description: 'a MATLAB file',
      singleArray: false,
      extensions: ['.mat'],
      reader: 'scipy',
      recipe: (r) => `from scipy.io import loadmat\na = loadmat(${r.file})${loadmatIndex(r.name)}`
    }
  },
  detect: (head, size, name) => isMat5(head) || isMat4(head, size, name),
  parse: (ctx) => (isMat5(ctx.read(0, 128)) ? parseMat5(ctx) : parseMat4(ctx))
})

function isMat5(head: Uint8Array): boolean {
  if (head.length < 128 || String.fromCharCode(...head.subarray(0, 6)) !== 'MATLAB') return false
  const e = String.fromCharCode(head[126]!, head[127]!)
  return (e === 'IM' || e === 'MI') && String.fromCharCode(...head.subarray(0, 10)) !== 'MATLAB 7.3'
}

function parseMat5(ctx: ParseContext): Container<'mat5'> {
  const head = readExact(ctx, 0, 128, 'the MAT-file header')
  const little = String.fromCharCode(head[126]!, head[127]!) === 'IM'
  if (new DataView(head.buffer, head.byteOffset + 124, 2).getUint16(0, little) === 0x0200) {
    // version 0x0200 is v7.3 (scipy's matfile_version says so too): HDF5 after the 512-byte user block, which the
    // HDF5 module reads (it is registered first and detects it by this version); a v5 parse would misread it
    throw new ContainerError(
      'a MATLAB v7.3 file (version 0x0200: HDF5 after a 512-byte user block), not a v5 MAT-file: it is read as HDF5'
    )
  }
  const text = new TextDecoder().decode(head.subarray(0, 116)).replace(/[\0 ]+$/, '')
  const tagAt = tagReader(ctx, little)
  const entries: ContainerEntry[] = []
  const element = (at: number, storedType: string, reason: string, remedy: string): ContainerEntry => ({
    name: `(element at byte ${at})`,
    dtype: '|u1',
    shape: [],
    order: 'F',
    offset: at,
    nbytes: 0,
    storedType,
    unmappable: { reason, remedy }
  })
  let at = 128
  while (at + 8 <= ctx.size) {
    if (entries.length >= MAX_VARIABLES)
      throw new ContainerError(`the MAT-file holds more than ${MAX_VARIABLES} variables`)
    // an element that runs past the end of the file: the file is truncated (or its header corrupt), refused whole
    // as loadmat refuses it
    const tag = tagAt(at, ctx.size, 'a variable')
    if (tag.type === 15) {
      entries.push(...compressed(ctx, tag, little))
      // a compressed element is not padded to 8 bytes
      at = tag.data + tag.bytes
      continue
    }
    if (tag.type === 14) {
      entries.push(...guarded(() => matrixEntries(ctx, tag, little, `byte ${at}`), at, 'miMATRIX'))
    } else if (tag.bytes > 0 || tag.type !== 0) {
      const type = MI_NAMES[tag.type] ?? `type ${tag.type}`
      entries.push(
        element(
          at,
          type,
          `a top-level ${type} element of ${tag.bytes} bytes, not a variable (miMATRIX or miCOMPRESSED)`,
          'scipy.io.loadmat skips it too'
        )
      )
    }
    if (tag.next <= at) break
    at = tag.next
  }
  return { format: 'mat5', metadata: { header: text, byteOrder: little ? 'little-endian' : 'big-endian' }, entries }
}

/** A variable whose header is malformed is listed with the reason; the others still open. */
function guarded(parse: () => ContainerEntry[], at: number, storedType: string): ContainerEntry[] {
  try {
    return parse()
  } catch (e) {
    if (!(e instanceof ContainerError)) throw e
    return [
      {
        name: `(variable at byte ${at})`,
        dtype: '|u1',
        shape: [],
        order: 'F',
        offset: at,
        nbytes: 0,
        storedType,
        unmappable: {
          reason: e.message.startsWith('its ') ? e.message : `its header is malformed: ${e.message}`,
          remedy: 'try scipy.io.loadmat'
        }
      }
    ]
  }
}

/**
 * A -v7 compressed variable: its header read from the first inflated bytes (offsets in the inflated stream), then
 * opened through a temporary decompressed copy of the stream up to the end of the data the entry reads.
 */
function compressed(ctx: ParseContext, tag: Tag, little: boolean): ContainerEntry[] {
  const at = tag.data - 8
  const listed = (reason: string, remedy: string): ContainerEntry => ({
    name: `(compressed variable at byte ${at})`,
    dtype: '|u1',
    shape: [],
    order: 'F',
    offset: tag.data,
    nbytes: 0,
    storedType: 'miCOMPRESSED',
    unmappable: { reason, remedy }
  })
  if (!ctx.inflatePrefix) {
    return [listed('it is zlib-compressed and zlib is not available here', 'read it with scipy.io.loadmat')]
  }
  let prefix: Uint8Array
  try {
    prefix = ctx.inflatePrefix(tag.data, tag.bytes, HEADER_PREFIX, 'zlib')
  } catch (e) {
    return [
      listed(
        `its zlib stream is corrupt (${(e as Error).message})`,
        'scipy.io.loadmat cannot read it either; the other variables open'
      )
    ]
  }
  const parse = (): ContainerEntry[] => {
    if (prefix.length < 8) throw new ContainerError(`it inflates to ${prefix.length} bytes, no variable`)
    const inner = new DataView(prefix.buffer, prefix.byteOffset, 8)
    const type = inner.getUint32(0, little)
    const bytes = inner.getUint32(4, little)
    if (type !== 14) throw new ContainerError(`it holds a data element of type ${type}, not a miMATRIX`)
    // the inflated stream, as far as its header is known: reads past the prefix come back short (and say so)
    const src: HeaderSource = { read: (o, l) => prefix.subarray(o, o + l), size: 8 + bytes }
    const t: Tag = { type, bytes, data: 8, next: 8 + bytes }
    // a cell or struct: the arrays inside are found by walking the whole inflated variable
    if (isNested(src, t, little)) inflateWhole(bytes + 8)
    return matrixEntries(src, t, little, `byte ${at}, compressed`).map((e) => {
      if (e.unmappable) return e
      const need = e.recode ? recodeEnd(e.recode) : e.offset + e.nbytes
      return {
        ...e,
        via: {
          kind: 'inflate',
          stream: 'zlib',
          dataOffset: tag.data,
          compressedSize: tag.bytes,
          uncompressedSize: need,
          what: 'MATLAB variable'
        }
      }
    })
  }
  const inflateWhole = (whole: number): void => {
    if (whole <= prefix.length) return
    if (whole > MAX_WHOLE) {
      throw new ContainerError(
        `its arrays lie past the first ${MAX_WHOLE >> 20} MiB of its ${whole}-byte inflated stream, where ArrayScope looks for them (save it uncompressed, -v6, to open it)`
      )
    }
    prefix = ctx.inflatePrefix!(tag.data, tag.bytes, whole, 'zlib')
  }
  return guarded(
    () => {
      try {
        return parse()
      } catch (e) {
        // a complex variable's imaginary part starts after its real part: inflate that far (up to 64 MiB)
        const whole =
          prefix.length >= 8 ? new DataView(prefix.buffer, prefix.byteOffset, 8).getUint32(4, little) + 8 : 0
        if (!(e instanceof ContainerError) || !/ends after/.test(e.message) || !ctx.inflatePrefix) throw e
        if (whole > MAX_WHOLE) {
          throw new ContainerError(
            `its imaginary part lies past the first ${MAX_WHOLE >> 20} MiB of its ${whole}-byte inflated stream, where ArrayScope looks for it (save it uncompressed, -v6, to open it)`
          )
        }
        prefix = ctx.inflatePrefix(tag.data, tag.bytes, whole, 'zlib')
        return parse()
      }
    },
    at,
    'miCOMPRESSED'
  )
}

function itemsizeOf(dtype: string): number {
  return Number(dtype.slice(2))
}

/** Where the last stored byte a recode reads ends (in the inflated stream): how far to inflate. */
function recodeEnd(r: Recode): number {
  switch (r.kind) {
    case 'planes':
      return Math.max(
        r.real.offset + r.count * itemsizeOf(r.real.dtype),
        r.imag.offset + r.count * itemsizeOf(r.imag.dtype)
      )
    case 'sparse':
      return Math.max(
        r.pr.offset + r.pr.count * itemsizeOf(r.pr.dtype),
        r.pi ? r.pi.offset + r.pi.count * itemsizeOf(r.pi.dtype) : 0,
        r.jc.offset + (r.cols + 1) * 4
      )
    case 'chars':
    case 'varints':
      return r.offset + r.nbytes
    case 'minc':
      return r.offset + r.count * itemsizeOf(r.dtype)
    case 'triplets':
      return r.offset + r.n * (r.complex ? 4 : 3) * itemsizeOf(r.dtype)
    case 'ascii-table':
      return r.offset + r.rows * r.rowBytes
  }
}
