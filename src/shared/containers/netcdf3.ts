// NetCDF classic files: CDF-1 ("CDF\x01"), CDF-2 (64-bit offsets, "CDF\x02") and CDF-5 (64-bit data, "CDF\x05").
// Dimensions, global and variable attributes, and every variable, big-endian. Fixed-size variables are
// contiguous at their begin offset; record variables (first dimension unlimited) interleave record by record, so
// each is a strided view with stride = the record size (the sum of the record variables' padded sizes; unpadded
// when there is only one). Values as stored (scipy.io.netcdf_file's); scale_factor / add_offset / _FillValue are
// offered as a scaled view (the toggle), computed as netCDF4-python computes them.
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
import { float32Shown, float32Words } from './metadata'
import { mincNormalised, mincRecipe } from './minc'

const MAX_HEADER = 64 << 20
const MAX_ITEMS = 1 << 20

/** nc_type → numpy type (big-endian), size, and a name. */
const TYPES: Record<number, [string, number, string]> = {
  1: ['|i1', 1, 'byte'],
  // NC_CHAR as numpy's bytes, one character an element, as scipy's netcdf_file gives it
  2: ['|S1', 1, 'char'],
  3: ['>i2', 2, 'short'],
  4: ['>i4', 4, 'int'],
  5: ['>f4', 4, 'float'],
  6: ['>f8', 8, 'double'],
  7: ['|u1', 1, 'ubyte'],
  8: ['>u2', 2, 'ushort'],
  9: ['>u4', 4, 'uint'],
  10: ['>i8', 8, 'int64'],
  11: ['>u8', 8, 'uint64']
}

export const netcdf3 = defineFormat({
  format: 'netcdf3',
  formats: {
    netcdf3: {
      label: 'NetCDF',
      description: 'a NetCDF file',
      singleArray: false,
      extensions: ['.nc', '.cdf'],
      reader: 'netCDF4',
      recipe: (r) =>
        mincRecipe(r) ??
        (r.stored
          ? `from scipy.io import netcdf_file\na = netcdf_file(${r.file}, mmap=True).variables[${r.name}].data`
          : `import netCDF4\na = netCDF4.Dataset(${r.file})[${r.name}][:]  # scale_factor / add_offset applied`)
    }
  },
  detect: (head) => head[0] === 0x43 && head[1] === 0x44 && head[2] === 0x46 && [1, 2, 5].includes(head[3]!),
  parse: (ctx) => parseNetcdf3(ctx)
})

/** The header is longer than the bytes read: read again with more. */
class NeedMore extends Error {}

class Reader {
  pos = 4
  constructor(
    /** How many bytes the header may have (the file's size, at most MAX_HEADER). */
    private readonly limit: number,
    private readonly b: Uint8Array,
    private readonly dv: DataView,
    private readonly cdf5: boolean,
    private readonly offset64: boolean
  ) {}
  need(n: number, what: string): void {
    if (this.pos + n > this.b.length) {
      // the header goes on past the bytes read so far: read more (up to the file, at most MAX_HEADER)
      if (this.b.length < this.limit) throw new NeedMore()
      throw new ContainerError(`the NetCDF header is truncated (${what} at byte ${this.pos})`)
    }
  }
  u32(what: string): number {
    this.need(4, what)
    const v = this.dv.getUint32(this.pos)
    this.pos += 4
    return v
  }
  u64(what: string): number {
    this.need(8, what)
    const v = this.dv.getBigUint64(this.pos)
    this.pos += 8
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new ContainerError(`the NetCDF header's ${what} is ${v}: larger than any file`)
    return Number(v)
  }
  /** NON_NEG: 4 bytes, 8 in CDF-5. */
  count(what: string): number {
    return this.cdf5 ? this.u64(what) : this.u32(what)
  }
  /** OFFSET: 4 bytes in CDF-1, 8 in CDF-2 and CDF-5. */
  offset(what: string): number {
    return this.offset64 ? this.u64(what) : this.u32(what)
  }
  name(what: string): string {
    const n = this.count(`${what}'s name length`)
    if (n > 65536) throw new ContainerError(`the NetCDF header gives ${what} a name of ${n} bytes`)
    this.need(n, what)
    const s = new TextDecoder().decode(this.b.subarray(this.pos, this.pos + n))
    this.pos += Math.ceil(n / 4) * 4
    return s
  }
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what)
    const out = this.b.subarray(this.pos, this.pos + n)
    this.pos += Math.ceil(n / 4) * 4
    return out
  }
  /** A list's tag and count (ABSENT: 0, 0). */
  list(tag: number, what: string): number {
    const t = this.u32(what)
    const n = this.count(what)
    if (t === 0 && n === 0) return 0
    if (t !== tag) throw new ContainerError(`the NetCDF header's ${what} has tag ${t} (expected ${tag})`)
    if (n > MAX_ITEMS) throw new ContainerError(`the NetCDF header claims ${n} ${what}`)
    return n
  }
}

interface Attr {
  type: number
  value: JsonValue
}

