// How a TIFF series that is not one uncompressed run in the file is read: its strips or tiles are the chunks of a
// grid over (pages, …page shape), each decoded (inflate, LZW, packbits; predictor undone) into the chunk grid's
// temporary copy by src/main/service/tiff-fill.ts. The copy holds the values in the file's byte order.

export interface TiffChunks {
  /** The copy's dims: (pages, …a page's shape as tifffile gives it). The entry's shape is a reshape of it. */
  dims: number[]
  /** A chunk's dims: (1, …a strip's or a tile's shape inside the page). */
  chunks: number[]
  /** TIFF's compression code (1 none, 5 LZW, 8 / 32946 deflate, 32773 packbits, 50000 zstd) and its name. */
  compression: number
  codec: string
  /** 1 none, 2 horizontal differencing, 3 floating point. */
  predictor: number
  littleEndian: boolean
  /** Bytes of one sample. */
  itemsize: number
  /** Samples interleaved in a chunk's rows (the predictor's distance): samples per pixel, or 1 when planar. */
  samples: number
  /** Pixels in one row of a chunk. */
  width: number
  /** Each chunk's first byte and its stored bytes, in C order of the grid (pages, then the page's own grid). */
  offsets: number[]
  counts: number[]
}
