// What fills a chunk grid's temporary copy without the HDF5 library: HDF5's native decoder (hdf5-native-fill.ts)
// and a Zarr array's chunk reader (zarr-fill.ts). ChunkedDataset (hdf5-chunked.ts) keeps the bookkeeping.

/**
 * A remote container's bytes (remote-store.ts): a filler given one reads the object's sparse copy (its `file`),
 * after fetching the range a chunk's stored bytes take — awaited in fill, blocking in fillSync.
 */
export interface RemoteBytes {
  fetch(first: number, end: number): Promise<void>
  ensure(first: number, end: number): void
}

/** A decoder of chunks into the copy; each call returns the bytes it wrote (holes are not written). */
export interface ChunkFiller {
  fill(c: number[]): Promise<number>
  fillSync(c: number[]): number
  close(): void
  /** The grid indexes of the chunks stored (with a zero fill value the others are holes already). */
  allocatedChunks(): Iterable<number>
}
