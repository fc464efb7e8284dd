// Statistics of a file another program is writing (issue 32): a result says which version of the file (size,
// modification time) it describes; when the file changes after it (another program's write, seen in follow mode
// or reported as a change, or an edit here), it says so and offers Recompute, and can recompute by itself at most
// once every N seconds, N the user's pick — a pass over a large file is not something to run at 10 writes a second.
import { useEffect, useRef, useState } from 'react'
import type { FileVersion } from '../../../../shared/contract'
import { api } from '../../transport'

/** A change seen: the file's new version, or 'edited' (an edit in this session, which has no file version). */
export type Change = FileVersion | 'edited'

/** Auto-recompute periods offered (seconds; 0: off). */
export const AUTO_PERIODS = [0, 1, 5, 30, 60] as const

/** Whether a change makes a result of version `result` stale. seenDuring: it came while the pass ran. */
export function makesStale(result: FileVersion | undefined, change: Change, seenDuring: boolean): boolean {
  if (change === 'edited' || !result) return true
  if (change.size === result.size && change.mtimeMs === result.mtimeMs) return false
  // told during the pass, a change older than the version the pass started from is already in the result
  return (
    !seenDuring || change.mtimeMs > result.mtimeMs || (change.mtimeMs === result.mtimeMs && change.size !== result.size)
  )
}

export function describeVersion(v: FileVersion): string {
  const d = new Date(v.mtimeMs)
  // hour, minute and second named: options naming only the fraction would print the fraction alone
  const time = d.toLocaleTimeString(undefined, {
    hour12: false,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    fractionalSecondDigits: 3
  } as Intl.DateTimeFormatOptions)
  return `size ${v.size} bytes, modified ${time} on ${d.toLocaleDateString()}`
}

/**
 * Tracks whether the result of the last run is stale. Returns the change that made it so (null: current), a
 * function to call as a run starts and one to call with its result.
 */
export function useStaleness(session: string): {
  stale: Change | null
  started: () => void
  finished: (version: FileVersion | undefined) => void
} {
  const [stale, setStale] = useState<Change | null>(null)
  const state = useRef<{ running: boolean; result: FileVersion | undefined; during: Change[] }>({
    running: false,
    result: undefined,
    during: []
  })
  useEffect(() => {
    const seen = (c: Change): void => {
      const s = state.current
      if (s.running) s.during.push(c)
      else if (makesStale(s.result, c, false)) setStale(c)
    }
    const offEdited = api.on('session:edited', (e) => {
      if (e.session === session) seen(e.external ? (e.version ?? 'edited') : 'edited')
    })
    const offChanged = api.on('session:changed', (e) => {
      if (e.session === session) seen({ size: e.size, mtimeMs: e.mtimeMs })
    })
    return () => {
      offEdited()
      offChanged()
    }
  }, [session])
  return {
    stale,
    started: () => {
      state.current = { running: true, result: undefined, during: [] }
      setStale(null)
    },
    finished: (version) => {
      const during = state.current.during
      state.current = { running: false, result: version, during: [] }
      setStale(during.filter((c) => makesStale(version, c, true)).at(-1) ?? null)
    }
  }
}

/** Runs run when the result is stale and auto-recompute is on, at most once every `seconds` after the last start. */
export function useAutoRecompute(
  stale: boolean,
  seconds: number,
  busy: boolean,
  lastStart: number,
  run: () => void
): void {
  const latest = useRef(run)
  latest.current = run
  useEffect(() => {
    if (!stale || seconds <= 0 || busy) return
    const wait = Math.max(0, lastStart + seconds * 1000 - Date.now())
    const t = setTimeout(() => latest.current(), wait)
    return () => clearTimeout(t)
  }, [stale, seconds, busy, lastStart])
}

/** The line under a result: the version it describes; when stale, what changed and Recompute. */
export function VersionLine(props: {
  version: FileVersion | undefined
  stale: Change | null
  auto: number
  onAuto: (seconds: number) => void
  onRecompute: () => void
}): React.JSX.Element {
  const { stale } = props
  return (
    <div className="stats-version">
      <div className="muted" data-testid="stats-version">
        {props.version
          ? `Computed from the file at ${describeVersion(props.version)}`
          : 'Computed from the file as it was'}
      </div>
      {stale && (
        <div className="validation warn" data-testid="stats-stale">
          The file has changed since
          {stale === 'edited' ? ' (edited here)' : ` (now ${describeVersion(stale)})`}.{' '}
          <button onClick={props.onRecompute}>Recompute</button>
        </div>
      )}
      <label>
        recompute when it changes{' '}
        <select name="stats-auto" value={props.auto} onChange={(e) => props.onAuto(Number(e.target.value))}>
          {AUTO_PERIODS.map((s) => (
            <option key={s} value={s}>
              {s === 0 ? 'never' : `at most every ${s} s`}
            </option>
          ))}
        </select>
      </label>
    </div>
  )
}
