// HDF5 (and NetCDF-4 and MATLAB v7.3, which are HDF5): the superblock (versions 0–3), the group tree (old-style
// symbol tables, new-style compact and dense links), every dataset with its attributes. Contiguous and compact
// datasets are mapped where their bytes are (the data address of the layout message, plus the base address —
// what h5py's dset.id.get_offset() returns); chunked or filtered ones are read through the HDF5 library (h5wasm)
// on the Node side; soft links to datasets open their target, external links and virtual datasets are listed
// with what they point to.
import type { JsonValue } from '../../json-value'
import {
  ContainerError,
  elementCount,
  type Container,
  type ContainerEntry,
  defineFormat,
  type ParseContext
} from '../model'
import { float32Shown } from '../metadata'
import { cfScaling } from './cf-scaling'
import { decodeValues, parseDatatype, type H5Type } from './datatype'
import { HDF5_FORMATS } from './formats'
import { btree2Records, FractalHeap, GlobalHeap, LocalHeap, symbolTable } from './heaps'
import {
  parseAttribute,
  parseDataspace,
  parseDenseInfo,
  parseExternal,
  parseFillValue,
  parseFilters,
  parseLayout,
  parseLink,
  readObjectHeader,
  type Link,
  type Message
} from './objects'
import { badLinkName } from './link-names'
import { Cursor, H5File } from './reader'

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]
const MAX_OBJECTS = 1_000_000
const MAX_DEPTH = 256
/** Filters the HDF5 library built into h5wasm applies (others need plugins it does not have). */
const READABLE_FILTERS = new Set(['gzip', 'shuffle', 'fletcher32', 'nbit', 'scaleoffset'])

function hasSignature(b: Uint8Array, at = 0): boolean {
  return SIGNATURE.every((x, k) => b[at + k] === x)
}

function isMat73(head: Uint8Array): boolean {
  return String.fromCharCode(...head.subarray(0, 10)) === 'MATLAB 7.3'
}

export const hdf5 = defineFormat({
  format: 'hdf5',
  formats: HDF5_FORMATS,
  detect: (head) => hasSignature(head) || isMat73(head),
  parse: (ctx) => parseHdf5(ctx)
})

function superblockAt(ctx: ParseContext): number {
  // at 0, or after a user block of 512, 1024, 2048 … bytes (MATLAB v7.3 files have 512)
  for (let at = 0; at + 8 <= ctx.size; at = at ? at * 2 : 512) {
    if (hasSignature(ctx.read(at, 8))) return at
  }
  throw new ContainerError('no HDF5 superblock (signature \\x89HDF) at byte 0, 512, 1024, …: the file is not HDF5')
}

interface Walk {
  f: H5File
  heap: GlobalHeap
  entries: ContainerEntry[]
  groups: Record<string, JsonValue>
  seen: Map<number, string>
  softLinks: { name: string; target: string; group: string }[]
  /** Links whose names are not paths (listed last, so that a real path of the same spelling is found first). */
  badLinks: { name: string; group: string; link: string; reason: string }[]
  objects: number
  mat: boolean
}

