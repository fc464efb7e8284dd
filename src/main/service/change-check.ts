// Checking open files for other programs' changes (issue 32), for the ArrayService: when to check (change-watch.ts:
// notifications, polling, at most followRate checks a second), what changed (size, modification time, identity;
// for a followed file also the bytes its views were sent: content-watch.ts), and what is told — a followed
// session is brought up to the new version (follow.ts) and its views re-read it, another reports the change.
import fs from 'node:fs'
import type { Events, EventName } from '../../shared/contract'
import { ChangeWatch, DEFAULT_FOLLOW_RATE, pollInterval } from './change-watch'
import { ContentWatch } from './content-watch'
import { identityOf, sameFile } from './file-identity'
import { refollow } from './follow'
import { checkRemoteSessions } from './remote-service'
import type { OpenContext } from './open'
import type { Session } from './session'

export interface ChangeCheckHost {
  sessions(): Iterable<Session>
  isOpen(id: string): boolean
  readonly opening: OpenContext
  /** The session's data changed: cached image tiles are stale. */
  invalidate(id: string): void
  /** A session whose copy a pass is still writing (a text array opened early): its next layout told. */
  grow?(s: Session): void
  emit?: <E extends EventName>(event: E, payload: Events[E]) => void
}

export interface ChangeCheckOptions {
  /** Polling interval (ms; default 250, slower for a low followRate); 0: no polling and no notifications. */
  watchIntervalMs?: number
  /** At most this many checks a second (default 20). */
  followRate?: number
}

type Version = { size: number; mtimeMs: number }

export class ChangeCheck {
  private watcher: ChangeWatch | undefined
  private readonly content = new ContentWatch()
  /** Sessions being brought up to their file's new version, so that a check does not start twice. */
  private readonly following = new Set<string>()

  constructor(
    private readonly host: ChangeCheckHost,
    options: ChangeCheckOptions
  ) {
    // notifications tell a write at once, polling what they miss; at most followRate checks a second
    const rate = options.followRate ?? DEFAULT_FOLLOW_RATE
    const every = options.watchIntervalMs ?? pollInterval(rate)
    if (every > 0) this.watcher = new ChangeWatch({ check: () => this.check(), rate, pollMs: every })
  }

  /** Watches the files of the open sessions (and no others) for notifications. */
  watchFiles(): void {
    // a remote object is asked over the network (checkRemoteSessions), not watched
    this.watcher?.watch([...this.host.sessions()].filter((s) => !s.source.remoteObject).map((s) => s.source.watch))
  }

  /** What a view of a followed session was sent (a window, a byte page), to be read again at each check. */
  shown(s: Session, key: string, bytes: Uint8Array, read: () => Uint8Array): void {
    // a decoded copy (chunks, an inflated member) is opened again at any change of its file: nothing to compare
    if (s.info.following && s.source.store.kind === 'file') this.content.remember(s.id, key, bytes, read)
  }

  forget(id: string): void {
    this.content.forget(id)
    this.watchFiles()
  }

  close(): void {
    this.watcher?.close()
    this.watcher = undefined
  }

  /** Tells the views of every session whose file another program changed since the last check. */
  check(): void {
    // remote objects are asked (now and then, off this loop) whether they still have their validator
    checkRemoteSessions(this.host.sessions(), (s) => this.changed(s, { ...s.stat, mtimeMs: Date.now() }))
    for (const s of this.host.sessions()) {
      if (s.source.growing) this.host.grow?.(s)
      if (s.source.remoteObject) continue
      let now: Version
      let replaced = false
      try {
        const watched = s.source.watch
        now = fs.statSync(watched)
        const id = identityOf(watched)
        replaced = !id || !sameFile(id, s.identity)
      } catch {
        now = { size: -1, mtimeMs: -1 }
      }
      const following = s.info.following && s.source.store.kind === 'file'
      // compared at every check, so that what a follow below re-reads is not told again at the next
      const rewritten = following && !replaced && now.size === s.stat.size && this.content.changed(s.id)
      if (replaced || now.size !== s.stat.size || now.mtimeMs !== s.stat.mtimeMs) {
        if (s.info.following && now.size >= 0) {
          // a decoded copy (a chunk grid, an inflated member) is stale after any change: opened again
          this.follow(s, replaced || now.size !== s.stat.size || s.source.store.kind !== 'file', now)
          continue
        }
        this.changed(s, now)
      } else if (rewritten) {
        // written through a shared mapping: same size and time, other bytes on screen
        this.follow(s, false, now)
      }
    }
    // a file replaced by a rename is watched again under its path
    this.watchFiles()
  }

  /** Tells the session's views that another program (or the server) changed its data. */
  private changed(s: Session, now: Version): void {
    s.stat = { size: now.size, mtimeMs: now.mtimeMs }
    s.edits.externallyChanged = true
    this.host.invalidate(s.id)
    this.host.emit?.('session:changed', { session: s.id, size: now.size, mtimeMs: now.mtimeMs })
  }

  /** Follow mode: shows the file's new version (follow.ts), or reports the change when it cannot be opened. */
  private follow(s: Session, reopen: boolean, now: Version): void {
    if (this.following.has(s.id)) return
    this.following.add(s.id)
    void refollow(s, reopen, this.host.opening)
      .then((state) => {
        if (!this.host.isOpen(s.id)) return
        this.host.invalidate(s.id)
        if (state) {
          if (!reopen) s.stat = now
          const version = { size: now.size, mtimeMs: now.mtimeMs }
          this.host.emit?.('session:edited', { ...state, external: true, version })
        } else {
          s.stat = now
          s.edits.externallyChanged = true
          this.host.emit?.('session:changed', { session: s.id, size: now.size, mtimeMs: now.mtimeMs })
        }
      })
      .finally(() => this.following.delete(s.id))
  }
}
