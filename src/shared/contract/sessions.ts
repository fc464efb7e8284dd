// The contract's request schemas (composed in contract.ts) for sessions: mapping a file (or an array of a
// container) and unmapping it.
import { z } from 'zod'
import { layoutSpecSchema, modeSchema, sessionId } from './base'

export const sessionRequests = {
  /**
   * Maps a file with a layout (null: read it from the file's header) and mode; w+ creates the file, and replaces
   * an existing one only with overwrite (the UI asks first). With array, opens that array of a container
   * (safetensors, index.json, .npz, GGUF) — layout must be null; a deflated .npz member is decompressed to a
   * temporary copy first, with progress events and scan:cancel under scanId.
   */
  'session:open': z
    .object({
      path: z.string().min(1).max(4096),
      layout: layoutSpecSchema.nullable(),
      mode: modeSchema,
      overwrite: z.boolean().optional(),
      array: z.string().min(1).max(65_536).optional(),
      /** An array with a scaling (FITS BSCALE, NIfTI scl_slope, NetCDF scale_factor): which values to show. */
      values: z.enum(['scaled', 'stored']).optional(),
      scanId: z.string().min(1).max(64).optional(),
      /** Follow mode for a read-only session (mode r): show other programs' writes as they come. */
      follow: z.boolean().optional(),
      /**
       * A text array: answer once its first values are parsed; the session then grows as the pass goes
       * (session:edited with info), windows past it waiting, passes waiting for its end.
       */
      early: z.boolean().optional()
    })
    .strict(),
  /**
   * Unmaps a session's file. Unflushed r+/w+ edits are flushed, or discarded (the default): every byte written
   * since the last flush is put back from the edit log. Mode c's private copy goes either way.
   */
  /** Turns follow mode of a read-only session on or off (on by default in mode r). */
  'session:follow': z.object({ session: sessionId, follow: z.boolean() }).strict(),
  'session:close': z.object({ session: sessionId, unflushed: z.enum(['flush', 'discard']).optional() }).strict()
} as const