function parseHdf5(ctx: ParseContext): Container<'hdf5' | 'netcdf4' | 'mat73'> {
  const sbAt = superblockAt(ctx)
  const head = ctx.read(sbAt, 8 + 8)
  if (head.length < 16) throw new ContainerError('the HDF5 superblock is truncated')
  const version = head[8]!
  let f: H5File
  let root: number
  if (version === 0 || version === 1) {
    const soo = head[13]!
    const sol = head[14]!
    checkSizes(soo, sol)
    const fixed = 24 + (version === 1 ? 4 : 0)
    const probe = new H5File(ctx.read, ctx.size, soo, sol, sbAt)
    const c = probe.at(0, fixed + 4 * soo + 2 * soo + 8 + 16, 'the HDF5 superblock')
    c.pos = fixed
    const base = c.addr()
    c.addr()
    c.addr()
    c.addr()
    // the root group's symbol table entry: link name offset, object header address
    c.addr()
    root = c.addr()
    f = new H5File(ctx.read, ctx.size, soo, sol, Number.isFinite(base) ? base : sbAt)
  } else if (version === 2 || version === 3) {
    const soo = head[9]!
    const sol = head[10]!
    checkSizes(soo, sol)
    const probe = new H5File(ctx.read, ctx.size, soo, sol, sbAt)
    const c = probe.at(0, 12 + 4 * soo + 4, 'the HDF5 superblock')
    c.pos = 12
    const base = c.addr()
    c.addr()
    c.addr()
    root = c.addr()
    f = new H5File(ctx.read, ctx.size, soo, sol, Number.isFinite(base) ? base : sbAt)
  } else {
    throw new ContainerError(`HDF5 superblock version ${version} is unknown (0–3 are read)`)
  }
  if (f.base > ctx.size) throw new ContainerError(`the HDF5 base address ${f.base} lies past the end of the file`)
  const mat = isMat73(ctx.read(0, 10))
  const w: Walk = {
    f,
    heap: new GlobalHeap(f),
    entries: [],
    groups: {},
    seen: new Map(),
    softLinks: [],
    badLinks: [],
    objects: 0,
    mat
  }
  visitGroup(w, root, '/', 0)
  resolveSoftLinks(w)
  for (const b of w.badLinks) {
    w.entries.push({
      ...listed(
        b.name,
        `a link that is not a path: ${b.reason}`,
        'the file is damaged or crafted: recreate it with distinct link names without "/"'
      ),
      path: [...pathOf(b.group), b.link]
    })
  }
  const rootAttrs = w.groups['/'] as Record<string, JsonValue> | undefined
  const netcdf = !mat && rootAttrs !== undefined && '_NCProperties' in rootAttrs
  const format = mat ? 'mat73' : netcdf ? 'netcdf4' : 'hdf5'
  // netCDF4-python (and xarray) show CF-packed variables scaled by default; h5py never scales: follow each
  if (netcdf) for (const e of w.entries) if (e.scaling) e.scaling = { ...e.scaling, initial: 'scaled' }
  if (mat || netcdf) {
    // MATLAB and NetCDF name variables without the leading slash; the HDF5 path is accepted too
    for (const e of w.entries) {
      const h5 = e.name
      e.name = h5.slice(1)
      e.aliases = [...(e.aliases ?? []), h5]
    }
  }
  if (mat) {
    // MATLAB writes column-major arrays as HDF5 datasets with the dims reversed: the MATLAB shape, order F
    for (const e of w.entries) {
      if (e.shape.length > 1 && !e.strides) {
        e.shape = [...e.shape].reverse()
        e.order = 'F'
      }
    }
    w.entries = w.entries.filter((e) => !e.name.startsWith('#refs#') && !e.name.startsWith('#subsystem#'))
  }
  if (netcdf) {
    // dimensions that are not variables hold no values of their own
    w.entries = w.entries.filter((e) => {
      const n = e.metadata?.NAME
      return !(typeof n === 'string' && n.startsWith('This is a netCDF dimension but not a netCDF variable'))
    })
  }
  return {
    format,
    metadata: {
      superblock: version,
      ...(f.base ? { userBlock: f.base } : {}),
      groups: w.groups
    },
    entries: w.entries
  }
}

function checkSizes(soo: number, sol: number): void {
  if (![2, 4, 8].includes(soo) || ![2, 4, 8].includes(sol)) {
    throw new ContainerError(
      `the HDF5 superblock gives sizes of offsets ${soo} and lengths ${sol} (2, 4 or 8 expected)`
    )
  }
}

function joinPath(group: string, name: string): string {
  return group === '/' ? `/${name}` : `${group}/${name}`
}

function pathOf(name: string): string[] {
  return name.split('/').filter((s) => s !== '')
}

function attributes(
  w: Walk,
  messages: Message[],
  what: string,
  types?: Record<string, H5Type>
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {}
  const add = (body: Message['body']): void => {
    try {
      const a = parseAttribute(body)
      out[a.name] = a.shared ? '(a shared datatype: not shown)' : attributeValue(w, a, types)
    } catch (e) {
      if (!(e instanceof ContainerError)) throw e
      out[`(unreadable attribute)`] = e.message
    }
  }
  for (const m of messages) {
    if (m.type === 0x0c) add(m.body)
    if (m.type === 0x15) {
      const { heap, nameIndex } = parseDenseInfo(m.body, true)
      if (!Number.isFinite(heap) || !Number.isFinite(nameIndex)) continue
      const fh = new FractalHeap(w.f, heap, `${what}'s attributes`)
      for (const rec of btree2Records(w.f, nameIndex, `${what}'s attribute index`, 100_000)) {
        const obj = fh.object(rec.subarray(0, 8))
        add(new Cursor(obj, w.f, -1, `${what}'s attribute`))
      }
    }
  }
  return out
}

