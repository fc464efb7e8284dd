// Where a dataset's values are, by its layout: mapped in place (contiguous, compact, or one external file), decoded
// into a copy (chunked, maybe filtered, with its fill value: natively when chunk-index.ts allows, else by the HDF5
// library), or listed with why not (virtual, external
// file lists, unallocated storage, filters the library here lacks).
import type { JsonValue } from '../../json-value'
import { ContainerError, type ContainerEntry } from '../model'
import type { H5Type } from './datatype'
import { LocalHeap } from './heaps'
import { nativeChunks } from './chunk-index'
import { parseExternal, parseFillValue, type Layout, type Message, type PipelineFilter } from './objects'
import { messageOf, type Walk } from './walk'

/** Filters the HDF5 library built into h5wasm applies (others need plugins it does not have). */
const READABLE_FILTERS = new Set(['gzip', 'shuffle', 'fletcher32', 'nbit', 'scaleoffset'])

/** A dataset whose shape and dtype are known, to be placed where its bytes are. */
export interface Placing {
  w: Walk
  messages: Message[]
  name: string
  headerVersion: number
  type: H5Type
  dims: number[]
  layout: Layout
  filters: string[]
  /** The same filters with their ids and client data. */
  pipeline: PipelineFilter[]
  /** The dataspace's maximum dims (-1: unlimited), when it has them. */
  maxDims?: number[]
  /** The dataset's entry with shape, dtype, nbytes (and scaling), at offset 0. */
  entry: ContainerEntry
  /** The attributes as shown. */
  shown: Record<string, JsonValue>
  unmappable: (reason: string, remedy: string) => ContainerEntry
}

export function placeStorage(p: Placing): ContainerEntry {
  const { w, messages, name, headerVersion, type, dims, layout, filters, entry, shown, unmappable } = p
  const nbytes = entry.nbytes
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
  // deflate/shuffle/fletcher32 behind an index we read: decoded natively (src/main/service/hdf5-native-fill.ts)
  const native = Number.isFinite(layout.index)
    ? nativeChunks(w.f, layout, p.pipeline, type, dims, p.maxDims)
    : undefined
  return {
    ...entry,
    storedType: `${type.name}, chunked ${layout.chunks.join('×')}${filters.length ? ` + ${filters.join(' + ')}` : ''}`,
    hdf5: {
      path: name,
      dims,
      chunks: layout.chunks,
      filters,
      ...(Number.isFinite(layout.index) ? {} : { allocated: false }),
      ...(fill ? { fill } : {}),
      ...(native ? { native } : {})
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
