// The events the Node side pushes (contract.ts).
import type { EditState } from './responses'

/** How far a long operation (a scan, a find, an export) has got. */
export interface Progress {
  scanId: string
  /** Units done and in all (elements; byte positions for find). */
  done: number
  total: number
  /** Bytes of the file read per second over the last seconds, once measurable. */
  bytesPerSecond?: number
  /** The time left at that rate, in seconds. */
  secondsLeft?: number
}

/** The desktop menu's commands (Electron only). */
export type MenuCommand = 'open' | 'closeTab' | 'recipe'

/** Events pushed from the Node side. */
export interface Events {
  /** A desktop menu item was chosen (Electron only; serve mode has no menu). */
  'menu:command': MenuCommand
  /** The file behind a session changed on disk (size or mtime), by another process. */
  'session:changed': { session: string; size: number; mtimeMs: number }
  /** A session's data was edited (or an edit undone): views refresh the changed ranges. */
  'session:edited': EditState
  /** How far an export has got. */
  'export:progress': Progress
  /** How far a scan has got. */
  'scan:progress': Progress
}
export type EventName = keyof Events
