// What an HDF5 library error says, in one line (its error stack names every function on the way).
import fs from 'node:fs'
import { ApiError } from '../../shared/contract'
import type { RemoteBytes } from './chunk-filler'

/** The innermost cause of an HDF5 error stack ("H5Z_pipeline(): filter returned failure during read"). */
export function libraryError(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e)
  const causes = [...text.matchAll(/in (\w+)\(\): ([^\n]+)/g)].map((m) => m[2]!.trim())
  const cause = causes.at(-1) ?? text.split('\n')[0]!.trim()
  return /filter|pipeline|inflate|decompress/i.test(text)
    ? `${cause} (a chunk is damaged, or compressed in a way this library cannot decode)`
    : cause
}

/** The largest remote file fetched whole for the HDF5 library (which reads a local file: the object's copy). */
export const LIBRARY_REMOTE_MAX = 1 << 30

/**
 * A chunked dataset of a remote file that only the HDF5 library decodes (filters or a chunk index the native
 * decoder does not read): the library reads a file, so the object is fetched whole into its copy first — up to
 * LIBRARY_REMOTE_MAX; a larger one is refused saying so.
 */
export async function fetchForLibrary(copy: string, path: string, remote: RemoteBytes): Promise<void> {
  const size = fs.statSync(copy).size
  if (size > LIBRARY_REMOTE_MAX) {
    throw new ApiError(
      'layout',
      `${path} is stored with filters or a chunk index only the HDF5 library reads, which reads a whole local file: a remote file is fetched whole for it up to 1 GiB, this one is ${(size / 2 ** 30).toFixed(1)} GiB: download it to open this dataset`
    )
  }
  await remote.fetch(0, size)
}
