// The contract's request schemas (composed in contract.ts) for containers: the tree of arrays in a container file.
import { z } from 'zod'

export const containerRequests = {
  /**
   * The arrays of a container, a folder of its tree at a time (folder: path segments, [] the root), or with a
   * filter the matching arrays anywhere; limit caps the arrays listed. Also its format and metadata.
   */
  'container:list': z
    .object({
      path: z.string().min(1).max(4096),
      folder: z.array(z.string().max(65_536)).max(256).optional(),
      filter: z.string().max(1000).optional(),
      limit: z.number().int().min(1).max(100_000).optional(),
      /** A job id: a file decompressed before it lists (a .fits.gz) reports progress under it, and cancels by it. */
      scanId: z.string().min(1).max(64).optional()
    })
    .strict(),
  /** Items [start, start + count) of a long metadata array (a GGUF vocabulary), which listings shorten. */
  'container:metadata': z
    .object({
      path: z.string().min(1).max(4096),
      key: z.string().max(65_536),
      start: z.number().int().min(0),
      count: z.number().int().min(1).max(10_000)
    })
    .strict()
} as const
