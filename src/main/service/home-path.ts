// "~" in a typed path: shells expand it before a program sees the path, a text field in the app does not, so a
// user's "~/data/x.bin" would otherwise be looked for in a folder named "~". Only "~" alone and "~/…" (and
// "~\…" on Windows) mean the home folder; "~name" (another user's home) is left as typed.
import os from 'node:os'
import path from 'node:path'

export function expandHome(p: string): string {
  if (p === '~') return os.homedir()
  if (p.startsWith('~/') || (path.sep === '\\' && p.startsWith('~\\'))) return path.join(os.homedir(), p.slice(2))
  return p
}
