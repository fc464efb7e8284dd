// The schemas every concern of the contract builds on (contract.ts): numbers, layouts, sessions, views, scan
// targets.
import { z } from 'zod'
import { MODES, ORDERS, type LayoutSpec, type Mode } from '../layout'

export const int = z.number().int().finite()
export const nonNeg = int.nonnegative()
/** Byte offsets and counts: safe integers (files up to 8 PiB). */
export const byteCount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)

export const orderSchema = z.enum(ORDERS)
export const modeSchema = z.enum(MODES)

export const layoutSpecSchema = z
  .object({
    dtype: z.string().min(1).max(20_000),
    // entries are checked by resolveLayout, whose messages say what is wrong ("invalid entry -3")
    shape: z.array(int).max(32).nullable(),
    offset: byteCount,
    order: orderSchema,
    text: z
      .object({
        sep: z.string().min(1).max(16),
        rows: z.boolean().optional(),
        skip: nonNeg.max(1_000_000).optional(),
        comments: z.string().max(8).optional()
      })
      .strict()
      .optional()
  })
  .strict()

export const sessionId = z.string().min(1).max(64)

/** Which two axes of the array a 2-D view shows, and the index of every other axis. */
export const viewSchema = z
  .object({
    /** Axis shown as rows (null: one row). */
    rowAxis: nonNeg.max(31).nullable(),
    /** Axis shown as columns (null: one column). */
    colAxis: nonNeg.max(31).nullable(),
    /** An index for every axis; entries for rowAxis/colAxis are ignored. */
    index: z.array(nonNeg).max(32),
    /** numpy basic indexing applied first ("2:10:2, 3, ..., -1"); axes above refer to its result. */
    slice: z.string().max(2000).optional()
  })
  .strict()

/**
 * What a scan reads: the array, or a slice of it, then optionally one index per axis (null keeps the axis)
 * — the table's current view is its slice with the fixed axes indexed — and for records one field.
 */
export const scanTarget = {
  session: sessionId,
  scanId: z.string().min(1).max(64),
  slice: z.string().max(2000).optional(),
  fixed: z.array(nonNeg.nullable()).max(32).optional(),
  /** A field of a record (compound) dtype, after slice and fixed: its values, a sub-array field's axes last. */
  field: z.string().min(1).max(256).optional()
}

/** The layout model's own type (layout.ts) on the wire; the check at the end keeps the schema equal to it. */
export type LayoutSpecMsg = LayoutSpec
export type View = z.infer<typeof viewSchema>
/** numpy.memmap's modes, as layout.ts defines them. */
export type ModeName = Mode
