// MATLAB cells, structs and objects are containers of arrays, not arrays: each element of a cell and each field
// of a struct (or an object's property) is a miMATRIX of its own, nested inside the variable's element. They are
// listed as arrays of their own, named as MATLAB indexes them — `c{1,2}` (a cell element, 1-based subscripts),
// `s.x` (a field of a 1×1 struct), `s(1,2).x` (of a struct array), nested as deep as they go (`c{2}{1}`,
// `s.inner.x`) — each the array `loadmat(f)['c'][0, 1]` or `['s'][0, 0]['x']` gives. A cell or struct with
// nothing in it is listed with that reason, so no variable disappears from the listing.
import { arrayHeader, matrix, tagReader, type HeaderSource, type Tag } from './mat5-matrix'
import { ContainerError, elementCount, readExact, type ContainerEntry } from './model'

/** More arrays than this in one variable are not listed one by one. */
const MAX_NESTED = 10_000
/** Deeper nesting than this is refused (a hostile file could nest without end). */
const MAX_DEPTH = 32

const NESTED = new Set(['cell', 'struct', 'object'])

/** 1-based MATLAB subscripts of the k-th element (column-major) of an array of these dims. */
function subscripts(k: number, dims: readonly number[]): string {
  const subs: number[] = []
  for (const d of dims) {
    subs.push((k % d) + 1)
    k = Math.floor(k / d)
  }
  return subs.join(',')
}

/** Whether a miMATRIX element (tag.bytes > 0) is a cell, struct or object (its arrays are listed one by one). */
export function isNested(src: HeaderSource, tag: Tag, little: boolean): boolean {
  return tag.bytes > 0 && NESTED.has(arrayHeader(src, tag, little).className)
}

/**
 * A variable's entries: the variable itself, or — for a cell, struct or object — every array inside it, named by
 * its MATLAB path. `path` is the name given to this element (null at the top: the element's own name).
 */
export function matrixEntries(
  src: HeaderSource,
  tag: Tag,
  little: boolean,
  where: string,
  path: string | null = null,
  depth = 0,
  budget = { left: MAX_NESTED }
): ContainerEntry[] {
  if (tag.bytes === 0 || !isNested(src, tag, little)) {
    const e = matrix(src, tag, little, where)
    return [path === null ? e : { ...e, name: path }]
  }
  const h = arrayHeader(src, tag, little)
  const name = path ?? h.name
  const tagAt = tagReader(src, little)
  const count = elementCount(h.dims, `variable '${name}'`)
  const listed = (reason: string): ContainerEntry[] => [
    {
      name,
      dtype: '|u1',
      shape: h.dims,
      order: 'F',
      offset: tag.data,
      nbytes: 0,
      storedType: h.className,
      unmappable: { reason, remedy: 'read it with scipy.io.loadmat' }
    }
  ]
  if (depth >= MAX_DEPTH) throw new ContainerError(`'${name}' nests cells or structs more than ${MAX_DEPTH} deep`)
  if (count > budget.left) {
    return listed(`a MATLAB ${h.className} holding more than ${MAX_NESTED} arrays, too many to list one by one`)
  }
  const out: ContainerEntry[] = []
  const child = (at: number, childPath: string): number => {
    const t = tagAt(at, h.end, `an element of '${name}'`)
    if (t.type !== 14) throw new ContainerError(`an element of '${name}' has data type ${t.type}, not miMATRIX`)
    budget.left--
    out.push(...matrixEntries(src, t, little, where, childPath, depth + 1, budget))
    return t.next
  }
  let at = h.afterName
  if (h.className === 'cell') {
    if (count === 0) return listed(`an empty MATLAB cell (${h.dims.join(' × ')}): no arrays in it`)
    for (let k = 0; k < count; k++) at = child(at, `${name}{${subscripts(k, h.dims)}}`)
    return out
  }
  if (h.className === 'object') at = tagAt(at, h.end, `'${name}' class name`).next
  // the field name length (an int32), then the names, each that long and NUL-padded
  const lenTag = tagAt(at, h.end, `'${name}' field name length`)
  const lb = readExact(src, lenTag.data, 4, `'${name}' field name length`)
  const width = new DataView(lb.buffer, lb.byteOffset, 4).getInt32(0, little)
  const namesTag = tagAt(lenTag.next, h.end, `'${name}' field names`)
  if (width <= 0 || namesTag.bytes % width !== 0) {
    throw new ContainerError(`'${name}': field names of ${namesTag.bytes} bytes do not split into ${width}-byte names`)
  }
  const nfields = namesTag.bytes / width
  if (count * nfields > budget.left) {
    return listed(`a MATLAB ${h.className} holding more than ${MAX_NESTED} arrays, too many to list one by one`)
  }
  const nb = readExact(src, namesTag.data, namesTag.bytes, `'${name}' field names`)
  const fields: string[] = []
  const seen = new Set<string>()
  let dup = 0
  for (let o = 0; o < nb.length; o += width) {
    const f = new TextDecoder().decode(nb.subarray(o, o + width)).replace(/\0.*$/s, '')
    // a field name seen before gets loadmat's prefix (_1_, _2_…, counted over the struct) so every array has a name
    fields.push(seen.has(f) ? `_${++dup}_${f}` : f)
    seen.add(f)
  }
  if (count === 0 || nfields === 0) {
    return listed(`a MATLAB ${h.className} of ${h.dims.join(' × ')} with ${nfields} fields: no arrays in it`)
  }
  at = namesTag.next
  for (let k = 0; k < count; k++) {
    const prefix = count === 1 ? name : `${name}(${subscripts(k, h.dims)})`
    for (const f of fields) at = child(at, `${prefix}.${f}`)
  }
  return out
}

/**
 * Copy as code: loadmat's indexing of an array listed by its MATLAB path, from the name as a Python literal —
 * `'c{1,2}.x'` → `['c'][0, 1][0, 0]['x']` (a field of a 1×1 struct is at [0, 0]: loadmat's structs are 2-D).
 */
export function loadmatIndex(literal: string): string {
  const raw = /^'([^'\\]*)'$/.exec(literal)?.[1]
  const m = raw === undefined ? null : /^([^.{(]+)((?:\{[\d,]+\}|\([\d,]+\)|\.[^.{(]+)+)$/.exec(raw)
  if (!m) return `[${literal}]`
  const zero = (subs: string): string =>
    `[${subs
      .split(',')
      .map((s) => Number(s) - 1)
      .join(', ')}]`
  let out = `['${m[1]}']`
  let indexed = false
  for (const [t] of m[2]!.matchAll(/\{[\d,]+\}|\([\d,]+\)|\.[^.{(]+/g)) {
    if (t.startsWith('.')) {
      out += `${indexed ? '' : '[0, 0]'}['${t.slice(1)}']`
      indexed = false
    } else {
      out += zero(t.slice(1, -1))
      indexed = t.startsWith('(')
    }
  }
  return out
}
