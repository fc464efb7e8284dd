// The contract's request schemas (composed in contract.ts) for comparing two sessions: the whole-view diff, a
// window's mismatch mask, derived difference arrays.
import { z } from 'zod'
import { byteCount, sessionId, viewSchema } from './base'

/** np.isclose's tolerances (assert_allclose's defaults when left out: rtol 1e-7, atol 0, equal_nan true). */
const diffTolerance = {
  rtol: z.number().nonnegative().finite().optional(),
  atol: z.number().nonnegative().finite().optional(),
  equalNan: z.boolean().optional()
}

export const compareRequests = {
  /**
   * Compares session a's view with session b's (the same slice applied to both; the same shape after it) with
   * np.isclose's rule (assert_allclose's defaults: rtol 1e-7, atol 0, equal_nan), in one native pass: the
   * figures, up to max mismatches (the first after `after`, or with last the last before `before`), and a
   * block map of rows × cols (with mapValues also max |A−B|, mean A−B, max ULP distance per block).
   */
  'diff:run': z
    .object({
      scanId: z.string().min(1).max(64),
      a: sessionId,
      b: sessionId,
      slice: z.string().max(2000).optional(),
      ...diffTolerance,
      max: z.number().int().min(0).max(10_000).optional(),
      after: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER).optional(),
      before: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
      last: z.boolean().optional(),
      map: z
        .object({ rows: z.number().int().min(1).max(2048), cols: z.number().int().min(1).max(2048) })
        .strict()
        .optional(),
      mapValues: z.boolean().optional()
    })
    .strict(),
  /** Which cells of a table window are not close between sessions a and b (the same view of both). */
  'diff:window': z
    .object({
      a: sessionId,
      b: sessionId,
      view: viewSchema,
      row0: byteCount,
      col0: byteCount,
      rows: z.number().int().min(0).max(1024),
      cols: z.number().int().min(0).max(1024),
      ...diffTolerance
    })
    .strict(),
  /**
   * Opens a derived, read-only float64 array of a's and b's views (the same slice of both): |A − B|, A − B or the
   * ULP distance (in A's float type), computed per window as it is read.
   */
  'session:derive': z
    .object({
      a: sessionId,
      b: sessionId,
      slice: z.string().max(2000).optional(),
      kind: z.enum(['absdiff', 'diff', 'ulp'])
    })
    .strict()
} as const
