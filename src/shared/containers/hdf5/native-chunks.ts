// What the native decoder of a chunked HDF5 dataset needs to find its chunks (chunk-index.ts reads them, the
// Node side's hdf5-native-fill.ts decodes them). A module of its own, importing nothing: the container model
// (model.ts) describes entries with it, and chunk-index.ts, which imports the model, reads it.

/** Where a dataset's chunk index is and what the native decoder needs (structured-clonable: part of an entry). */
export interface NativeChunks {
  index:
    | { kind: 'btree1'; address: number }
    | { kind: 'single'; address: number; size: number; mask: number; filtered: boolean }
    | { kind: 'implicit'; address: number }
    | { kind: 'fixed'; address: number }
    | { kind: 'extensible'; address: number }
    | { kind: 'btree2'; address: number }
  /** The filter pipeline in write order (applied in reverse when reading). */
  pipeline: { id: number; cd: number[] }[]
  sizeOfOffsets: number
  sizeOfLengths: number
  /** The superblock's base address (chunk addresses are relative to it). */
  base: number
  /** Bytes of one element as stored. */
  elementSize: number
  /**
   * The dataspace's maximum dims when they exceed the dims (h5py's maxshape): fixed arrays and implicit indexes
   * number chunks over the maximum extent's grid.
   */
  maxDims?: number[]
}