function attrs(r: Reader, what: string): Record<string, Attr> {
  const out: Record<string, Attr> = {}
  const n = r.list(12, `${what} attributes`)
  for (let k = 0; k < n; k++) {
    const name = r.name('an attribute')
    const type = r.u32('an attribute type')
    const t = TYPES[type]
    if (!t) throw new ContainerError(`attribute '${name}' of ${what} has the unknown type ${type}`)
    const count = r.count('an attribute length')
    if (count * t[1] > MAX_HEADER) throw new ContainerError(`attribute '${name}' claims ${count} values`)
    const b = r.bytes(count * t[1], `attribute '${name}'`)
    out[name] = { type, value: attrValue(type, b, count) }
  }
  return out
}

/** An attribute for people: an NC_FLOAT with its float32 digits (the values scaling uses stay exact). */
function shownValue(a: Attr): JsonValue {
  return a.type === 5 ? float32Shown(a.value) : a.value
}

function attrValue(type: number, b: Uint8Array, count: number): JsonValue {
  if (type === 2) return new TextDecoder().decode(b).replace(/\0+$/, '')
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const out: JsonValue[] = []
  for (let k = 0; k < Math.min(count, 4096); k++) {
    const at = k * TYPES[type]![1]
    const v = ((): JsonValue => {
      switch (type) {
        case 1:
          return dv.getInt8(at)
        case 7:
          return dv.getUint8(at)
        case 3:
          return dv.getInt16(at)
        case 8:
          return dv.getUint16(at)
        case 4:
          return dv.getInt32(at)
        case 9:
          return dv.getUint32(at)
        case 5:
          return num(dv.getFloat32(at))
        case 6:
          return num(dv.getFloat64(at))
        case 10:
          return Number(dv.getBigInt64(at))
        default:
          return Number(dv.getBigUint64(at))
      }
    })()
    out.push(v)
  }
  return count === 1 ? out[0]! : out
}

function num(x: number): JsonValue {
  return Number.isFinite(x) ? x : Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf'
}

function parseNetcdf3(ctx: ParseContext): Container<'netcdf3'> {
  // headers are usually a few KB: read 64 KB, and more only when the header goes on
  const limit = Math.min(ctx.size, MAX_HEADER)
  for (let n = Math.min(limit, 64 << 10); ; n = Math.min(limit, n * 4)) {
    try {
      return parseHeader(ctx, readExact(ctx, 0, n, 'the NetCDF header'), limit)
    } catch (e) {
      if (!(e instanceof NeedMore)) throw e
    }
  }
}

