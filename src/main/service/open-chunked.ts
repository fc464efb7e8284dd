// The chunk grid of a container's array whose chunks are decoded into a temporary copy where something reads:
// an HDF5 chunked dataset (natively, or by the HDF5 library in its worker), a Zarr array (chunk objects of a
// folder, a .zarr.zip or a remote store, through the codec layer), a TIFF series read from strips or tiles, a FITS
// tile-compressed image.
// open.ts maps the copy like any file; this module knows which filler each container's entry takes.
import type { ContainerEntry } from '../../shared/containers'
import type { RemoteBytes } from './chunk-filler'
import { parseDType } from '../../shared/structured'
import { FitsTileFiller } from './fits-fill'
import { ChunkedDataset } from './hdf5-chunked'
import type { PathPolicy } from './path-policy'
import { mapRemote } from './remote-open'
import type { RemoteStore } from './remote-store'
import { TiffFiller } from './tiff-fill'
import { ZarrFiller } from './zarr-fill'
import { ZarrWatch, watchZarr } from './zarr-change'
import { arrayDocs, gridChunks, isZarrUrl, storeKeys } from './zarr-remote'

export interface ChunkGrid {
  chunked: ChunkedDataset
  /** A remote container the grid decodes from, held while the session is open (released with it). */
  held?: { store: RemoteStore; release: () => void }
}

/** Opens the entry's chunk grid; undefined for an entry whose bytes are mapped (or inflated whole) instead. */
export async function openChunkGrid(
  entry: ContainerEntry,
  path: string,
  name: string,
  remoteUrl: boolean,
  paths: PathPolicy
): Promise<ChunkGrid | undefined> {
  const dtype = parseDType(entry.dtype)
  // a remote container: its chunks' stored bytes are fetched into the object's copy, which the decoder reads
  const rc =
    remoteUrl && !isZarrUrl(path) && (entry.hdf5 || entry.tiff || entry.fitsTiles || entry.zarr)
      ? remoteBytes(path)
      : undefined
  try {
    const grid = await openGrid(entry, path, name, dtype, paths, rc)
    return grid && (rc ? { ...grid, held: rc.held } : grid)
  } catch (e) {
    rc?.held.release()
    throw e
  }
}

/** A remote container's copy and the fetches a filler makes before it reads it; held until the session closes. */
function remoteBytes(url: string): { file: string; remote: RemoteBytes; held: ChunkGrid['held'] & object } {
  const rc = mapRemote(url)
  rc.mapping.close()
  return {
    file: rc.store.file,
    remote: { fetch: (a, b) => rc.store.fillRange(a, b), ensure: (a, b) => rc.store.ensureRange(a, b) },
    held: { store: rc.store, release: rc.release }
  }
}

async function openGrid(
  entry: ContainerEntry,
  path: string,
  name: string,
  dtype: ReturnType<typeof parseDType>,
  paths: PathPolicy,
  rc: { file: string; remote: RemoteBytes } | undefined
): Promise<ChunkGrid | undefined> {
  // what the fillers read: the file, or a remote object's copy with its fetches
  const src = rc ? { file: rc.file, remote: rc.remote } : { file: path }
  if (entry.hdf5) {
    const hdf5 = entry.hdf5
    if (!rc) return { chunked: await ChunkedDataset.open(path, hdf5.path, hdf5.dims, hdf5.chunks, dtype, hdf5) }
    const chunked = await ChunkedDataset.open(rc.file, hdf5.path, hdf5.dims, hdf5.chunks, dtype, {
      ...hdf5,
      remote: rc.remote
    })
    return { chunked }
  }
  if (entry.zarr) {
    const array = entry.zarr
    // a 0-d array is one element in one chunk: a grid of [1] (the chunk grid tracks chunks along axes)
    const scalar = array.shape.length === 0
    const dims = scalar ? [1] : array.shape
    const grid = scalar ? [1] : gridChunks(path, array)
    // a remote store: its documents and the chunks read are asked again by the change check (zarr-change.ts)
    const watch = isZarrUrl(path) ? new ZarrWatch(arrayDocs(path, name), paths.remote.prefixes) : undefined
    const keys = (): ReturnType<typeof storeKeys> => storeKeys(path, paths, array, watch?.seen, rc)
    const chunked = await ChunkedDataset.open(path, name, dims, grid, dtype, {
      ...(array.fill ? { fill: array.fill } : {}),
      filler: (copy) => ZarrFiller.open({ dir: path, name, array, itemsize: dtype.itemsize, ...keys(), ...copy })
    })
    if (watch) watchZarr(chunked, watch)
    return { chunked }
  }
  if (entry.tiff) {
    const tiff = entry.tiff
    // strips or tiles decoded into a copy of dims (pages, …page): the entry's shape is a reshape of it
    const chunked = await ChunkedDataset.open(path, name, tiff.dims, tiff.chunks, dtype, {
      filler: (copy) => TiffFiller.open({ ...src, name, tiff, ...copy })
    })
    return { chunked }
  }
  if (entry.fitsTiles) {
    const tiles = entry.fitsTiles
    // a FITS compressed image's tiles decoded into a copy of the image, big-endian as FITS stores pixels
    const chunked = await ChunkedDataset.open(path, name, tiles.dims, tiles.chunks, dtype, {
      filler: (copy) => FitsTileFiller.open({ ...src, name, tiles, ...copy })
    })
    return { chunked }
  }
  return undefined
}
