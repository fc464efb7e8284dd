// A codec's failure: what went wrong with the bytes, without saying whose bytes they are (the caller names the
// chunk, the tile, the member). Thrown by every decoder of the registry, in this thread or from a worker.
export class CodecError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CodecError'
  }
}

/** The decoded size must be exactly what the caller expects (a chunk, a tile): anything else is damage. */
export function exact(out: Uint8Array, expected: number, what: string): Uint8Array {
  if (out.length !== expected) throw new CodecError(`${what} decodes to ${out.length} bytes, ${expected} expected`)
  return out
}