function parseHeader(ctx: ParseContext, bytes: Uint8Array, limit: number): Container<'netcdf3'> {
  const version = bytes[3]!
  const cdf5 = version === 5
  const r = new Reader(
    limit,
    bytes,
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    cdf5,
    version !== 1
  )
  const numrecsRaw = cdf5 ? r.u64('numrecs') : r.u32('numrecs')
  const streaming = cdf5 ? false : numrecsRaw === 0xffffffff
  const dims: { name: string; length: number }[] = []
  const nd = r.list(10, 'dimensions')
  let unlimited = -1
  for (let k = 0; k < nd; k++) {
    const name = r.name('a dimension')
    const length = r.count(`dimension ${name}'s length`)
    if (length === 0) {
      if (unlimited >= 0)
        throw new ContainerError(`dimensions '${dims[unlimited]!.name}' and '${name}' are both unlimited`)
      unlimited = k
    }
    dims.push({ name, length })
  }
  const globals = attrs(r, 'global')
  const nv = r.list(11, 'variables')
  interface Var {
    name: string
    dimids: number[]
    attrs: Record<string, Attr>
    type: number
    vsize: number
    begin: number
    record: boolean
  }
  const vars: Var[] = []
  for (let k = 0; k < nv; k++) {
    const name = r.name('a variable')
    const rank = r.count(`variable ${name}'s rank`)
    if (rank > 1024) throw new ContainerError(`variable '${name}' claims ${rank} dimensions`)
    const dimids: number[] = []
    for (let j = 0; j < rank; j++) {
      const id = r.count(`variable ${name}'s dimension id`)
      if (id >= dims.length)
        throw new ContainerError(`variable '${name}' names dimension ${id}; the file has ${dims.length}`)
      dimids.push(id)
    }
    const va = attrs(r, `variable '${name}'`)
    const type = r.u32(`variable ${name}'s type`)
    if (!TYPES[type]) throw new ContainerError(`variable '${name}' has the unknown type ${type}`)
    if (!cdf5 && type > 6) throw new ContainerError(`variable '${name}' has type ${type}, which only CDF-5 files have`)
    const vsize = r.count(`variable ${name}'s size`)
    const begin = r.offset(`variable ${name}'s offset`)
    const record = dimids.length > 0 && dimids[0] === unlimited
    if (dimids.slice(1).includes(unlimited))
      throw new ContainerError(`variable '${name}' uses the unlimited dimension past its first axis`)
    vars.push({ name, dimids, attrs: va, type, vsize, begin, record })
  }
  const headerEnd = r.pos
  const records = vars.filter((v) => v.record)
  // the record size: each record variable's part, padded to 4 bytes unless it is the only one
  const part = (v: Var): number => {
    const t = TYPES[v.type]!
    const inner =
      elementCount(
        v.dimids.slice(1).map((d) => dims[d]!.length),
        `variable '${v.name}'`
      ) * t[1]
    return records.length === 1 ? inner : Math.ceil(inner / 4) * 4
  }
  const recsize = records.reduce((a, v) => a + part(v), 0)
  const firstRecord = records.length ? Math.min(...records.map((v) => v.begin)) : 0
  const numrecs = streaming ? (recsize ? Math.floor((ctx.size - firstRecord) / recsize) : 0) : numrecsRaw
  const entries: ContainerEntry[] = []
  for (const v of vars) {
    const [dtype, size, typeName] = TYPES[v.type]!
    const shape = v.dimids.map((d) => (d === unlimited ? numrecs : dims[d]!.length))
    const count = elementCount(shape, `variable '${v.name}'`)
    const metadata: Record<string, JsonValue> = {
      dimensions: v.dimids.map((d) => dims[d]!.name),
      ...Object.fromEntries(Object.entries(v.attrs).map(([k, a]) => [k, shownValue(a)]))
    }
    const entry: ContainerEntry = {
      name: v.name,
      dtype,
      shape,
      order: 'C',
      offset: v.begin,
      nbytes: count * size,
      storedType: `${typeName}${v.record ? ' (record variable)' : ''}`,
      metadata
    }
    if (v.begin < headerEnd)
      throw new ContainerError(`variable '${v.name}' starts at byte ${v.begin}, inside the header (${headerEnd} bytes)`)
    if (v.record) {
      const inner = shape.slice(1)
      const innerStrides = new Array<number>(inner.length)
      let s = size
      for (let k = inner.length - 1; k >= 0; k--) {
        innerStrides[k] = s
        s *= inner[k]!
      }
      entry.strides = [recsize, ...innerStrides]
      const reach = numrecs > 0 ? v.begin + (numrecs - 1) * recsize + part(v) : v.begin
      if (count > 0 && reach > ctx.size) {
        throw new ContainerError(
          `record variable '${v.name}' needs ${numrecs} records of ${recsize} bytes from byte ${firstRecord}, past the end of the file (${ctx.size})`
        )
      }
      entry.nbytes = count * size
    } else if (v.begin + count * size > ctx.size) {
      throw new ContainerError(
        `variable '${v.name}' needs bytes [${v.begin}, ${v.begin + count * size}), past the end of the file (${ctx.size}): it is truncated`
      )
    }
    // text is not packed: netCDF4 scales no NC_CHAR variable
    const scaling = v.type === 2 ? undefined : netcdfScaling(v.attrs, dtype)
    if (scaling) entry.scaling = scaling
    entries.push(entry)
  }
  // a MINC 1 image: nibabel's normalised values beside the stored variable
  const minc = mincNormalised(entries, 1)
  if (minc) entries.push(minc)
  return {
    format: 'netcdf3',
    metadata: {
      version: version === 1 ? 'CDF-1 (classic)' : version === 2 ? 'CDF-2 (64-bit offset)' : 'CDF-5 (64-bit data)',
      dimensions: Object.fromEntries(
        dims.map((d, k) => [d.name, k === unlimited ? `unlimited (${numrecs} records)` : d.length])
      ),
      attributes: Object.fromEntries(Object.entries(globals).map(([k, a]) => [k, shownValue(a)])),
      records: numrecs,
      recordSize: recsize
    },
    entries
  }
}

/**
 * CF packing, as netCDF4-python applies it: data * scale_factor + add_offset (each only when present), computed
 * with numpy's promotion of the stored type and the attributes' types; values equal to _FillValue are masked
 * (NaN here).
 */
function netcdfScaling(a: Record<string, Attr>, dtype: string): Scaling | undefined {
  const sf = a.scale_factor
  const ao = a.add_offset
  if (!sf && !ao) return undefined
  const first = (x: Attr | undefined): number | undefined => {
    const v = Array.isArray(x?.value) ? x!.value[0] : x?.value
    return typeof v === 'number' ? v : v === 'nan' ? NaN : undefined
  }
  const slope = first(sf)
  const inter = first(ao)
  const fill = first(a._FillValue)
  if ((sf && slope === undefined) || (ao && inter === undefined)) return undefined
  const small = /^[<>|]([iu][12]|f4)$/.test(dtype)
  const f32 = small && (!sf || sf.type === 5) && (!ao || ao.type === 5)
  return {
    rule: f32 ? 'f32' : 'f64',
    stored: dtype,
    dtype: f32 ? '<f4' : '<f8',
    slope: slope ?? 1,
    inter: inter ?? 0,
    ...(fill !== undefined ? { blank: fill } : {}),
    initial: 'stored',
    source: [
      slope !== undefined ? `scale_factor = ${sf!.type === 5 ? float32Words(slope) : slope}` : '',
      inter !== undefined ? `add_offset = ${ao!.type === 5 ? float32Words(inter) : inter}` : '',
      fill !== undefined ? `_FillValue = ${fill}` : ''
    ]
      .filter(Boolean)
      .join(', ')
  }
}
