// Which file a path names now, as (device, inode): a file replaced by a rename or deleted keeps its mapping,
// so "the path still names the mapped file" has to be checked, not assumed, before writing through it.
import fs from 'node:fs'

export interface FileIdentity {
  dev: bigint
  ino: bigint
}

/** The identity of what path names now (links followed), or null when nothing does. */
export function identityOf(path: string): FileIdentity | null {
  try {
    const st = fs.statSync(path, { bigint: true, throwIfNoEntry: false })
    return st ? { dev: st.dev, ino: st.ino } : null
  } catch {
    return null
  }
}

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino
}

/** The version of the file path names now (size, modification time): what a result computed from it describes. */
export function versionOf(path: string): { size: number; mtimeMs: number } | null {
  try {
    const st = fs.statSync(path)
    return { size: st.size, mtimeMs: st.mtimeMs }
  } catch {
    return null
  }
}
