// How another program's changes to an open file are noticed (issue 32). File-system notifications first: an
// fs.watch on each watched file (inotify on Linux, FSEvents/kqueue on macOS, ReadDirectoryChangesW on Windows)
// tells a write the moment it happens, and one on its folder tells a replacement by rename (the producer writes
// a new version beside the file and renames it over: the old file's watch then sees nothing more). A notification
// only asks for a check — the caller stats the files and decides what changed — and checks run at most `rate`
// times a second however many notifications come (a producer writing row by row sends thousands).
// Polling stays as the fallback, every `pollMs`: notifications miss writes through a shared mapping (inotify does
// not report them; msync updates the modification time, which the stat then sees), network file systems send
// none, and a folder or file that cannot be watched (no inotify watches left, a file system without them) falls
// back to the poll alone. An idle file costs one stat per poll and nothing per notification.
import fs from 'node:fs'
import pathModule from 'node:path'

export interface ChangeWatchOptions {
  /** Runs a check: stat the watched files, act on what changed. */
  check: () => void
  /** At most this many checks a second (notifications coming faster are folded into one check). */
  rate: number
  /** Polling interval (ms), the fallback for changes no notification tells; 0: no polling. */
  pollMs: number
  /** Whether to use file-system notifications at all (false: polling only). */
  notifications?: boolean
}

/** The default cap on checks a second, and the slowest poll it allows (see pollInterval). */
export const DEFAULT_FOLLOW_RATE = 20
export const DEFAULT_POLL_MS = 250

/** The poll for a rate: 250 ms, or slower when fewer checks a second are allowed. */
export function pollInterval(rate: number): number {
  return Math.max(DEFAULT_POLL_MS, Math.ceil(1000 / rate))
}

interface DirWatch {
  watcher: fs.FSWatcher | null
  /** The names in the folder that are watched. */
  names: Set<string>
}

export class ChangeWatch {
  private readonly files = new Map<string, fs.FSWatcher | null>()
  private readonly dirs = new Map<string, DirWatch>()
  private lastCheck = 0
  private pending: NodeJS.Timeout | undefined
  private poll: NodeJS.Timeout | undefined
  private closed = false
  /** Notifications received (a test and the benchmark tell notification from polling by it). */
  notifications = 0

  constructor(private readonly options: ChangeWatchOptions) {
    if (!(options.rate > 0)) throw new Error(`the follow rate must be a positive number of checks a second`)
    if (options.pollMs > 0) {
      this.poll = setInterval(() => this.request(), options.pollMs)
      this.poll.unref()
    }
  }

  get rate(): number {
    return this.options.rate
  }

  /**
   * Watches exactly these files (and their folders); watches of files no longer named are closed. Cheap when
   * nothing changed: called after every check.
   */
  watch(paths: Iterable<string>): void {
    if (this.closed || this.options.notifications === false) return
    const want = new Set(paths)
    for (const [p, w] of this.files) {
      if (!want.has(p)) {
        w?.close()
        this.files.delete(p)
        this.unwatchDir(p)
      }
    }
    for (const p of want) {
      // a file that could not be watched (gone for a moment, no watches left) is tried again at the next check
      if (this.files.get(p)) continue
      this.files.set(
        p,
        this.open(
          p,
          () => this.request(),
          (event) => event === 'rename' && this.rearm(p)
        )
      )
      const dir = pathModule.dirname(p)
      let d = this.dirs.get(dir)
      if (!d) {
        const names = new Set<string>()
        d = { names, watcher: this.open(dir, (_event, name) => (name === null || names.has(name)) && this.request()) }
        this.dirs.set(dir, d)
      }
      d.names.add(pathModule.basename(p))
    }
  }

  /** A change was noticed: check now, or as soon as the rate allows. */
  request(): void {
    if (this.closed || this.pending) return
    const wait = Math.max(0, this.lastCheck + 1000 / this.options.rate - Date.now())
    this.pending = setTimeout(() => {
      this.pending = undefined
      this.lastCheck = Date.now()
      try {
        this.options.check()
      } catch (e) {
        // a timer's exception would end the process: a check that failed is tried again at the next
        console.error(`arrayscope: checking open files for changes failed: ${(e as Error).message}`)
      }
    }, wait)
    this.pending.unref()
  }

  close(): void {
    this.closed = true
    if (this.poll) clearInterval(this.poll)
    if (this.pending) clearTimeout(this.pending)
    for (const w of this.files.values()) w?.close()
    for (const d of this.dirs.values()) d.watcher?.close()
    this.files.clear()
    this.dirs.clear()
  }

  /** An fs.watch that never keeps the process alive and never throws; null where it cannot be had (polling). */
  private open(
    path: string,
    onEvent: (event: string, name: string | null) => void,
    onAny?: (event: string) => void
  ): fs.FSWatcher | null {
    try {
      const w = fs.watch(path, { persistent: false }, (event, name) => {
        this.notifications++
        onAny?.(event)
        onEvent(event, name === null ? null : String(name))
      })
      // a watch that fails later (its folder removed, the file system unmounted) leaves the poll to it
      w.on('error', () => w.close())
      return w
    } catch {
      return null
    }
  }

  /**
   * The watched file was renamed, replaced or deleted: its watch follows the old file (inotify watches an
   * inode), so it is dropped, and opened again on what the path names at the next watch() (after the check this
   * asks for); meanwhile the folder's watch and the poll see the path.
   */
  private rearm(path: string): void {
    if (!this.files.get(path)) return
    this.files.get(path)!.close()
    this.files.set(path, null)
    this.request()
  }

  private unwatchDir(path: string): void {
    const dir = pathModule.dirname(path)
    const d = this.dirs.get(dir)
    if (!d) return
    d.names.delete(pathModule.basename(path))
    if (d.names.size === 0) {
      d.watcher?.close()
      this.dirs.delete(dir)
    }
  }
}
