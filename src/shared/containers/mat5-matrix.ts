// One MATLAB level 5 variable (a miMATRIX element): its array flags, dims, name and data elements, read from a
// header source — the file, or the inflated first bytes of a -v7 compressed variable (offsets are then in the
// inflated stream). Numeric and logical arrays map where their real part is (column-major: the MATLAB dims in
// order F, as scipy.io.loadmat returns them); complex arrays and char arrays are recoded into a temporary copy
// (numpy's complex, numpy's text as loadmat gives them); cells, structs, objects, sparse arrays, function
// handles and opaque classes are listed with the reason.
import { ContainerError, elementCount, readExact, type ContainerEntry, type ReadFn, type Scaling } from './model'

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

/** Why a class is only listed, and what reads it. */
const LISTED: Record<string, string> = {
  cell: 'a MATLAB cell array: each cell is an array of its own, not a block of numbers',
  struct: 'a MATLAB struct: its fields are arrays of their own, not a block of numbers',
  object: 'a MATLAB object (a classdef or old-style object): its properties are arrays of their own',
  sparse: 'a MATLAB sparse matrix: only its nonzero values and their indices are stored',
  function: 'a MATLAB function handle: code, not numbers',
  opaque: 'a MATLAB opaque object (MCOS: string, table, datetime, containers.Map…): its data is MATLAB-internal'
}

export interface Tag {
  type: number
  bytes: number
  /** Where the element's data starts. */
  data: number
  /** Where the next element starts. */
  next: number
}

export interface HeaderSource {
  read: ReadFn
  size: number
}

