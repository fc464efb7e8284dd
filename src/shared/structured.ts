// Every dtype the engine reads: scalars (dtypes.ts: numbers, strings, long double), raw void bytes ('|V4',
// numpy's padding), and structured records in every form numpy reads — descr lists ([("x","<f4"),("v","<i2",
// (3,))]), comma strings ('f8,i4,S5'), the dict form — with sub-array fields, titles, nesting and padding.
import { DTypeError, decodeAt, encodeAt, parseScalarDType, ParseError, type Scalar, type ScalarDType } from './dtypes'
import { parsePyLiteral, type PyValue } from './py-literal'

export interface VoidDType {
  kind: 'void'
  itemsize: number
  str: string
}

export interface StructField {
  name: string
  /** numpy's title: another name for the field, kept so that exports write it back. */
  title?: string
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
  /** numpy's descr as JSON (dtype.descr: gaps as padding, titles kept): what the contract and the CLI carry. */
  str: string
}

export type DType = ScalarDType | VoidDType | StructDType

/** A decoded element of any dtype. Void elements are their bytes; records are objects by field name. */
export type Value = Scalar | Uint8Array | Value[] | { [field: string]: Value }

function parseVoid(spec: string): VoidDType | null {
  const m = /^[|<>=]?V(\d+)$/.exec(spec.trim())
  if (!m) return null
  const n = Number(m[1])
  if (n <= 0) throw new DTypeError(`void dtype '${spec}' needs a positive size`)
  return { kind: 'void', itemsize: n, str: `|V${n}` }
}

/** A dtype with the sub-array shape a spelling adds: '(3,4)i4' is i4 with [3, 4]. */
export interface ShapedDType {
  dtype: DType
  shape: number[]
}

const EXAMPLE = `e.g. <f4, '(3,4)i4', 'f8,i4,S5', [["x","<f4"],["v","<i2",[3]]]`

function shapeOf(value: unknown, where: string): number[] {
  const dims = typeof value === 'number' ? [value] : value
  if (!Array.isArray(dims) || !dims.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) {
    throw new DTypeError(`${where}: ${JSON.stringify(value)} is not a shape (a tuple of integers ≥ 0)`)
  }
  return dims as number[]
}

/** Splits "f8, (2,3)i4, S5" at the commas outside brackets. */
function topLevelParts(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let k = 0; k < text.length; k++) {
    const c = text[k]
    if (c === '(' || c === '[' || c === '{') depth++
    else if (c === ')' || c === ']' || c === '}') depth--
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, k))
      start = k + 1
    }
  }
  parts.push(text.slice(start))
  return parts.map((p) => p.trim())
}

