// Zarr directory stores (v2 and v3): a folder, not a file. The Node side (containers.ts) hands a folder holding a
// zarr.json, .zmetadata, .zgroup or .zarray to detection as that metadata document (fileName is the document's
// name, head its first bytes), with ParseContext.store to read the store's other metadata documents by key. The
// arrays are found from consolidated metadata when the store has it, else by walking the groups' folders (never
// into an array's folder: its chunk files are not listed here). Each array is an entry read chunk by chunk into a
// temporary copy (src/main/service/zarr-fill.ts), like a chunked HDF5 dataset.
import type { JsonValue } from '../json-value'
import { ContainerError, defineFormat, elementCount, type Container, type ContainerEntry } from './model'
import { parseZarray, parseZarrJsonArray, type ZarrParsed } from './zarr-meta'
import { markMultiscales } from './zarr-ome'
import { isZarrZip, zipStore } from './zarr-zip'

/** The metadata documents that make a folder a Zarr store (the first found names it for detection). */
export const ZARR_MARKERS = ['zarr.json', '.zmetadata', '.zgroup', '.zarray'] as const

/** Arrays and groups listed at most (a walk of a hostile tree stops there). */
const MAX_NODES = 100_000

type Doc = Record<string, JsonValue>

function json(text: string, key: string): Doc {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (e) {
    throw new ContainerError(`${key} is not valid JSON (${(e as Error).message})`)
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ContainerError(`${key} is not a JSON object`)
  return v as Doc
}

/** A key segment that names a place inside the store: no '..', '.', empty, absolute or backslash parts. */
export function safeKey(key: string): boolean {
  if (key === '') return true
  if (key.startsWith('/') || key.includes('\\') || key.includes('\0')) return false
  return key.split('/').every((s) => s !== '' && s !== '.' && s !== '..')
}

function join(folder: string, name: string): string {
  return folder ? `${folder}/${name}` : name
}

export const zarr = defineFormat({
  format: 'zarr',
  formats: {
    zarr: {
      label: 'Zarr',
      description: 'a Zarr store (a folder, or a .zarr.zip archive)',
      singleArray: false,
      extensions: ['.zarr', '.zarr.zip'],
      reader: 'zarr',
      // a store whose root is the array opens as the array itself (its entry is named '/')
      recipe: (r) =>
        r.name === "'/'"
          ? `import zarr\na = zarr.open(${r.file}, mode="r")`
          : `import zarr\na = zarr.open(${r.file}, mode="r")[${r.name}]`
    }
  },
  detect(head, _size, fileName) {
    return ((ZARR_MARKERS as readonly string[]).includes(fileName) && head[0] === 0x7b) || isZarrZip(head, fileName)
  },
  parse(ctx): Container<'zarr'> {
    // a folder's store comes from the Node side; a .zarr.zip archive is read here
    const store = ctx.store ?? zipStore(ctx)
    const read = (key: string): Doc | null => {
      const t = store.text(key)
      return t === null ? null : json(t, key)
    }
    const entries: ContainerEntry[] = []
    const metadata: Record<string, JsonValue> = {}
    const add = (folder: string, parsed: ZarrParsed, attrs: Doc | null, version: 2 | 3): void => {
      const name = folder || '/'
      const shape = parsed.shape
      const itemsize = Number(parsed.dtype.slice(2)) || 1
      let count: number
      try {
        count = elementCount(shape, () => `array ${name}`)
      } catch (e) {
        broken(folder, (e as Error).message)
        return
      }
      const entry: ContainerEntry = {
        name,
        path: folder ? folder.split('/') : ['/'],
        dtype: parsed.dtype,
        shape,
        order: 'C',
        offset: 0,
        nbytes: count * itemsize,
        storedType: parsed.storedType,
        metadata: {
          zarr_format: version,
          ...(parsed.array ? { chunks: parsed.array.chunks, codecs: parsed.array.codecs } : {}),
          ...(attrs && Object.keys(attrs).length ? { attributes: attrs } : {})
        }
      }
      if (parsed.array) entry.zarr = parsed.array
      else entry.unmappable = parsed.unmappable
      entries.push(entry)
    }
    /** An array whose metadata is malformed: listed with the reason; the store's other arrays still open. */
    const broken = (folder: string, why: string): void => {
      entries.push({
        name: folder || '/',
        path: folder ? folder.split('/') : ['/'],
        dtype: '|u1',
        shape: [],
        order: 'C',
        offset: 0,
        nbytes: 0,
        storedType: '?',
        unmappable: {
          reason: `its metadata is malformed: ${why}`,
          remedy: 'rewrite its .zarray or zarr.json (zarr-python reads none of it either)'
        }
      })
    }
    const array = (folder: string, f: () => ZarrParsed): ZarrParsed | null => {
      try {
        return f()
      } catch (e) {
        broken(folder, (e as Error).message)
        return null
      }
    }
    /** A sub-folder's document; a malformed one lists the folder as broken (null). */
    const readIn = (folder: string, name: string): Doc | null => {
      try {
        return read(join(folder, name))
      } catch (e) {
        if (!(e instanceof ContainerError) || !folder) throw e
        broken(folder, e.message)
        return null
      }
    }
    const group = (folder: string, attrs: JsonValue | undefined): void => {
      if (attrs && typeof attrs === 'object' && Object.keys(attrs).length) metadata[folder || '/'] = attrs
    }
    const root = read('zarr.json')
    if (root) {
      // v3: consolidated metadata inside the root zarr.json when zarr-python wrote it, else a walk
      const consolidated = (root.consolidated_metadata as Doc | null)?.metadata as Doc | undefined
      const visit = (folder: string, doc: Doc): void => {
        if (doc.node_type === 'array') {
          const parsed = array(folder, () => parseZarrJsonArray(doc, folder))
          if (parsed) add(folder, parsed, doc.attributes as Doc, 3)
        } else group(folder, doc.attributes)
      }
      visit('', root)
      if (root.node_type === 'group' && consolidated) {
        for (const [key, doc] of Object.entries(consolidated)) {
          if (!safeKey(key)) throw new ContainerError(`its consolidated metadata names ${key}, outside the store`)
          visit(key, doc as Doc)
        }
      } else if (root.node_type === 'group') {
        walk('', (folder) => {
          const doc = readIn(folder, 'zarr.json')
          if (!doc) return false
          visit(folder, doc)
          return doc.node_type !== 'array'
        })
      }
      markMultiscales(metadata, entries)
      return { format: 'zarr', separator: '/', metadata: { zarr_format: 3, ...metadata }, entries }
    }
    const v2 = (folder: string, zarray: Doc | null, zgroup: Doc | null, zattrs: Doc | null): boolean => {
      if (zarray) {
        const parsed = array(folder, () => parseZarray(zarray, folder))
        if (parsed) add(folder, parsed, zattrs, 2)
      } else if (zgroup) group(folder, zattrs ?? undefined)
      return !zarray && Boolean(zgroup)
    }
    const zmeta = read('.zmetadata')
    const docs = zmeta?.metadata as Doc | undefined
    if (docs) {
      const folders = new Set<string>([''])
      for (const key of Object.keys(docs)) {
        if (!safeKey(key)) throw new ContainerError(`its .zmetadata names ${key}, outside the store`)
        const i = key.lastIndexOf('/')
        folders.add(i < 0 ? '' : key.slice(0, i))
      }
      const at = (folder: string, n: string): Doc | null => (docs[join(folder, n)] as Doc | undefined) ?? null
      for (const f of [...folders].sort()) v2(f, at(f, '.zarray'), at(f, '.zgroup'), at(f, '.zattrs'))
    } else {
      const node = (folder: string): boolean =>
        v2(folder, readIn(folder, '.zarray'), readIn(folder, '.zgroup'), readIn(folder, '.zattrs'))
      if (node('')) walk('', node)
    }
    markMultiscales(metadata, entries)
    return { format: 'zarr', separator: '/', metadata: { zarr_format: 2, ...metadata }, entries }

    /** Visits the sub-folders of a group, breadth first; visit says whether a folder is a group to go into. */
    function walk(start: string, visit: (folder: string) => boolean): void {
      const queue = [start]
      let nodes = 0
      while (queue.length) {
        const folder = queue.shift()!
        for (const name of store!.folders(folder)) {
          if (++nodes > MAX_NODES) throw new ContainerError(`the store has more than ${MAX_NODES} groups and arrays`)
          const child = join(folder, name)
          if (visit(child)) queue.push(child)
        }
      }
    }
  }
})
