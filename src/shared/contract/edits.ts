// The contract's request schemas (composed in contract.ts) for edits: undoable writes, undo/redo, flush, and .npy
// header rewrites.
import { z } from 'zod'
import { nonNeg, byteCount, sessionId } from './base'

export const editRequests = {
  /** Writes bytes at file offsets as one undoable edit (r+: the file's mapping; c: the private copy; r: refused). */
  'edit:apply': z
    .object({
      session: sessionId,
      writes: z
        .array(
          z
            .object({
              offset: byteCount,
              bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes must be a Uint8Array')
            })
            .strict()
        )
        .min(1)
        .max(1_000_000)
    })
    .strict(),
  /** Undoes the last edit (restores the bytes it replaced). */
  'edit:undo': z.object({ session: sessionId }).strict(),
  /** Redoes the last undone edit. */
  'edit:redo': z.object({ session: sessionId }).strict(),
  /** msync: r+ edits reach the disk. In mode c there is nothing to flush: the file is never written. */
  'edit:flush': z.object({ session: sessionId }).strict(),
  /**
   * Rewrites a .npy header in place (r+ or c, undoable): dtype, shape, fortran_order. The data must keep its
   * size and place: the header is re-padded to the same length (promoted to version 2 when needed).
   */
  'npy:header': z
    .object({
      session: sessionId,
      dtype: z.string().min(1).max(20_000),
      shape: z.array(nonNeg).max(32),
      fortranOrder: z.boolean()
    })
    .strict()
} as const
