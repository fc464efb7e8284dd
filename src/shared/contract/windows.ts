// The contract's request schemas (composed in contract.ts) for windows: the table's cells and the hex view's bytes.
import { z } from 'zod'
import { nonNeg, byteCount, sessionId, viewSchema } from './base'

export const windowRequests = {
  /** The raw bytes of a rows×cols window of a 2-D view, gathered row-major; decoded by the renderer. */
  'window:get': z
    .object({
      session: sessionId,
      generation: nonNeg,
      view: viewSchema,
      row0: byteCount,
      rows: nonNeg.max(4096),
      col0: byteCount,
      cols: nonNeg.max(4096)
    })
    .strict()
    .refine((r) => r.rows * r.cols <= 1 << 20, { message: 'a window holds at most 2^20 cells' }),
  /** Raw bytes of the file (any region, including headers and trailing bytes). */
  'bytes:get': z.object({ session: sessionId, offset: byteCount, length: nonNeg.max(1 << 24) }).strict()
} as const
