// How a FITS tile-compressed image is laid out (parsed by fits-tiles.ts, decoded by src/main/service/fits-fill.ts),
// and an ASCII table's fields (fits-ascii.ts): the container model describes entries with them, so this module
// imports nothing.

/** A field of a FITS ASCII table (TBCOLn, TFORMn), parsed into the copy as astropy parses it. */
export interface AsciiField {
  /** Byte of the field in its row (0-based) and its width. */
  at: number
  width: number
  /** A, I, F, E or D (J: astropy's 64-bit integers). */
  code: string
  /** The numpy dtype of its values in the copy. */
  dtype: string
  /** TNULLn as astropy compares it (stripped, cut to the width), '' without the card. */
  null: string
}

export type FitsQuantize = 'NO_DITHER' | 'SUBTRACTIVE_DITHER_1' | 'SUBTRACTIVE_DITHER_2'

export interface FitsTiles {
  /** The image's shape in numpy's order (ZNAXISn reversed) and a tile's (ZTILEn reversed). */
  dims: number[]
  chunks: number[]
  zbitpix: number
  /** ZCMPTYPE: RICE_1, GZIP_1, GZIP_2, PLIO_1, NOCOMPRESS (also RICE_ONE). */
  codec: string
  /** Rice: pixels a block (ZVAL BLOCKSIZE) and bytes a pixel (BYTEPIX). */
  blocksize: number
  bytepix: number
  /** Each tile's bytes in the file (absolute) and their count, in C order of the grid. */
  offsets: number[]
  counts: number[]
  /** How each tile is stored: 0 compressed by codec, 1 gzip of the raw pixels, 2 the raw pixels. */
  stored: number[]
  /** HCOMPRESS_1 decoded with smoothing (ZVAL SMOOTH ≠ 0). */
  smooth?: boolean
  /** UNCOMPRESSED_DATA's element type (B, I, J, K, E or D) when the table has that column. */
  rawType?: string
  /** Floats stored as integers: each tile's ZSCALE/ZZERO, the dithering and the integer that means NaN. */
  quant?: { method: FitsQuantize; dither0: number; scale: number[]; zero: number[]; blank: (number | null)[] }
}
