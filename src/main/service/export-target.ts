// Where an export may write, checked before a byte is written: never over the file being exported (the same
// inode, whatever the spelling — a relative path, a hard link, a symbolic link), never over a folder, and over an
// existing file only when the caller confirmed it (the UI asks; the CLI takes --force).
import fs from 'node:fs'
import { ApiError } from '../../shared/contract'
import { identityOf, sameFile, type FileIdentity } from './file-identity'

export function checkExportTarget(
  out: string,
  /** The files being exported (the mapped file, and a container it belongs to). */
  sources: { path: string; identity: FileIdentity }[],
  overwrite: boolean,
  /** How the caller confirms a replacement, for the message ("pass --force"). */
  howToReplace: string
): void {
  const existing = identityOf(out)
  if (!existing) return
  const source = sources.find((s) => sameFile(existing, s.identity))
  if (source) {
    throw new ApiError(
      'bad-request',
      `${out} is the file being exported (${source.path}): writing it would destroy the data as it is read; choose another name`
    )
  }
  if (fs.statSync(out).isDirectory()) {
    throw new ApiError('bad-request', `${out} is a folder: give the export a file name inside it`)
  }
  if (!overwrite) throw new ApiError('exists', `${out} exists: ${howToReplace} to replace it, or choose another name`)
}