/** Float32 attributes as float32 prints them (1e-05); others as they are. */
function float32Attributes(meta: Record<string, JsonValue>, types: Record<string, H5Type>): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, types[k]?.float === 'f4' ? float32Shown(v) : v]))
}

/** A group's attributes for people. */
function shownAttributes(w: Walk, messages: Message[], what: string): Record<string, JsonValue> {
  const types: Record<string, H5Type> = {}
  return float32Attributes(attributes(w, messages, what, types), types)
}

function attributeValue(w: Walk, a: ReturnType<typeof parseAttribute>, types?: Record<string, H5Type>): JsonValue {
  const t = parseDatatype(a.datatype)
  if (types) types[a.name] = t
  const space = parseDataspace(a.dataspace)
  if (!space.dims) return null
  const count = space.dims.reduce((x, y) => x * y, 1)
  const need = Math.min(count, 4096) * t.size
  if (need > a.data.left) return `(attribute data truncated: ${a.data.left} of ${need} bytes)`
  const values = decodeValues(
    t,
    a.data.bytes.subarray(a.data.pos),
    count,
    (c, i) => w.heap.object(c, i),
    w.f.sizeOfOffsets
  )
  return space.dims.length === 0 ? (values[0] ?? null) : values
}

function visitGroup(w: Walk, address: number, path: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new ContainerError(`groups nested more than ${MAX_DEPTH} deep at ${path}`)
  const header = readObjectHeader(w.f, address, `group ${path}`)
  w.groups[path] = shownAttributes(w, header.messages, `group ${path}`)
  const links: Link[] = []
  for (const m of header.messages) {
    if (m.type === 0x11) {
      const btree = m.body.addr()
      const heap = m.body.addr()
      for (const s of symbolTable(w.f, btree, heap, `group ${path}`, MAX_OBJECTS)) {
        // an old-style soft link: the link value is in the group's local heap (cache type 2)
        if (s.soft !== undefined) links.push({ kind: 'soft', name: s.name, target: s.soft })
        else links.push({ kind: 'hard', name: s.name, address: s.header })
      }
    } else if (m.type === 0x06) {
      links.push(parseLink(m.body))
    } else if (m.type === 0x02) {
      const { heap, nameIndex } = parseDenseInfo(m.body, false)
      if (!Number.isFinite(heap) || !Number.isFinite(nameIndex)) continue
      const fh = new FractalHeap(w.f, heap, `group ${path}`)
      for (const rec of btree2Records(w.f, nameIndex, `group ${path}'s link index`, MAX_OBJECTS)) {
        const obj = fh.object(rec.subarray(4, 11))
        links.push(parseLink(new Cursor(obj, w.f, -1, `group ${path}'s link`)))
      }
    }
  }
  links.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const counts = new Map<string, number>()
  for (const link of links) counts.set(link.name, (counts.get(link.name) ?? 0) + 1)
  for (const link of links) {
    if (++w.objects > MAX_OBJECTS) throw new ContainerError(`the file holds more than ${MAX_OBJECTS} objects`)
    const name = joinPath(path, link.name)
    // the HDF5 library resolves a path name by name: a link name it would read as something else (a "/" walks
    // into another group, "." is the group itself) or that two links share is no path to what the parser found
    const bad = badLinkName(link.name, counts.get(link.name)!)
    if (bad) {
      if (!w.badLinks.some((b) => b.name === name)) w.badLinks.push({ name, group: path, link: link.name, reason: bad })
      continue
    }
    if (link.kind === 'hard') {
      const first = w.seen.get(link.address)
      if (first !== undefined) {
        // a second hard link to an object already listed: the same array under another name
        const e = w.entries.find((x) => x.name === first)
        if (e) e.aliases = [...(e.aliases ?? []), name]
        continue
      }
      w.seen.set(link.address, name)
      visitObject(w, link.address, name, depth + 1)
    } else if (link.kind === 'soft') {
      w.softLinks.push({ name, target: link.target, group: path })
    } else if (link.kind === 'external') {
      w.entries.push(
        listed(name, `an external link to ${link.file}:${link.target}`, `open ${link.file} with --array ${link.target}`)
      )
    }
  }
}