/** Reads data element tags (both the full and the small element format), bounded by an end. */
export function tagReader(src: HeaderSource, little: boolean): (at: number, end: number, what: string) => Tag {
  return (at, end, what) => {
    const b = readExact(src, at, 8, what)
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
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
}

/** A miMATRIX element's header: its class, flags, dims and name, and where its data elements start. */
export interface ArrayHeader {
  cls: number
  className: string
  complex: boolean
  logical: boolean
  /** MATLAB's dims (none for an opaque object). */
  dims: number[]
  name: string
  /** Where the data elements after the name start (for an opaque object: after its name). */
  afterName: number
  end: number
}

/** Reads a miMATRIX element's header (tag.bytes > 0). */
export function arrayHeader(src: HeaderSource, tag: Tag, little: boolean): ArrayHeader {
  const tagAt = tagReader(src, little)
  const end = tag.data + tag.bytes
  const flagsTag = tagAt(tag.data, end, 'array flags')
  const flags = readExact(src, flagsTag.data, 8, 'array flags')
  const word = new DataView(flags.buffer, flags.byteOffset, 8).getUint32(0, little)
  const cls = word & 0xff
  const complex = (word & 0x0800) !== 0
  const logical = (word & 0x0200) !== 0
  const className = CLASSES[cls] ?? `class ${cls}`
  const readName = (at: number): { name: string; next: number } => {
    const nameTag = tagAt(at, end, 'array name')
    if (nameTag.bytes > 65536) throw new ContainerError(`an array name of ${nameTag.bytes} bytes`)
    const bytes = readExact(src, nameTag.data, nameTag.bytes, 'array name')
    // a nameless variable is MATLAB's function workspace, which loadmat names so
    const text = new TextDecoder().decode(bytes)
    return { name: text === '' ? '__function_workspace__' : text, next: nameTag.next }
  }
  const head = { cls, className, complex, logical, end }
  if (className === 'opaque') {
    // an opaque object has no dims: its name, then the type system's and the class's names
    const { name, next } = readName(flagsTag.next)
    return { ...head, dims: [], name, afterName: next }
  }
  const dimsTag = tagAt(flagsTag.next, end, 'dimensions')
  if (dimsTag.bytes % 4 !== 0 || dimsTag.bytes > 4 * 64)
    throw new ContainerError(`a dimensions element of ${dimsTag.bytes} bytes`)
  const db = readExact(src, dimsTag.data, dimsTag.bytes, 'dimensions')
  const ddv = new DataView(db.buffer, db.byteOffset, db.byteLength)
  const dims: number[] = []
  for (let k = 0; k < dimsTag.bytes / 4; k++) {
    const d = ddv.getInt32(4 * k, little)
    if (d < 0) throw new ContainerError(`a dimension of ${d}`)
    dims.push(d)
  }
  const { name, next } = readName(dimsTag.next)
  return { ...head, dims, name, afterName: next }
}

/** A miMATRIX element as an entry; where is 'byte N' (or 'byte N, compressed') for names of nameless entries. */
export function matrix(src: HeaderSource, tag: Tag, little: boolean, where: string): ContainerEntry {
  const tagAt = tagReader(src, little)
  const base: ContainerEntry = {
    name: `(empty at ${where})`,
    dtype: '|u1',
    shape: [0, 0],
    order: 'F',
    offset: tag.data,
    nbytes: 0,
    storedType: 'miMATRIX'
  }
  if (tag.bytes === 0)
    return { ...base, unmappable: { reason: 'an empty matrix element', remedy: 'there is nothing to show' } }
  const { cls, className, complex, logical, dims, name, afterName, end } = arrayHeader(src, tag, little)
  if (className === 'opaque') {
    let cname = ''
    try {
      // the type system's name, then the class's
      const t = tagAt(afterName, end, 'array name')
      const c = tagAt(t.next, end, 'array name')
      cname = new TextDecoder().decode(readExact(src, c.data, Math.min(c.bytes, 65536), 'array name'))
    } catch {
      // the class name is only for the message
    }
    return {
      ...base,
      name,
      shape: [],
      storedType: `opaque${cname ? ` (${cname})` : ''}`,
      unmappable: { reason: LISTED.opaque!, remedy: 'read it in MATLAB (scipy.io.loadmat gives its raw bytes)' }
    }
  }
  const entry: ContainerEntry = {
    ...base,
    name,
    shape: dims,
    storedType: `${CLASS_NAMES[className] ?? className}${logical ? ' (logical)' : ''}${complex ? ' (complex)' : ''}`
  }
  const listed = (reason: string, remedy: string): ContainerEntry => ({ ...entry, unmappable: { reason, remedy } })
  if (className === 'sparse') return sparse(src, entry, afterName, end, little, logical, complex, tagAt)
  if (className !== 'char' && !CLASS_NAMES[className]) {
    return listed(LISTED[className] ?? `a MATLAB array of class ${cls}`, 'read it with scipy.io.loadmat')
  }
  const count = elementCount(dims, `variable '${name}'`)
  const real = tagAt(afterName, end, `'${name}' real part`)
  const order = (size: number): string => (size === 1 ? '|' : little ? '<' : '>')
  if (className === 'char') return chars(entry, real, dims, count, order)
  const stored = MI[real.type]
  if (!stored) throw new ContainerError(`'${name}': its real part has data type ${real.type}`)
  const [scode, ssize] = stored
  if (real.bytes !== count * ssize) {
    throw new ContainerError(`'${name}': its real part holds ${real.bytes} bytes, its dims need ${count} × ${ssize}`)
  }
  const storedDtype = `${order(ssize)}${scode}`
  if (complex) {
    const imag = tagAt(real.next, end, `'${name}' imaginary part`)
    const istored = MI[imag.type]
    if (!istored || imag.bytes !== count * istored[1]) {
      throw new ContainerError(`'${name}': its imaginary part (type ${imag.type}, ${imag.bytes} bytes) does not fit`)
    }
    const idtype = `${order(istored[1])}${istored[0]}`
    // loadmat adds real + imag·1j in numpy: float32 parts give complex64, any other complex128
    const out = scode === 'f4' && istored[0] === 'f4' ? '<c8' : '<c16'
    return {
      ...entry,
      dtype: out,
      offset: 0,
      nbytes: count * (out === '<c8' ? 8 : 16),
      recode: {
        kind: 'planes',
        count,
        real: { offset: real.data, dtype: storedDtype },
        imag: { offset: imag.data, dtype: idtype }
      }
    }
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

/** A char array as loadmat returns it: strings along the last dim, numpy's text of that width. */
export function charsEntry(
  entry: ContainerEntry,
  dims: readonly number[],
  data: { offset: number; nbytes: number; stored: string }
): ContainerEntry {
  const width = dims.length ? dims[dims.length - 1]! : 1
  const lead = dims.slice(0, -1)
  const strings = lead.reduce((a, b) => a * b, 1)
  // an empty char array is loadmat's array([], dtype='<U1')
  const empty = strings * width === 0
  const shape = empty ? [0] : lead
  const itemWidth = Math.max(width, 1)
  return {
    ...entry,
    dtype: `<U${itemWidth}`,
    shape,
    offset: 0,
    nbytes: empty ? 0 : strings * itemWidth * 4,
    recode: { kind: 'chars', ...data, strings: empty ? 0 : strings, width: empty ? 0 : width }
  }
}

function chars(
  entry: ContainerEntry,
  real: Tag,
  dims: number[],
  count: number,
  order: (size: number) => string
): ContainerEntry {
  if (real.type === 16) return charsEntry(entry, dims, { offset: real.data, nbytes: real.bytes, stored: 'utf8' })
  const stored = MI[real.type]
  // MATLAB writes a char array of blanks with no data at all: loadmat reads it as that many spaces
  if (!stored || (real.bytes !== count * stored[1] && real.bytes !== 0)) {
    throw new ContainerError(`'${entry.name}': its characters (type ${real.type}, ${real.bytes} bytes) do not fit`)
  }
  return charsEntry(entry, dims, {
    offset: real.data,
    nbytes: real.bytes,
    stored: `${order(stored[1])}${stored[0]}`
  })
}

function itemsizeOf(dtype: string): number {
  return Number(dtype.slice(2))
}

/** Dense copies of sparse matrices larger than this are not made: such a matrix is listed. */
const MAX_DENSE = 1 << 30

/**
 * A sparse matrix (MATLAB's compressed sparse columns: row indices ir, column starts jc, values pr and pi) as
 * loadmat's .toarray() gives it: dense, in order F, of the values' stored type (bool when logical, complex when
 * it has imaginary parts), written into a temporary copy.
 */
function sparse(
  src: HeaderSource,
  entry: ContainerEntry,
  at: number,
  end: number,
  little: boolean,
  logical: boolean,
  complex: boolean,
  tagAt: (at: number, end: number, what: string) => Tag
): ContainerEntry {
  const [rows = 0, cols = 0] = entry.shape
  const name = entry.name
  if (entry.shape.length !== 2) throw new ContainerError(`sparse '${name}' has ${entry.shape.length} dims, not 2`)
  const ir = tagAt(at, end, `'${name}' row indices`)
  const jc = tagAt(ir.next, end, `'${name}' column starts`)
  const pr = tagAt(jc.next, end, `'${name}' values`)
  const pi = complex ? tagAt(pr.next, end, `'${name}' imaginary values`) : undefined
  const int = (t: Tag, what: string): string => {
    if (t.type !== 5 && t.type !== 6) throw new ContainerError(`sparse '${name}': its ${what} have data type ${t.type}`)
    return `${little ? '<' : '>'}${t.type === 5 ? 'i4' : 'u4'}`
  }
  const values = (t: Tag, what: string): string => {
    const m = MI[t.type]
    if (!m) throw new ContainerError(`sparse '${name}': its ${what} have data type ${t.type}`)
    return `${m[1] === 1 ? '|' : little ? '<' : '>'}${m[0]}`
  }
  const irType = int(ir, 'row indices')
  const jcType = int(jc, 'column starts')
  if (jc.bytes < (cols + 1) * 4) throw new ContainerError(`sparse '${name}': ${cols + 1} column starts expected`)
  // a logical sparse matrix's values are bytes, whatever data type the tag names (MATLAB writes miDOUBLE)
  const prType = logical ? '|u1' : values(pr, 'values')
  const piType = pi && values(pi, 'imaginary values')
  const nzmax = ir.bytes / 4
  const out = complex ? (prType.endsWith('f4') && piType!.endsWith('f4') ? '<c8' : '<c16') : logical ? '|b1' : prType
  const itemsize = Number(out.slice(2)) || 1
  const nbytes = rows * cols * itemsize
  if (nbytes > MAX_DENSE) {
    return {
      ...entry,
      unmappable: {
        reason: `a MATLAB sparse matrix of ${rows} × ${cols}: its dense form would take ${nbytes} bytes`,
        remedy: 'read it with scipy.io.loadmat (a scipy.sparse matrix)'
      }
    }
  }
  return {
    ...entry,
    dtype: out,
    offset: 0,
    nbytes,
    storedType: `${entry.storedType} (${nzmax} stored values)`,
    recode: {
      kind: 'sparse',
      rows,
      cols,
      ir: { offset: ir.data, count: nzmax, dtype: irType },
      jc: { offset: jc.data, dtype: jcType },
      pr: { offset: pr.data, count: pr.bytes / itemsizeOf(prType), dtype: prType },
      ...(pi ? { pi: { offset: pi.data, count: pi.bytes / itemsizeOf(piType!), dtype: piType! } } : {})
    }
  }
}
