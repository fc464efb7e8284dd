// The codecs of a source (array-source.ts): the steps from stored bytes to the values shown, the codecs a
// container entry's description names, and why values decoded by them open read-only.
import { describeScaling, scalingRatio } from '../../shared/containers'
import type { ContainerEntry, Decoding, InflateStream, Recode, Scaling } from '../../shared/containers'

/** One step from the stored bytes to the values, in the order they apply. */
export type Codec =
  /** A deflate stream (an .npz member, a MATLAB -v7 variable, a gzip file), undone into the decoded copy. */
  | { kind: 'inflate'; stream: InflateStream; what: string }
  /** MATLAB's complex parts combined, its chars written as numpy text, a sparse matrix dense, into the copy. */
  | { kind: 'recode'; recode: Recode['kind'] }
  /** A text file's values parsed into the copy (numpy.fromfile(sep=…), or rows as np.loadtxt reads them). */
  | { kind: 'parse-text'; sep: string; rows: boolean }
  /** The HDF5 filter pipeline (deflate, shuffle, fletcher32, …), undone into the chunk grid's copy. */
  | { kind: 'hdf5-filters'; filters: string[] }
  /** A Zarr array's codecs (bytes, gzip, zlib …), undone into the chunk grid's copy. */
  | { kind: 'zarr-codecs'; codecs: string[] }
  /** A TIFF series' strips or tiles (deflate, LZW, packbits, a predictor; or scattered), into the grid's copy. */
  | { kind: 'tiff-strips'; codec: string; predictor: number }
  /** A FITS compressed image's tiles (Rice, gzip, PLIO; quantized floats dequantized), into the grid's copy. */
  | { kind: 'fits-tiles'; codec: string }
  /** GGML blocks dequantized to float32 per window and per scan chunk. */
  | { kind: 'dequantize'; decoding: Decoding; offset: number; count: number }
  /** Stored numbers scaled to values (FITS BSCALE/BZERO, NIfTI scl_*, NetCDF scale_factor/add_offset). */
  | { kind: 'scale'; scaling: Scaling; ratio: number }

/** The codecs of a container's entry, in the order they apply (scaling: when the scaled values are asked for). */
export function entryCodecs(entry: ContainerEntry, scaling: Scaling | undefined): Codec[] {
  const codecs: Codec[] = []
  if (entry.via) codecs.push({ kind: 'inflate', stream: entry.via.stream, what: entry.via.what ?? 'member' })
  if (entry.recode) codecs.push({ kind: 'recode', recode: entry.recode.kind })
  if (entry.hdf5) codecs.push({ kind: 'hdf5-filters', filters: entry.hdf5.filters })
  if (entry.zarr) codecs.push({ kind: 'zarr-codecs', codecs: entry.zarr.codecs })
  if (entry.tiff) codecs.push({ kind: 'tiff-strips', codec: entry.tiff.codec, predictor: entry.tiff.predictor })
  if (entry.fitsTiles) codecs.push({ kind: 'fits-tiles', codec: entry.fitsTiles.codec })
  if (entry.decoding) {
    const count = entry.shape.reduce((a, b) => a * b, 1)
    codecs.push({ kind: 'dequantize', decoding: entry.decoding, offset: entry.offset, count })
  }
  if (scaling) codecs.push({ kind: 'scale', scaling, ratio: scalingRatio(scaling) })
  return codecs
}

const RECODED = {
  planes: 'its values are combined from the real and imaginary parts MATLAB stores apart',
  chars: "its text is MATLAB's characters written as numpy's text",
  sparse: 'its values are a MATLAB sparse matrix written out dense',
  triplets: 'its values are a MATLAB level 4 sparse matrix written out dense',
  varints: 'its values are decoded from the protobuf varints ONNX stores them as',
  minc: 'its values are the MINC image normalised to image-min/image-max as nibabel reads it, written',
  'ascii-table': "its numbers are parsed from a FITS ASCII table's text"
} as const

/** Why a codec's output cannot be edited (what editing would change instead, and what to do). */
function codecReason(c: Codec): string {
  switch (c.kind) {
    case 'inflate':
      return c.stream === 'raw'
        ? 'it is a temporary decompressed copy of a deflated .npz member: edits would never reach the archive; export it to edit a copy'
        : `it is a temporary decompressed copy of a ${c.stream}-compressed ${c.what}: edits would never reach the file; export it to edit a copy`
    case 'recode':
      return `${RECODED[c.recode]} into a temporary copy: edits would never reach the file; export it to edit a copy`
    case 'parse-text':
      return 'its values are parsed from text into a temporary copy (text values change length when edited): edits would never reach the text; export it to edit a copy'
    case 'hdf5-filters':
      return `its values are read from ${c.filters.length ? `${c.filters.join(' + ')}-filtered ` : ''}chunks into a temporary copy: edits would never reach the file; export it to edit a copy`
    case 'zarr-codecs':
      return `it is an array of a Zarr store, read chunk by chunk (${c.codecs.join(' → ')}) into a temporary copy: ArrayScope does not write Zarr stores yet; export it to edit a copy`
    case 'tiff-strips':
      return `its values are read from ${c.codec === 'none' ? 'uncompressed ' : `${c.codec}-compressed `}strips or tiles into a temporary copy: edits would never reach the file; export it to edit a copy`
    case 'fits-tiles':
      return `its values are read from ${c.codec}-compressed FITS tiles into a temporary copy: edits would never reach the file; export it to edit a copy`
    case 'dequantize':
      return `its bytes are ${c.decoding.quant} blocks, not the values (shown dequantized to float32): export it as .npy to edit a copy`
    case 'scale':
      return `the values shown are scaled from the stored numbers (${describeScaling(c.scaling)}): switch to the stored values to edit those`
    default:
      return assertNever(c)
  }
}

/** Why values decoded by these codecs open read-only: the last (outermost) codec's reason; none for stored bytes. */
export function readOnlyReason(codecs: readonly Codec[]): string | undefined {
  const last = codecs.at(-1)
  return last && codecReason(last)
}

function assertNever(x: never): never {
  throw new Error(`unexpected codec ${JSON.stringify(x)}`)
}
