// The contract's request schemas (composed in contract.ts) for files and the app: the open form's probes, recent
// files, bookmarks, the native dialog.
import { z } from 'zod'
import { byteCount, layoutSpecSchema } from './base'

export const fileRequests = {
  /** How the app was started: transport, version, and the file given on the command line (if any). */
  'app:info': z.object({}).strict(),
  /** Size, mtime and (for .npy) the header's layout of a file, for live validation of the open form. */
  'file:probe': z.object({ path: z.string().min(1).max(4096) }).strict(),
  /** Ranked candidate layouts for a file (layout solver): size factorizations, name hints, data plausibility. */
  'file:propose': z.object({ path: z.string().min(1).max(4096) }).strict(),
  /** The first rows and columns of a file read with a layout, for the open form's thumbnail. */
  'file:preview': z.object({ path: z.string().min(1).max(4096), layout: layoutSpecSchema }).strict(),
  /** Recently opened files with the layout and mode they were opened with, newest first. */
  'recent:list': z.object({}).strict(),
  /** Electron only: the native open-file dialog. */
  'dialog:openFile': z.object({}).strict(),
  /** One folder's folders and files for the open form's browser ('' : serve's --root, else the home folder). */
  'dir:list': z.object({ path: z.string().max(4096) }).strict(),
  /** The named byte offsets remembered for a file. */
  'bookmarks:get': z.object({ path: z.string().min(1).max(4096) }).strict(),
  /** Replaces a file's bookmarks. */
  'bookmarks:set': z
    .object({
      path: z.string().min(1).max(4096),
      bookmarks: z.array(z.object({ name: z.string().min(1).max(200), offset: byteCount }).strict()).max(1000)
    })
    .strict()
} as const