function listed(name: string, reason: string, remedy: string): ContainerEntry {
  return {
    name,
    path: pathOf(name),
    dtype: '|u1',
    shape: [],
    order: 'C',
    offset: 0,
    nbytes: 0,
    storedType: 'link',
    unmappable: { reason, remedy }
  }
}

function visitObject(w: Walk, address: number, name: string, depth: number): void {
  const header = readObjectHeader(w.f, address, name)
  const types = new Set(header.messages.map((m) => m.type))
  if (types.has(0x11) || types.has(0x02) || types.has(0x06)) return visitGroup(w, address, name, depth)
  if (!types.has(0x08)) {
    // a group with no links yet (new style, empty) or a committed datatype
    if (!types.has(0x03)) w.groups[name] = shownAttributes(w, header.messages, name)
    return
  }
  w.entries.push(dataset(w, header.messages, name, header.version))
}

function messageOf(messages: Message[], type: number): Message | undefined {
  return messages.find((m) => m.type === type)
}

/** The datatype message, following a shared (committed) datatype to its object header. */
function datatypeOf(w: Walk, messages: Message[], name: string): H5Type {
  const m = messageOf(messages, 0x03)
  if (!m) throw new ContainerError(`dataset ${name} has no datatype message`)
  if (m.flags & 0x02) {
    const c = m.body
    const version = c.u8()
    const type = c.u8()
    if (version === 1) c.skip(6)
    if (version >= 3 && type !== 2) {
      return {
        cls: -1,
        size: 0,
        name: 'a shared datatype',
        littleEndian: true,
        signed: false,
        unmappable: 'its datatype is in the shared message heap, not read here'
      }
    }
    const address = c.addr()
    const committed = readObjectHeader(w.f, address, `${name}'s committed datatype`)
    const dm = messageOf(committed.messages, 0x03)
    if (!dm) throw new ContainerError(`${name}'s committed datatype has no datatype message`)
    return parseDatatype(dm.body)
  }
  return parseDatatype(m.body)
}

