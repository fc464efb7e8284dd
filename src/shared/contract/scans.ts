// The contract's request schemas (composed in contract.ts) for scans: whole-view native passes (statistics, plots,
// image tiles, profiles) and finds, cancelled by scanId.
import { z } from 'zod'
import { nonNeg, byteCount, sessionId, scanTarget } from './base'

export const scanRequests = {
  /** All statistics of a view, natively, with progress events; a new scan with the same scanId supersedes. */
  'scan:stats': z.object({ ...scanTarget, bins: z.number().int().min(1).max(100_000).optional() }).strict(),
  /** min/max per bucket over [start, stop) of a 1-D view: ≤ 2 points per pixel for a line plot. */
  'scan:line': z
    .object({ ...scanTarget, start: byteCount, stop: byteCount, buckets: z.number().int().min(1).max(20_000) })
    .strict(),
  /** A 2-D view block-reduced to at most outRows × outCols (mean or max), for a heatmap. */
  'scan:image': z
    .object({
      ...scanTarget,
      outRows: z.number().int().min(1).max(4096),
      outCols: z.number().int().min(1).max(4096),
      reduce: z.enum(['mean', 'max'])
    })
    .strict(),
  /**
   * One tile of the image of a 2-D view (its slice, then fixed indices; transpose: rows are its second axis):
   * up to 256 × 256 pixels, each the min, max and mean (and NaN/±Inf flags) of a 2^level × 2^level block;
   * tile (ty, tx) covers element rows from ty·256·2^level and columns from tx·256·2^level. sample: a quick
   * preview, one element per pixel. Cached until the data changes.
   */
  'scan:tile': z
    .object({
      session: sessionId,
      slice: z.string().max(2000).optional(),
      fixed: z.array(nonNeg.nullable()).max(32).optional(),
      field: z.string().min(1).max(256).optional(),
      transpose: z.boolean().optional(),
      level: z.number().int().min(0).max(52),
      ty: nonNeg,
      tx: nonNeg,
      sample: z.boolean().optional()
    })
    .strict(),
  /**
   * Finds the next match (backwards: the previous one) from byte offset start, natively over the whole file:
   * a hex pattern with ?? wildcards, UTF-8 text, or a typed value ('3.5 as <f4'; the array's dtype when no
   * 'as') exactly or within a tolerance. aligned: only at element boundaries of the array. wrap: go on from
   * the other end. Progress events and scan:cancel use scanId.
   */
  'find:run': z
    .object({
      session: sessionId,
      scanId: z.string().min(1).max(64),
      kind: z.enum(['hex', 'text', 'value']),
      text: z.string().min(1).max(10_000),
      tolerance: z.number().nonnegative().finite().optional(),
      aligned: z.boolean().optional(),
      start: byteCount,
      backwards: z.boolean(),
      wrap: z.boolean().optional()
    })
    .strict(),
  /**
   * Finds the next element (backwards: the previous one) of a view from flat C-order index start that is NaN,
   * ±Inf, > value, < value, == value or |x| > value, natively over the whole view (value converted to the
   * array's float type first, as numpy compares with a Python float). wrap: go on from the other end. Progress
   * events and scan:cancel use scanId.
   */
  'find:condition': z
    .object({
      ...scanTarget,
      condition: z.enum(['nan', 'inf', 'gt', 'lt', 'eq', 'absgt']),
      value: z.number().finite().optional(),
      start: byteCount,
      backwards: z.boolean(),
      wrap: z.boolean().optional()
    })
    .strict(),
  /**
   * Statistics along an axis of a 2-D view: for every index of axis keep, the count, mean, min, max and
   * population std of the finite elements of that row or column, natively in one pass (a profile plot).
   */
  'scan:profile': z.object({ ...scanTarget, keep: z.union([z.literal(0), z.literal(1)]) }).strict(),
  /** Stops a running scan (it rejects with code 'cancelled'). */
  'scan:cancel': z.object({ scanId: z.string().min(1).max(64) }).strict()
} as const
