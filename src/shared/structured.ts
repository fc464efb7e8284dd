// Every dtype the engine reads: scalars (dtypes.ts), raw void bytes ('|V4', numpy's padding), and structured
// records in numpy's descr form — [["x","<f4"],["v","<i2",[3]]] — with sub-array fields, nesting and padding.
import { DTypeError, decodeAt, encodeAt, parseScalarDType, ParseError, type Scalar, type ScalarDType } from './dtypes'

export interface VoidDType {
  kind: 'void'
  itemsize: number
  str: string
}

export interface StructField {
  name: string
  /** Byte offset of the field inside a record. */
  offset: number
  dtype: DType
  /** Sub-array shape ([] for a plain field). */
  shape: number[]
}

export interface StructDType {
  kind: 'struct'
  fields: StructField[]
  itemsize: number
  /** numpy's descr as JSON: what the contract and the CLI carry. */
  str: string
}

export type DType = ScalarDType | VoidDType | StructDType

/** A decoded element of any dtype. Void elements are their bytes; records are objects by field name. */
export type Value = Scalar | Uint8Array | Value[] | { [field: string]: Value }

type Descr = string | DescrEntry[]
type DescrEntry = [string | [string, string], Descr] | [string | [string, string], Descr, number[]]

function parseVoid(spec: string): VoidDType | null {
  const m = /^[|<>=]?V(\d+)$/.exec(spec.trim())
  if (!m) return null
  const n = Number(m[1])
  if (n <= 0) throw new DTypeError(`void dtype '${spec}' needs a positive size`)
  return { kind: 'void', itemsize: n, str: `|V${n}` }
}

function fromDescr(descr: unknown, where: string): DType {
  if (typeof descr === 'string') return parseDType(descr)
  if (!Array.isArray(descr) || descr.length === 0) {
    throw new DTypeError(`${where}: a structured dtype is a list of [name, dtype] or [name, dtype, shape] entries`)
  }
  const fields: StructField[] = []
  const names = new Set<string>()
  let offset = 0
  for (const [k, entry] of descr.entries()) {
    if (!Array.isArray(entry) || entry.length < 2 || entry.length > 3) {
      throw new DTypeError(`${where}: field ${k} must be [name, dtype] or [name, dtype, shape]`)
    }
    const [rawName, sub, shape = []] = entry as DescrEntry
    // A (title, name) pair names the field by its second element, as numpy does.
    const name = Array.isArray(rawName) ? String(rawName[1]) : String(rawName)
    if (!Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      throw new DTypeError(`${where}: field '${name}' has an invalid shape ${JSON.stringify(shape)}`)
    }
    const dtype = fromDescr(sub, `${where}, field '${name}'`)
    // numpy's padding (np.lib.format.descr_to_dtype): an unnamed field of plain void bytes takes space but is no
    // field. Any other unnamed field is a field whose name is '' — np.load keeps it, and so do we.
    const padding = name === '' && dtype.kind === 'void'
    if (!padding) {
      if (names.has(name)) throw new DTypeError(`${where}: field name '${name}' appears twice`)
      names.add(name)
      fields.push({ name, offset, dtype, shape: shape as number[] })
    }
    offset += dtype.itemsize * (shape as number[]).reduce((a, b) => a * b, 1)
  }
  if (offset === 0) throw new DTypeError(`${where}: a structured dtype needs at least one byte`)
  return { kind: 'struct', fields, itemsize: offset, str: JSON.stringify(descr) }
}

/**
 * Parses any dtype spelling: a scalar ('<f4', 'float32', 'bfloat16'), void ('|V8'), or a structured descr as
 * JSON ('[["x","<f4"],["v","<i2",[3]]]') or as an already parsed list.
 */
export function parseDType(spec: string | unknown[]): DType {
  if (Array.isArray(spec)) return fromDescr(spec, 'structured dtype')
  const t = spec.trim()
  if (t.startsWith('[')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(t.replace(/'/g, '"').replace(/\(/g, '[').replace(/\)/g, ']').replace(/,\s*]/g, ']'))
    } catch {
      throw new DTypeError(`structured dtype '${spec}' is not valid: write it like [["x","<f4"],["v","<i2",[3]]]`)
    }
    return fromDescr(parsed, 'structured dtype')
  }
  return parseVoid(t) ?? parseScalarDType(t)
}

/** numpy's descr value for a dtype (a string, or the list for records), as written into .npy headers. */
export function dtypeDescr(dt: DType): string | unknown[] {
  return dt.kind === 'struct' ? (JSON.parse(dt.str) as unknown[]) : dt.str
}

function decodeArray(dt: DType, view: DataView, offset: number, shape: readonly number[]): Value {
  if (shape.length === 0) return decodeValue(dt, view, offset)
  const [n, ...rest] = shape as [number, ...number[]]
  const step = dt.itemsize * rest.reduce((a, b) => a * b, 1)
  return Array.from({ length: n }, (_, k) => decodeArray(dt, view, offset + k * step, rest))
}

export function decodeValue(dt: DType, view: DataView, offset: number): Value {
  switch (dt.kind) {
    case 'scalar':
      return decodeAt(dt, view, offset)
    case 'void':
      return new Uint8Array(view.buffer, view.byteOffset + offset, dt.itemsize).slice()
    case 'struct': {
      const out: { [field: string]: Value } = {}
      for (const f of dt.fields) out[f.name] = decodeArray(f.dtype, view, offset + f.offset, f.shape)
      return out
    }
  }
}

export function encodeValue(dt: DType, view: DataView, offset: number, value: Value): void {
  switch (dt.kind) {
    case 'scalar':
      return encodeAt(dt, view, offset, value as Scalar)
    case 'void': {
      const bytes = value as Uint8Array
      if (!(bytes instanceof Uint8Array) || bytes.length !== dt.itemsize) {
        throw new ParseError(`a ${dt.str} value is exactly ${dt.itemsize} bytes`)
      }
      new Uint8Array(view.buffer, view.byteOffset + offset, dt.itemsize).set(bytes)
      return
    }
    case 'struct':
      throw new ParseError('edit a record one field at a time')
  }
}

function formatVoid(bytes: Uint8Array): string {
  return `b'${Array.from(bytes, (b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}'`
}

/** Display text, as numpy's str() of the element: records as (1.5, [1, 2, 3]). */
export function formatValue(dt: DType, value: Value): string {
  switch (dt.kind) {
    case 'scalar':
      return dt.type.format(value as Scalar)
    case 'void':
      return formatVoid(value as Uint8Array)
    case 'struct': {
      const rec = value as { [field: string]: Value }
      const parts = dt.fields.map((f) => formatNested(f.dtype, rec[f.name]!, f.shape.length))
      return `(${parts.join(', ')})`
    }
  }
}

function formatNested(dt: DType, value: Value, depth: number): string {
  if (depth === 0) return formatValue(dt, value)
  return `[${(value as Value[]).map((v) => formatNested(dt, v, depth - 1)).join(', ')}]`
}

/** The scalar types of the engine, for the data inspector and `--to-dtype`. */
export function isScalar(dt: DType): dt is ScalarDType {
  return dt.kind === 'scalar'
}