function dataset(w: Walk, messages: Message[], name: string, headerVersion: number): ContainerEntry {
  const attrTypes: Record<string, H5Type> = {}
  const metadata = attributes(w, messages, name, attrTypes)
  // what people see: float32 attributes with their own digits; scaling below reads the exact values
  const shown = float32Attributes(metadata, attrTypes)
  const space = messageOf(messages, 0x01)
  const dims = space ? parseDataspace(space.body).dims : null
  const type = datatypeOf(w, messages, name)
  const layout = parseLayout(messageOf(messages, 0x08)!.body, dims?.length ?? 0)
  const filterMsg = messageOf(messages, 0x0b)
  const filters = filterMsg ? parseFilters(filterMsg.body) : []
  const base: ContainerEntry = {
    name,
    path: pathOf(name),
    dtype: '|u1',
    shape: dims ?? [],
    order: 'C',
    offset: 0,
    nbytes: 0,
    storedType: type.name,
    ...(Object.keys(shown).length ? { metadata: shown } : {})
  }
  const unmappable = (reason: string, remedy: string): ContainerEntry => ({ ...base, unmappable: { reason, remedy } })
  if (!dims) return unmappable('its dataspace is null (it holds no elements)', 'its attributes are its only content')
  let shape = dims
  let descr = type.descr
  if (type.cls === 10 && type.base?.descr && type.dims) {
    shape = [...dims, ...type.dims]
    descr = type.base.descr
  }
  if (!descr || type.unmappable) {
    return unmappable(
      `its datatype (${type.name}) does not map to numbers: ${type.unmappable ?? 'unsupported'}`,
      'read it with h5py'
    )
  }
  const dtype = typeof descr === 'string' ? descr : JSON.stringify(descr)
  const itemsize = type.cls === 10 ? type.base!.size : type.size
  const count = elementCount(shape, () => `dataset ${name}`)
  const nbytes = count * itemsize
  const entry: ContainerEntry = { ...base, shape, dtype, nbytes }
  const scaling = cfScaling(metadata, attrTypes, dtype)
  if (scaling) entry.scaling = scaling
  if (layout.kind === 'virtual') {
    return unmappable(
      'it is a virtual dataset: its values come from other datasets (and files)',
      'open its source datasets'
    )
  }
  const external = messageOf(messages, 0x07)
  if (external && layout.kind !== 'contiguous') {
    // the library reads through an external file list whatever the layout says: never through the library
    return unmappable(
      `it has an external file list beside its ${layout.kind} layout (the HDF5 library would read files named there)`,
      'the file is damaged or crafted: recreate the dataset'
    )
  }
  if (external && layout.kind === 'contiguous') {
    const { heap, slots } = parseExternal(external.body)
    const names = LocalHeap.read(w.f, heap, `${name}'s external file list`)
    const files = slots.map((s) => ({ ...s, file: names.name(s.name) }))
    const list = files.map((s) => `${s.file} at byte ${s.offset}`).join(', ')
    if (files.length === 1 && (files[0]!.size < 0 || files[0]!.size >= nbytes)) {
      return { ...entry, file: files[0]!.file, offset: files[0]!.offset, metadata: { ...shown, externalFile: list } }
    }
    return unmappable(`its data is in external files: ${list}`, 'open each file with a layout')
  }
  if (layout.kind === 'compact') {
    if (layout.size < nbytes)
      throw new ContainerError(
        `dataset ${name}: its compact data holds ${layout.size} bytes, its shape needs ${nbytes}`
      )
    return {
      ...entry,
      offset: layout.offset,
      storedType: `${type.name}, compact`,
      ...(headerVersion === 2
        ? {
            refuseInPlace:
              'its bytes lie inside its object header, whose checksum would no longer match (open it with mode c and export)'
          }
        : {})
    }
  }
  if (layout.kind === 'contiguous') {
    if (!Number.isFinite(layout.address)) {
      return unmappable(
        'no data was written (its storage is not allocated): every value is the fill value',
        'write data to it first'
      )
    }
    if (layout.size >= 0 && layout.size < nbytes) {
      throw new ContainerError(
        `dataset ${name}: its contiguous data holds ${layout.size} bytes, its shape needs ${nbytes}`
      )
    }
    const offset = w.f.base + layout.address
    if (offset + nbytes > w.f.size) {
      throw new ContainerError(
        `dataset ${name} needs bytes [${offset}, ${offset + nbytes}), past the end of the file (${w.f.size}): it is truncated`
      )
    }
    return { ...entry, offset }
  }
  // chunked (and maybe filtered): through the HDF5 library
  const unreadable = filters.filter((x) => !READABLE_FILTERS.has(x))
  if (unreadable.length) {
    return unmappable(
      `it is chunked and compressed with ${unreadable.join(', ')}, which the HDF5 library here cannot decode`,
      'read it with h5py (and the filter plugin)'
    )
  }
  const fill = fillValue(messages, type.size)
  if (typeof fill === 'string') return unmappable(fill, 'read it with h5py')
  return {
    ...entry,
    storedType: `${type.name}, chunked ${layout.chunks.join('×')}${filters.length ? ` + ${filters.join(' + ')}` : ''}`,
    hdf5: {
      path: name,
      dims,
      chunks: layout.chunks,
      filters,
      ...(Number.isFinite(layout.index) ? {} : { allocated: false }),
      ...(fill ? { fill } : {})
    }
  }
}

/** The fill value's bytes when they are not all zeros (an element's size of them), else undefined; a string: why not. */
function fillValue(messages: Message[], size: number): number[] | undefined | string {
  const m = messageOf(messages, 0x05) ?? messageOf(messages, 0x04)
  if (!m) return undefined
  const bytes = parseFillValue(m.body, m.type === 0x04)
  if (!bytes || bytes.every((b) => b === 0)) return undefined
  if (bytes.length !== size) return `its fill value has ${bytes.length} bytes, an element ${size}`
  return Array.from(bytes)
}

function resolveSoftLinks(w: Walk): void {
  for (const s of w.softLinks) {
    const target = s.target.startsWith('/') ? s.target : joinPath(s.group, s.target)
    const e = w.entries.find((x) => x.name === target || x.aliases?.includes(target))
    if (e && !e.unmappable) {
      w.entries.push({
        ...e,
        name: s.name,
        path: pathOf(s.name),
        aliases: [],
        metadata: { ...e.metadata, softLinkTo: target }
      })
    } else {
      w.entries.push(listed(s.name, `a soft link to ${s.target}${e ? '' : ' (a group, or nothing)'}`, `open ${target}`))
    }
  }
}
