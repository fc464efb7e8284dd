// The HDF5 library must read exactly the dataset the header parser vetted. The parser finds datasets by walking
// hard links and rejects names the library would resolve differently (link-names.ts); the library opens a path
// string, following soft and external links on the way. So before the first read, the path is checked through
// the library itself: every component a hard link (neither soft nor external), and the dataset it reaches has the
// parser's dims, chunk shape and element size (a chunked layout: never contiguous storage in an external file, nor
// virtual). h5wasm exposes no object address to compare with the parser's, so this is the identity check there
// is. Anything else is refused before a byte is read.
import { ApiError } from '../../shared/contract'
import { libraryError } from './hdf5-errors'

/** What the check needs of h5wasm's module (the names are h5wasm's). */
export interface H5Lookup {
  get_symbolic_link(fileId: bigint, path: string): string | null
  get_external_link(fileId: bigint, path: string): { filename?: string; obj_path?: string }
  get_dataset_metadata(
    fileId: bigint,
    path: string
  ): { shape: number[] | null; chunks: number[] | null; size: number; virtual_sources?: unknown[] }
}

export interface Vetted {
  dims: number[]
  chunks: number[]
  itemsize: number
}

/** Throws an ApiError unless the library resolves path through hard links to a dataset like `want`. */
export function vetLibraryPath(m: H5Lookup, fileId: bigint, path: string, want: Vetted): void {
  const refuse = (why: string): never => {
    throw new ApiError('layout', `${path} is not read through the HDF5 library: ${why}`)
  }
  if (!path.startsWith('/')) refuse('its path is not absolute')
  const parts = path.split('/').slice(1)
  if (!parts.length || parts.some((p) => p === '' || p === '.' || p === '..'))
    refuse('its path has an empty or "." part')
  let prefix = ''
  for (const part of parts) {
    prefix += `/${part}`
    let soft: string | null
    let external: { filename?: string }
    try {
      soft = m.get_symbolic_link(fileId, prefix)
      external = m.get_external_link(fileId, prefix)
    } catch (e) {
      return refuse(`the library cannot look up ${prefix} (${libraryError(e)})`)
    }
    if (soft !== null && soft !== undefined) refuse(`to the library, ${prefix} is a soft link to ${soft}`)
    if (external && typeof external.filename === 'string') {
      refuse(`to the library, ${prefix} is an external link to ${external.filename}`)
    }
  }
  let meta: ReturnType<H5Lookup['get_dataset_metadata']>
  try {
    meta = m.get_dataset_metadata(fileId, path)
  } catch (e) {
    return refuse(`the library cannot open it (${libraryError(e)})`)
  }
  const same = (a: number[] | null | undefined, b: number[]): boolean =>
    !!a && a.length === b.length && a.every((x, k) => Number(x) === b[k])
  if (meta.virtual_sources?.length) refuse('to the library it is a virtual dataset')
  if (!same(meta.chunks, want.chunks)) {
    refuse(
      `to the library its chunks are ${meta.chunks ? meta.chunks.join('×') : 'none (contiguous storage)'}, the header says ${want.chunks.join('×')}`
    )
  }
  if (!same(meta.shape, want.dims)) {
    refuse(`to the library its shape is (${meta.shape?.join(', ')}), the header says (${want.dims.join(', ')})`)
  }
  if (meta.size !== want.itemsize) {
    refuse(`to the library an element has ${meta.size} bytes, the header's dtype ${want.itemsize}`)
  }
}
