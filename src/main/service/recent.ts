// Recently opened files with their layouts, kept in a small JSON file (keyed by path; a layout is offered
// again only while the file's size and mtime are unchanged).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { RecentFile } from '../../shared/contract'

const MAX = 30

/** Writes JSON beside the target and renames it over, so a reader never sees half a file. */
function writeJsonAtomic(file: string, data: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, JSON.stringify(data, null, 1))
  fs.renameSync(tmp, file)
}

export function defaultConfigDir(): string {
  if (process.env.ARRAYSCOPE_CONFIG_DIR) return process.env.ARRAYSCOPE_CONFIG_DIR
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config')
  return path.join(base, 'arrayscope')
}

export class RecentFiles {
  constructor(private readonly file: string) {}

  list(): RecentFile[] {
    try {
      const data = JSON.parse(fs.readFileSync(this.file, 'utf8')) as unknown
      return Array.isArray(data) ? (data as RecentFile[]) : []
    } catch {
      return []
    }
  }

  /** The entry for path if the file is unchanged since it was recorded. */
  match(p: string, size: number, mtimeMs: number): RecentFile | null {
    return this.list().find((r) => r.path === p && r.size === size && r.mtimeMs === mtimeMs) ?? null
  }

  record(entry: RecentFile): void {
    const files = [entry, ...this.list().filter((r) => r.path !== entry.path)].slice(0, MAX)
    try {
      writeJsonAtomic(this.file, files)
    } catch {
      // A read-only home must not stop anyone from opening files.
    }
  }
}

/** Named byte offsets per file (by absolute path), in a small JSON file beside the recent list. */
export class Bookmarks {
  constructor(private readonly file: string) {}

  private all(): Record<string, { name: string; offset: number }[]> {
    try {
      const data = JSON.parse(fs.readFileSync(this.file, 'utf8')) as unknown
      return data && typeof data === 'object' ? (data as Record<string, { name: string; offset: number }[]>) : {}
    } catch {
      return {}
    }
  }

  get(p: string): { name: string; offset: number }[] {
    return this.all()[p] ?? []
  }

  set(p: string, bookmarks: { name: string; offset: number }[]): void {
    const data = this.all()
    if (bookmarks.length) data[p] = bookmarks
    else delete data[p]
    writeJsonAtomic(this.file, data)
  }
}

/**
 * The last page's tabs, views, cursors and panels, restored after a reload or restart. One per configuration
 * folder: the page that saved last wins. Paths outside serve's --root are dropped when read.
 */
export class WorkspaceFile {
  constructor(private readonly file: string) {}

  get(): unknown {
    try {
      return JSON.parse(fs.readFileSync(this.file, 'utf8')) as unknown
    } catch {
      return null
    }
  }

  set(workspace: unknown): void {
    writeJsonAtomic(this.file, workspace)
  }
}
