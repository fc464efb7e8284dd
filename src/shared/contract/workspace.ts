// The contract's request schemas (composed in contract.ts) for the workspace: the tabs, views and panels saved to
// come back after a reload or restart.
import { z } from 'zod'
import { layoutSpecSchema, modeSchema } from './base'

/** What opens an array again: a container's array by name, a .npy by its header, a raw file by its layout. */
const savedSourceSchema = z
  .object({
    path: z.string().min(1).max(4096),
    layout: layoutSpecSchema.nullable(),
    mode: modeSchema,
    array: z.string().min(1).max(65_536).optional()
  })
  .strict()
export type SavedSource = z.infer<typeof savedSourceSchema>

/** A tab as it is saved to come back after a reload or restart: what to open, the table's view and cursor. */
const savedTabSchema = z
  .object({
    ...savedSourceSchema.shape,
    /** A derived tab (|A − B|, A − B, ULP distance): derived again from A and B, opened read-only for it. */
    derived: z
      .object({
        kind: z.enum(['absdiff', 'diff', 'ulp']),
        slice: z.string().max(2000).optional(),
        a: savedSourceSchema,
        b: savedSourceSchema
      })
      .strict()
      .optional(),
    view: z
      .object({
        slice: z.string().max(2000),
        rowAxis: z.number().int().min(0).max(64).nullable(),
        colAxis: z.number().int().min(0).max(64).nullable(),
        index: z.array(z.number().int().nonnegative()).max(64),
        format: z
          .object({ mode: z.enum(['auto', 'fixed', 'sci', 'hex']), digits: z.number().int().min(0).max(30).optional() })
          .strict(),
        heat: z.boolean()
      })
      .strict(),
    cell: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])
  })
  .strict()

export const workspaceSchema = z
  .object({
    tabs: z.array(savedTabSchema).max(100),
    /** The active tab (-1: the open form). */
    active: z.number().int().min(-1).max(99),
    panels: z.object({ hex: z.boolean(), analysis: z.boolean() }).strict(),
    /** The containers whose tree the sidebar showed (absent in workspaces saved before it was kept). */
    containers: z.array(z.string().min(1).max(4096)).max(100).optional()
  })
  .strict()
export type Workspace = z.infer<typeof workspaceSchema>

export const workspaceRequests = {
  /** The tabs, views, cursors and panels saved by the last page (restored after a reload or restart). */
  'workspace:get': z.object({}).strict(),
  /** Saves the page's tabs, views, cursors and panels. */
  'workspace:set': z.object({ workspace: workspaceSchema }).strict()
} as const
