// MATLAB level 5 MAT-files (-v6, and -v7 without compression, as scipy.io.savemat writes them): a 128-byte header
// whose last two bytes give the byte order ('IM' little-endian, 'MI' big-endian), then one data element per
// variable. Numeric and logical arrays map where their real part is (column-major: the MATLAB dims in order F,
// as scipy.io.loadmat returns them); a double or single array MATLAB stored in a smaller integer type shows its
// stored numbers, as loadmat does, and its MATLAB class (loadmat's mat_dtype=True) a toggle away. Compressed variables
// (-v7's default), cells, structs, objects, sparse and complex arrays are listed with the reason. v7.3 files are
// HDF5 (see hdf5/).
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

const MAX_VARIABLES = 1_000_000

/** miTYPE → numpy type without byte order, size. */
const MI: Record<number, [string, number]> = {
  1: ['i1', 1],
  2: ['u1', 1],
  3: ['i2', 2],
  4: ['u2', 2],
  5: ['i4', 4],
  6: ['u4', 4],
  7: ['f4', 4],
  9: ['f8', 8],
  12: ['i8', 8],
  13: ['u8', 8],
  16: ['u1', 1],
  17: ['u2', 2],
  18: ['u4', 4]
}

/** mxCLASS → numpy type (numeric classes), or a name. */
const CLASSES: Record<number, string> = {
  1: 'cell',
  2: 'struct',
  3: 'object',
  4: 'char',
  5: 'sparse',
  6: 'f8',
  7: 'f4',
  8: 'i1',
  9: 'u1',
  10: 'i2',
  11: 'u2',
  12: 'i4',
  13: 'u4',
  14: 'i8',
  15: 'u8',
  16: 'function',
  17: 'opaque'
}

const CLASS_NAMES: Record<string, string> = {
  f8: 'double',
  f4: 'single',
  i1: 'int8',
  u1: 'uint8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  u8: 'uint64'
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
      recipe: (r) => `from scipy.io import loadmat\na = loadmat(${r.file})[${r.name}]`
    }
  },
  detect: (head) => {
    if (head.length < 128 || String.fromCharCode(...head.subarray(0, 6)) !== 'MATLAB') return false
    const e = String.fromCharCode(head[126]!, head[127]!)
    return (e === 'IM' || e === 'MI') && String.fromCharCode(...head.subarray(0, 10)) !== 'MATLAB 7.3'
  },
  parse: (ctx) => parseMat5(ctx)
})

interface Tag {
  type: number
  bytes: number
  /** Where the element's data starts. */
  data: number
  /** Where the next element starts. */
  next: number
}

function parseMat5(ctx: ParseContext): Container<'mat5'> {
  const head = readExact(ctx, 0, 128, 'the MAT-file header')
  const little = String.fromCharCode(head[126]!, head[127]!) === 'IM'
  const text = new TextDecoder().decode(head.subarray(0, 116)).replace(/[\0 ]+$/, '')
  const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength)
  const tagAt = (at: number, end: number, what: string): Tag => {
    const b = readExact(ctx, at, 8, what)
    const v = dv(b)
    const first = v.getUint32(0, little)
    if (first >>> 16 !== 0) {
      // the small data element format: type and size in 4 bytes, the data in the next 4
      return { type: first & 0xffff, bytes: first >>> 16, data: at + 4, next: at + 8 }
    }
    const bytes = v.getUint32(4, little)
    const next = at + 8 + Math.ceil(bytes / 8) * 8
    if (at + 8 + bytes > end)
      throw new ContainerError(`${what} at byte ${at} claims ${bytes} bytes, past its end (${end})`)
    return { type: first, bytes, data: at + 8, next }
  }
  const entries: ContainerEntry[] = []
  let at = 128
  while (at + 8 <= ctx.size) {
    if (entries.length >= MAX_VARIABLES)
      throw new ContainerError(`the MAT-file holds more than ${MAX_VARIABLES} variables`)
    const tag = tagAt(at, ctx.size, 'a variable')
    if (tag.type === 15) {
      entries.push({
        name: `(compressed variable at byte ${at})`,
        dtype: '|u1',
        shape: [],
        order: 'F',
        offset: tag.data,
        nbytes: 0,
        storedType: 'miCOMPRESSED',
        unmappable: {
          reason: 'it is zlib-compressed (MATLAB -v7 saves so by default): its values are not stored as bytes',
          remedy: "save with -v6 (or scipy's savemat, which does not compress), or read it with scipy.io.loadmat"
        }
      })
    } else if (tag.type === 14) {
      entries.push(matrix(ctx, tag, little, tagAt))
    } else if (tag.bytes > 0 || tag.type !== 0) {
      throw new ContainerError(
        `a top-level data element at byte ${at} has type ${tag.type} (miMATRIX = 14 or miCOMPRESSED = 15 expected)`
      )
    }
    if (tag.next <= at) break
    at = tag.next
  }
  return { format: 'mat5', metadata: { header: text, byteOrder: little ? 'little-endian' : 'big-endian' }, entries }
}

