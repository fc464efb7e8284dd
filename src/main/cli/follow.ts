// `show --follow` and `stats --watch SECONDS`: a file another program is writing, followed from the command line
// (issue 32, item 5). The file's version is its size and modification time; when it changes, the array is opened
// again — an inferred axis (--shape -1,…) or an .npy header the producer rewrote then gives the new shape — and
// the output is printed again, headed by the version it describes. A version that cannot be read (a half-written
// header, a file shorter than its layout needs) is reported on stderr and the next one is waited for. Ctrl+C ends
// it (the CLI's signal handler closes the session).
import fs from 'node:fs'
import type { ArrayService } from '../service/array-service'
import { toApiError } from '../service/errors'
import { UsageError, flagString, type ParsedArgs } from './args'
import { io } from './output'
import { ChangeWatch } from '../service/change-watch'

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

/** How a followed file is checked: file-system notifications at most `rate` times a second, polling every pollMs. */
export interface FollowTiming {
  pollMs: number
  rate: number
}

/**
 * Runs print for every version of the file, the first at once, then each time the version changes (noticed by
 * a notification or the poll: change-watch.ts), until the process is ended. print opens the array itself (so
 * that a new shape is read) and closes what it opened. Prints never overlap: a change noticed during one is
 * looked at when it ends. rewritten, when given, is asked at the checks where the version did not change: a
 * write through a shared mapping changes neither the size nor (on tmpfs, after the first) the time, so only the
 * bytes tell it; true prints the version again.
 */
export function follow(
  path: string,
  service: ArrayService,
  timing: FollowTiming,
  print: (version: FileVersion) => Promise<void>,
  rewritten?: () => Promise<boolean>
): Promise<never> {
  let last: FileVersion | null = null
  let busy = false
  let again = false
  const once = async (): Promise<void> => {
    const now = versionOf(path)
    if (same(now, last)) {
      const changed = now !== null && rewritten !== undefined && (await rewritten().catch(() => false))
      service.closeAll()
      if (!changed) return
    }
    last = now
    if (now === null) return io.err(`arrayscope: ${path} is gone; waiting for it to come back\n`)
    try {
      await print(now)
    } catch (e) {
      if (e instanceof UsageError) throw e
      io.err(`arrayscope: ${toApiError(e).message.split('\n')[0]} (waiting for the next change)\n`)
    }
    service.closeAll()
  }
  return new Promise<never>((_, reject) => {
    // the watch's timers and watches do not keep the process alive; following does, until Ctrl+C
    const alive = setInterval(() => {}, 1 << 30)
    const run = (): void => {
      if (busy) {
        again = true
        return
      }
      busy = true
      once().then(
        () => {
          busy = false
          watch.watch([path])
          if (again) {
            again = false
            watch.request()
          }
        },
        (e: unknown) => {
          watch.close()
          clearInterval(alive)
          reject(e as Error)
        }
      )
    }
    const watch = new ChangeWatch({ check: run, rate: timing.rate, pollMs: timing.pollMs })
    // armed before the first look at the file: a write while the first version prints is told by its notification
    watch.watch([path])
    run()
  })
}

/** --follow-rate N: at most N change checks a second (serve, open, show --follow); undefined: the default. */
export function followRateOf(args: ParsedArgs): number | undefined {
  const text = flagString(args, 'follow-rate')
  if (text === undefined) return undefined
  const n = Number(text)
  if (!Number.isFinite(n) || n < 0.01 || n > 1000)
    throw new UsageError(`--follow-rate must be checks a second from 0.01 to 1000, got '${text}'`)
  return n
}

/** --interval MS (how often the file is checked; default 250), within reason. */
export function intervalOf(text: string | undefined): number {
  if (text === undefined) return 250
  const ms = Number(text)
  if (!Number.isFinite(ms) || ms < 10 || ms > 3_600_000)
    throw new UsageError(`--interval must be milliseconds from 10 to 3600000, got '${text}'`)
  return ms
}
