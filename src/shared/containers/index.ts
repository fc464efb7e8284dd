// The container formats, detected from the file's first bytes (never the extension alone), and the tree the
// app's sidebar shows: names split into folders, filtered, listed a folder at a time (100,000 tensors stay fast).
import type { JsonValue } from '../json-value'
import { entryPath, shortened, type Container as ModelContainer, type ContainerEntry, type ParseContext } from './model'
import { FORMATS, type ContainerFormat, type RegisteredFormatModule } from './registry'

export * from './model'
export * from './registry'
export * from './scaling'
export * from './metadata'

/** A parsed container of one of the registry's formats (shadows model.ts's generic one). */
export type Container = ModelContainer<ContainerFormat>

/** How many bytes detect() looks at (NIfTI-1's magic is at byte 344). */
export const DETECT_BYTES = 512

export function detectFormat(head: Uint8Array, size: number, fileName: string): RegisteredFormatModule | null {
  return FORMATS.find((f) => f.detect(head, size, fileName)) ?? null
}

/** Parses a container, or returns null when the file is none of the formats. */
export function parseContainer(ctx: ParseContext): Container | null {
  const f = detectFormat(ctx.read(0, Math.min(ctx.size, DETECT_BYTES)), ctx.size, ctx.fileName)
  return f ? f.parse(ctx) : null
}

/** What the sidebar lists of one entry. */
export interface EntrySummary {
  name: string
  label: string
  dtype: string
  shape: number[]
  nbytes: number
  storedType: string
  decoding?: string
  compressed?: boolean
  unmappable?: string
  /** Scaled values: their dtype, and whether they are what opens first. */
  scaled?: { dtype: string; initial: 'scaled' | 'stored'; source: string }
  /** A chunked HDF5 dataset or Zarr array (read chunk by chunk into a temporary copy). */
  chunked?: boolean
  /** The array's own metadata (attributes, header cards), shortened. */
  metadata?: Record<string, JsonValue>
}

export interface FolderListing {
  /** The folder listed (path segments); [] is the root. */
  folder: string[]
  folders: { name: string; count: number; nbytes: number }[]
  entries: EntrySummary[]
  /** Entries (with a filter: matches) not listed past the limit. */
  more: number
  /** Entries in the whole container, and matching the filter. */
  total: number
  matching: number
}

export function summary(e: ContainerEntry, label: string): EntrySummary {
  return {
    name: e.name,
    label,
    dtype: e.dtype,
    shape: e.shape,
    nbytes: e.nbytes,
    storedType: e.storedType,
    ...(e.decoding ? { decoding: e.decoding.quant } : {}),
    ...(e.via ? { compressed: true } : {}),
    ...(e.unmappable ? { unmappable: e.unmappable.reason } : {}),
    ...(e.scaling ? { scaled: { dtype: e.scaling.dtype, initial: e.scaling.initial, source: e.scaling.source } } : {}),
    ...(e.hdf5 || e.zarr || e.tiff || e.fitsTiles ? { chunked: true } : {}),
    ...(e.metadata ? { metadata: shortened(e.metadata, 16, 512) as Record<string, JsonValue> } : {})
  }
}

/** A FITS HDU's label names its EXTNAME beside its number ("1 · SCI"), as astropy's info() does. */
function labelled(c: Container, e: ContainerEntry, label: string): string {
  if (c.format !== 'fits') return label
  const extname = e.aliases?.find((a) => !a.includes(','))
  return extname ? `${label} · ${extname}` : label
}

const NATURAL = new Intl.Collator('en', { numeric: true })
const sortedCache = new WeakMap<Container, readonly ContainerEntry[]>()

/**
 * The container's entries in natural order of their names (layer 2 before layer 10), whatever order the file (or
 * a checkpoint's shards) holds them in; sorted once per parsed container.
 */
function naturalOrder(c: Container): readonly ContainerEntry[] {
  let sorted = sortedCache.get(c)
  if (!sorted) {
    sorted = [...c.entries].sort((a, b) => NATURAL.compare(a.name, b.name))
    sortedCache.set(c, sorted)
  }
  return sorted
}

/**
 * One folder of the tree: its sub-folders (with how many arrays they hold) and its arrays. With a filter (a
 * case-insensitive substring of the name), the matching arrays anywhere, flat, labelled by their full name.
 */
export function listFolder(c: Container, folder: readonly string[] = [], filter = '', limit = 2000): FolderListing {
  const total = c.entries.length
  const f = filter.trim().toLowerCase()
  if (f) {
    // another name --array takes (a FITS EXTNAME, an HDF5 path's other spelling) matches too
    const hits = naturalOrder(c).filter(
      (e) => e.name.toLowerCase().includes(f) || e.aliases?.some((a) => a.toLowerCase().includes(f))
    )
    return {
      folder: [],
      folders: [],
      entries: hits.slice(0, limit).map((e) => summary(e, labelled(c, e, e.name))),
      more: Math.max(0, hits.length - limit),
      total,
      matching: hits.length
    }
  }
  const depth = folder.length
  const folders = new Map<string, { count: number; nbytes: number }>()
  const entries: EntrySummary[] = []
  let more = 0
  let matching = 0
  const add = (child: string | null, label: string, e: ContainerEntry): void => {
    matching++
    if (child === null) {
      if (entries.length < limit) entries.push(summary(e, labelled(c, e, label)))
      else more++
      return
    }
    const g = folders.get(child)
    if (g) {
      g.count++
      g.nbytes += e.nbytes
    } else folders.set(child, { count: 1, nbytes: e.nbytes })
  }
  const sep = c.separator
  // names split by the separator are compared as prefixes, never split into arrays (100,000 names)
  const prefix = sep && depth ? folder.join(sep) + sep : ''
  for (const e of naturalOrder(c)) {
    if (e.path || !sep) {
      const path = entryPath(c, e)
      if (path.length <= depth) continue
      let inside = true
      for (let k = 0; k < depth && inside; k++) inside = path[k] === folder[k]
      if (inside) add(path.length === depth + 1 ? null : path[depth]!, path[path.length - 1]!, e)
      continue
    }
    if (prefix && !e.name.startsWith(prefix)) continue
    const i = e.name.indexOf(sep, prefix.length)
    if (i < 0) add(null, e.name.slice(prefix.length), e)
    else add(e.name.slice(prefix.length, i), '', e)
  }
  const byName = (a: string, b: string): number => NATURAL.compare(a, b)
  return {
    folder: [...folder],
    folders: [...folders].map(([name, g]) => ({ name, ...g })).sort((a, b) => byName(a.name, b.name)),
    entries,
    more,
    total,
    matching
  }
}

/** The entry --array names; the error lists near names when there is none. */
export function findEntry(c: Container, name: string): ContainerEntry | undefined {
  const hit = c.entries.find((e) => e.name === name) ?? c.entries.find((e) => e.aliases?.includes(name))
  // an HDF5 path without its leading slash (h5py's f['a/b'] and f['/a/b'] are the same dataset)
  if (!hit && c.format === 'hdf5' && !name.startsWith('/')) return findEntry(c, `/${name}`)
  return hit
}