function matrix(
  ctx: ParseContext,
  tag: Tag,
  little: boolean,
  tagAt: (at: number, end: number, what: string) => Tag
): ContainerEntry {
  const end = tag.data + tag.bytes
  const base: ContainerEntry = {
    name: `(empty at byte ${tag.data - 8})`,
    dtype: '|u1',
    shape: [0, 0],
    order: 'F',
    offset: tag.data,
    nbytes: 0,
    storedType: 'miMATRIX'
  }
  if (tag.bytes === 0)
    return { ...base, unmappable: { reason: 'an empty matrix element', remedy: 'there is nothing to show' } }
  const flagsTag = tagAt(tag.data, end, 'array flags')
  const flags = readExact(ctx, flagsTag.data, 8, 'array flags')
  const fv = new DataView(flags.buffer, flags.byteOffset, 8)
  const word = fv.getUint32(0, little)
  const cls = word & 0xff
  const complex = (word & 0x0800) !== 0
  const logical = (word & 0x0200) !== 0
  const dimsTag = tagAt(flagsTag.next, end, 'dimensions')
  if (dimsTag.bytes % 4 !== 0 || dimsTag.bytes > 4 * 64)
    throw new ContainerError(`a dimensions element of ${dimsTag.bytes} bytes`)
  const db = readExact(ctx, dimsTag.data, dimsTag.bytes, 'dimensions')
  const ddv = new DataView(db.buffer, db.byteOffset, db.byteLength)
  const dims: number[] = []
  for (let k = 0; k < dimsTag.bytes / 4; k++) {
    const d = ddv.getInt32(4 * k, little)
    if (d < 0) throw new ContainerError(`a dimension of ${d}`)
    dims.push(d)
  }
  const nameTag = tagAt(dimsTag.next, end, 'array name')
  if (nameTag.bytes > 65536) throw new ContainerError(`an array name of ${nameTag.bytes} bytes`)
  const name = new TextDecoder().decode(readExact(ctx, nameTag.data, nameTag.bytes, 'array name'))
  const className = CLASSES[cls] ?? `class ${cls}`
  const entry: ContainerEntry = {
    ...base,
    name,
    shape: dims,
    storedType: `${CLASS_NAMES[className] ?? className}${logical ? ' (logical)' : ''}`
  }
  const listed = (reason: string, remedy: string): ContainerEntry => ({ ...entry, unmappable: { reason, remedy } })
  if (!CLASS_NAMES[className]) {
    return listed(`a MATLAB ${className} array: not a block of numbers`, 'read it with scipy.io.loadmat')
  }
  const count = elementCount(dims, `variable '${name}'`)
  const real = tagAt(nameTag.next, end, `'${name}' real part`)
  const stored = MI[real.type]
  if (!stored) throw new ContainerError(`'${name}': its real part has data type ${real.type}`)
  const [scode, ssize] = stored
  if (real.bytes !== count * ssize) {
    throw new ContainerError(`'${name}': its real part holds ${real.bytes} bytes, its dims need ${count} × ${ssize}`)
  }
  const order = (size: number): string => (size === 1 ? '|' : little ? '<' : '>')
  const storedDtype = `${order(ssize)}${scode}`
  if (complex) {
    const imag = tagAt(real.next, end, `'${name}' imaginary part`)
    return listed(
      `a complex array: MATLAB stores its real and imaginary parts apart (real at byte ${real.data}, imaginary at byte ${imag.data})`,
      `open each part as ${storedDtype} with --order F --shape ${dims.join(',')} --offset ${real.data} (or ${imag.data})`
    )
  }
  const mapped: ContainerEntry = { ...entry, dtype: storedDtype, offset: real.data, nbytes: real.bytes }
  // logical arrays are uint8 0/1, as loadmat returns them
  if (logical) return mapped
  const want = className
  if (want === scode) return mapped
  if (want === 'f8' || want === 'f4') {
    // MATLAB stored the values in a smaller type: loadmat returns them as stored (mat_dtype=False, its default);
    // the MATLAB class (mat_dtype=True) is the toggle
    const scaling: Scaling = {
      rule: want === 'f8' ? 'f64' : 'f32',
      stored: storedDtype,
      dtype: want === 'f8' ? '<f8' : '<f4',
      slope: 1,
      inter: 0,
      initial: 'stored',
      source: `MATLAB ${CLASS_NAMES[want]} stored as ${CLASS_NAMES[scode] ?? scode}`
    }
    return { ...mapped, scaling }
  }
  return { ...mapped, metadata: { note: `MATLAB class ${CLASS_NAMES[want]} stored as ${CLASS_NAMES[scode] ?? scode}` } }
}