/** A dtype spelled as numpy spells it in a string. */
function fromString(spec: string, where: string): ShapedDType {
  const t = spec.trim()
  if (t === '') throw new DTypeError(`${where}: dtype is empty: give one like <f4, >i2, uint8, float32`)
  if (/^[[{(]/.test(t)) {
    let literal: PyValue | undefined
    try {
      literal = parsePyLiteral(t)
    } catch {
      literal = undefined
    }
    if (literal !== undefined) return fromValue(literal, where)
    // '(3,4)i4': a sub-array of i4
    const sub = /^\(\s*((?:\d+\s*,\s*)*\d+)?\s*,?\s*\)\s*(\S.*)$/s.exec(t)
    if (sub) {
      const shape = sub[1] ? sub[1].split(',').map((n) => Number(n.trim())) : []
      const inner = fromString(sub[2]!, where)
      return { dtype: inner.dtype, shape: [...shape, ...inner.shape] }
    }
    throw new DTypeError(`${where}: '${spec}' is not a dtype numpy reads (${EXAMPLE})`)
  }
  const parts = topLevelParts(t)
  if (parts.length > 1) {
    // 'f8,i4,S5': a record with fields f0, f1, f2 (a trailing comma makes a one-field record)
    if (parts[parts.length - 1] === '') parts.pop()
    if (parts.some((p) => p === '')) throw new DTypeError(`${where}: '${spec}' has an empty type between commas`)
    return {
      dtype: structOf(
        parts.map((p, k) => [`f${k}`, p]),
        where
      ),
      shape: []
    }
  }
  return { dtype: parseVoid(t) ?? parseScalarDType(t), shape: [] }
}

/** A dtype given as a parsed value: a string, a (type, shape) tuple, a list of fields, or numpy's dict form. */
function fromValue(value: unknown, where: string): ShapedDType {
  if (typeof value === 'string') return fromString(value, where)
  if (Array.isArray(value)) {
    if (value.length === 2 && isShapeLike(value[1])) {
      // (type, shape): a sub-array of type
      const inner = fromValue(value[0], where)
      return { dtype: inner.dtype, shape: [...shapeOf(value[1], where), ...inner.shape] }
    }
    return { dtype: structOf(value, where), shape: [] }
  }
  if (value && typeof value === 'object') return { dtype: fromDict(value as Record<string, unknown>, where), shape: [] }
  throw new DTypeError(`${where}: ${JSON.stringify(value)} is not a dtype (${EXAMPLE})`)
}

function isShapeLike(v: unknown): boolean {
  return typeof v === 'number' || (Array.isArray(v) && v.every((n) => typeof n === 'number'))
}

interface FieldSpec {
  name: string
  title?: string
  type: unknown
  shape?: unknown
  offset?: number
}

/** numpy's list form: [(name, type), (name, type, shape), ((title, name), type), …], packed in order. */
function structOf(entries: unknown[], where: string): StructDType {
  if (entries.length === 0) throw new DTypeError(`${where}: a structured dtype needs at least one field`)
  const specs = entries.map((entry, k): FieldSpec => {
    if (!Array.isArray(entry) || entry.length < 2 || entry.length > 3) {
      throw new DTypeError(`${where}: field ${k} must be (name, type) or (name, type, shape)`)
    }
    const [rawName, type, shape] = entry as [unknown, unknown, unknown]
    if (Array.isArray(rawName)) {
      // (title, name): the field is known by its name, as numpy does
      if (rawName.length !== 2 || typeof rawName[1] !== 'string') {
        throw new DTypeError(`${where}: field ${k}'s name must be a string or a (title, name) pair`)
      }
      return { name: rawName[1], title: String(rawName[0]), type, shape }
    }
    if (typeof rawName !== 'string') throw new DTypeError(`${where}: field ${k}'s name must be a string`)
    return { name: rawName, type, shape }
  })
  return buildStruct(specs, null, where)
}

/** numpy's dict form: {"names": […], "formats": […], "offsets": […], "itemsize": n, "titles": […]}. */
function fromDict(d: Record<string, unknown>, where: string): StructDType {
  const { names, formats, offsets, titles, itemsize } = d
  const known = new Set(['names', 'formats', 'offsets', 'titles', 'itemsize', 'aligned'])
  const extra = Object.keys(d).find((k) => !known.has(k))
  if (extra)
    throw new DTypeError(`${where}: a dict dtype has no key '${extra}' (names, formats, offsets, titles, itemsize)`)
  if (!Array.isArray(names) || !Array.isArray(formats) || names.length !== formats.length) {
    throw new DTypeError(`${where}: a dict dtype needs lists 'names' and 'formats' of the same length`)
  }
  if (offsets !== undefined && (!Array.isArray(offsets) || offsets.length !== names.length)) {
    throw new DTypeError(`${where}: 'offsets' must list one offset per name`)
  }
  const specs = names.map((name, k): FieldSpec => {
    if (typeof name !== 'string') throw new DTypeError(`${where}: field names must be strings`)
    const title = Array.isArray(titles) && titles[k] != null ? String(titles[k]) : undefined
    const offset = offsets ? (offsets as unknown[])[k] : undefined
    if (offset !== undefined && !(Number.isSafeInteger(offset) && (offset as number) >= 0)) {
      throw new DTypeError(`${where}: offset ${JSON.stringify(offset)} of field '${name}' is not a byte count`)
    }
    return { name, title, type: formats[k], offset: offset as number | undefined }
  })
  if (itemsize !== undefined && !(Number.isSafeInteger(itemsize) && (itemsize as number) > 0)) {
    throw new DTypeError(`${where}: itemsize ${JSON.stringify(itemsize)} is not a positive byte count`)
  }
  return buildStruct(specs, (itemsize as number | undefined) ?? null, where)
}

function buildStruct(specs: FieldSpec[], itemsize: number | null, where: string): StructDType {
  const fields: StructField[] = []
  const names = new Set<string>()
  let end = 0
  for (const f of specs) {
    const inner = fromValue(f.type, `${where}, field '${f.name}'`)
    const shape = [...(f.shape === undefined ? [] : shapeOf(f.shape, `${where}, field '${f.name}'`)), ...inner.shape]
    const size = inner.dtype.itemsize * shape.reduce((a, b) => a * b, 1)
    const offset = f.offset ?? end
    if (offset < end) {
      throw new DTypeError(
        `${where}: field '${f.name}' at byte ${offset} overlaps the field before it; ArrayScope reads records whose fields are in order and apart`
      )
    }
    end = offset + size
    // numpy's padding (np.lib.format.descr_to_dtype): an unnamed field of plain void bytes takes space but is no
    // field. Any other unnamed field is a field whose name is '' — np.load keeps it, and so do we.
    if (f.name === '' && inner.dtype.kind === 'void') continue
    if (names.has(f.name)) throw new DTypeError(`${where}: field name '${f.name}' appears twice`)
    if (f.title !== undefined && names.has(f.title))
      throw new DTypeError(`${where}: title '${f.title}' is also a field name`)
    names.add(f.name)
    fields.push({
      name: f.name,
      ...(f.title !== undefined ? { title: f.title } : {}),
      offset,
      dtype: inner.dtype,
      shape
    })
  }
  const size = itemsize ?? end
  if (size < end) throw new DTypeError(`${where}: itemsize ${size} is smaller than the fields (${end} bytes)`)
  if (size === 0) throw new DTypeError(`${where}: a structured dtype needs at least one byte`)
  const struct: StructDType = { kind: 'struct', fields, itemsize: size, str: '' }
  struct.str = JSON.stringify(structDescr(struct))
  return struct
}

/** numpy's dtype.descr of a record: its fields in order, gaps as ('', '|Vn') padding, titles as (title, name). */
function structDescr(dt: StructDType): unknown[] {
  const out: unknown[] = []
  let at = 0
  for (const f of dt.fields) {
    if (f.offset > at) out.push(['', `|V${f.offset - at}`])
    const name = f.title !== undefined ? [f.title, f.name] : f.name
    out.push(f.shape.length ? [name, dtypeDescr(f.dtype), f.shape] : [name, dtypeDescr(f.dtype)])
    at = f.offset + f.dtype.itemsize * f.shape.reduce((a, b) => a * b, 1)
  }
  if (dt.itemsize > at) out.push(['', `|V${dt.itemsize - at}`])
  return out
}

/**
 * Parses any dtype numpy reads, with the sub-array shape its spelling adds (numpy appends it to an array's
 * shape): a scalar ('<f4', 'float32', 'bfloat16', '|S5', '<U8', '<f16'), void ('|V8'), a sub-array ('(3,4)i4',
 * ('<i4', (3,))), comma-separated fields ('f8,i4,S5'), a descr list in Python or JSON form
 * ([('x', '<f4'), ('v', '<i2', (3,))]), with titles, nesting and (type, shape) field types, or the dict form.
 */
export function parseDTypeShape(spec: string | unknown[]): ShapedDType {
  return Array.isArray(spec) ? fromValue(spec, 'structured dtype') : fromString(spec, 'dtype')
}

/** parseDTypeShape for the dtype of one element: a sub-array spelling is refused here. */
export function parseDType(spec: string | unknown[]): DType {
  const { dtype, shape } = parseDTypeShape(spec)
  if (shape.length) {
    throw new DTypeError(
      `${typeof spec === 'string' ? spec : JSON.stringify(spec)} is a sub-array dtype (${shape.join('×')} of ${dtype.str}): ` +
        `give it as the array's dtype, where its shape is appended to the array's`
    )
  }
  return dtype
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
