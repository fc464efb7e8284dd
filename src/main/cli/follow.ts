// `show --follow` and `stats --watch SECONDS`: a file another program is writing, followed from the command line
// (issue 32, item 5). The file's version is its size and modification time; when it changes, the array is opened
// again — an inferred axis (--shape -1,…) or an .npy header the producer rewrote then gives the new shape — and
// the output is printed again, headed by the version it describes. A version that cannot be read (a half-written
// header, a file shorter than its layout needs) is reported on stderr and the next one is waited for. Ctrl+C ends
// it (the CLI's signal handler closes the session).
import fs from 'node:fs'
import type { ArrayService } from '../service/array-service'
import { toApiError } from '../service/errors'
import { UsageError } from './args'
import { io } from './output'

/** A file's version: what a change is told by. */
export interface FileVersion {
  size: number
  mtimeMs: number
}

export function versionOf(path: string): FileVersion | null {
  try {
    const st = fs.statSync(path)
    return { size: st.size, mtimeMs: st.mtimeMs }
  } catch {
    return null
  }
}

const same = (a: FileVersion | null, b: FileVersion | null): boolean =>
  a === b || (a !== null && b !== null && a.size === b.size && a.mtimeMs === b.mtimeMs)

/** "size 4096 bytes, modified 2026-12-07T04:58:01.123Z": the version a printout describes. */
export function describeVersion(v: FileVersion): string {
  return `size ${v.size} bytes, modified ${new Date(v.mtimeMs).toISOString()}`
}

/**
 * Runs print for every version of the file, the first at once, then each time the version changes (checked
 * every intervalMs), until the process is ended. print opens the array itself (so that a new shape is read) and
 * closes what it opened.
 */
export async function follow(
  path: string,
  service: ArrayService,
  intervalMs: number,
  print: (version: FileVersion) => Promise<void>
): Promise<never> {
  let last: FileVersion | null = null
  for (;;) {
    const now = versionOf(path)
    if (!same(now, last)) {
      last = now
      if (now === null) io.err(`arrayscope: ${path} is gone; waiting for it to come back\n`)
      else {
        try {
          await print(now)
        } catch (e) {
          if (e instanceof UsageError) throw e
          io.err(`arrayscope: ${toApiError(e).message.split('\n')[0]} (waiting for the next change)\n`)
        }
        service.closeAll()
      }
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

/** --interval MS (how often the file is checked; default 250), within reason. */
export function intervalOf(text: string | undefined): number {
  if (text === undefined) return 250
  const ms = Number(text)
  if (!Number.isFinite(ms) || ms < 10 || ms > 3_600_000)
    throw new UsageError(`--interval must be milliseconds from 10 to 3600000, got '${text}'`)
  return ms
}
