// The contract's request schemas (composed in contract.ts) for exports: numpy's tofile semantics to a new file,
// cancellable.
import { z } from 'zod'
import { CASTINGS } from '../casting'
import { byteCount, scanTarget } from './base'

export const exportRequests = {
  /**
   * Exports the array, a view or a selection with numpy's tofile semantics (raw, text, .npy, CSV), written to a
   * temporary file and renamed; progress events; cancel removes everything.
   */
  'export:run': z
    .object({
      ...scanTarget,
      /** [start, stop) per axis of the target, applied last (a selection). */
      ranges: z
        .array(z.tuple([byteCount, byteCount]))
        .max(32)
        .optional(),
      out: z.string().min(1).max(4096),
      as: z.enum(['raw', 'text', 'npy', 'csv']),
      sep: z.string().max(100).optional(),
      fmt: z.string().max(100).optional(),
      toDtype: z.string().max(100).optional(),
      /** How toDtype casts: numpy's names, or 'checked' (default: refuse a value that does not fit). */
      casting: z.enum(CASTINGS).optional(),
      sidecar: z.boolean().optional(),
      /** Replace an existing file (the UI asks first); otherwise an existing file is refused. */
      overwrite: z.boolean().optional()
    })
    .strict(),
  /** Cancels a running export: no file is left behind. */
  'export:cancel': z.object({ scanId: z.string().min(1).max(64) }).strict()
} as const
