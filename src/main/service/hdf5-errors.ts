// What an HDF5 library error says, in one line (its error stack names every function on the way).
import { ApiError } from '../../shared/contract'

/** The innermost cause of an HDF5 error stack ("H5Z_pipeline(): filter returned failure during read"). */
export function libraryError(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e)
  const causes = [...text.matchAll(/in (\w+)\(\): ([^\n]+)/g)].map((m) => m[2]!.trim())
  const cause = causes.at(-1) ?? text.split('\n')[0]!.trim()
  return /filter|pipeline|inflate|decompress/i.test(text)
    ? `${cause} (a chunk is damaged, or compressed in a way this library cannot decode)`
    : cause
}

/** A chunked dataset of a remote file that only the HDF5 library could decode: it cannot read a remote file. */
export function remoteLibraryRefusal(path: string): ApiError {
  return new ApiError(
    'layout',
    `${path} is stored with filters or a chunk index only the HDF5 library reads, which cannot read a remote file: download it to open this dataset`
  )
}
