// A search that runs as a native scan (the hex view's find, the table's find by condition): running state,
// progress, Cancel (also when the bar goes away), the outcome line, and "wrapped past the end" wording.
import { useEffect, useState } from 'react'
import { api } from '../../transport'
import { ProgressLine, started, useProgress } from './progress-line'

export interface SearchStatus {
  ok: boolean
  text: string
}

export interface SearchRun {
  running: boolean
  setStatus: (s: SearchStatus | null) => void
  /** Starts request (with progress shown) and hands its reply to done; a failure or Cancel is the status. */
  search: <T>(request: () => Promise<T>, done: (reply: T) => void) => void
  /** The progress bar, Cancel and the outcome line, for the end of the bar. */
  tail: React.JSX.Element
}

/** ", wrapped past the end" (or start) when the search went round. */
export function wrappedNote(wrapped: boolean, backwards: boolean): string {
  return wrapped ? `, wrapped past the ${backwards ? 'start' : 'end'}` : ''
}

export function useSearchRun(scanId: string, testId: string): SearchRun {
  const [running, setRunning] = useState(false)
  const [status, setStatus] = useState<SearchStatus | null>(null)
  const [progress, setProgress] = useProgress('scan:progress', scanId)
  useEffect(() => () => void api.invoke('scan:cancel', { scanId }).catch(() => undefined), [scanId])

  const search = <T,>(request: () => Promise<T>, done: (reply: T) => void): void => {
    setRunning(true)
    setStatus(null)
    setProgress(started(scanId))
    request()
      .then(done)
      .catch((e: Error & { code?: string }) =>
        setStatus({ ok: false, text: e.code === 'cancelled' ? 'cancelled' : e.message })
      )
      .finally(() => {
        setRunning(false)
        setProgress(null)
      })
  }

  const tail = (
    <>
      {running && (
        <>
          <ProgressLine progress={progress ?? started(scanId)} testId={`${testId}-progress`} />
          <button type="button" onClick={() => void api.invoke('scan:cancel', { scanId })}>
            Cancel
          </button>
        </>
      )}
      {status && (
        <span className={status.ok ? 'validation ok' : 'validation bad'} data-testid={`${testId}-status`}>
          {status.text}
        </span>
      )}
    </>
  )
  return { running, setStatus, search, tail }
}
