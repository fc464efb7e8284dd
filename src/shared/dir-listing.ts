// What dir:list answers: one folder's folders and files for the open form's file browser (serve mode has no
// native dialog). Kept out of contract.ts, which only names the channel.

/** A folder or a regular file in a listed folder. */
export interface DirEntry {
  name: string
  kind: 'dir' | 'file'
  /** Bytes (files only; 0 for folders). */
  size: number
  /** The format ArrayScope recognises from the file's first bytes ('npy', 'hdf5', 'safetensors', …), or null. */
  format: string | null
}

export interface DirListing {
  /** The folder's absolute real path. */
  path: string
  /** Its parent folder, or null at the top (the filesystem's root, or serve's --root). */
  parent: string | null
  /** Folders first, then files, each in natural name order; hidden (dot) entries left out. */
  entries: DirEntry[]
  /** How many entries were left out past the limit. */
  more: number
}
