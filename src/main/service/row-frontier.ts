// How far a chunk grid's C-order copy is complete for a fill, in bytes from its start: what a scan streaming
// beside the fill may read (stream-fill.ts). Imports nothing: the grid (hdf5-chunked.ts) and the streaming
// job both use it.

/**
 * The bytes of a C-order copy complete for a fill's chunks: the rows of chunks (first grid index) each chunk
 * belongs to, counted down as chunks land, and the first row still missing some.
 */
export class RowFrontier {
  private readonly left = new Map<number, number>()

  constructor(
    chunks: number[][],
    /** The box's first and last rows of chunks. */
    private row: number,
    private readonly lastRow: number,
    /** Bytes of the copy per row of chunks (chunk rows × the copy's first stride). */
    private readonly rowBytes: number
  ) {
    for (const c of chunks) this.left.set(c[0]!, (this.left.get(c[0]!) ?? 0) + 1)
  }

  /** Chunk c is in the copy: the new frontier. */
  done(c: number[]): number {
    this.left.set(c[0]!, this.left.get(c[0]!)! - 1)
    return this.bytes()
  }

  /** The copy's bytes before the first row with a chunk still to come (Infinity: none left). */
  bytes(): number {
    while (this.row <= this.lastRow && !this.left.get(this.row)) this.row++
    return this.row > this.lastRow ? Infinity : this.row * this.rowBytes
  }
}
