// A long operation's progress bar with its rate and the time left ("42% · 1.3 GB/s · 12 s left"): on a cold
// 30 GiB file the user wants to know whether to wait.
import { useEffect, useState } from 'react'
import type { Progress } from '../../../../shared/contract'
import { api } from '../../transport'
import { progressText } from '../../../../shared/progress-text'

/** The latest progress event of scanId (scan:progress or export:progress); reset() clears it. */
export function useProgress(
  event: 'scan:progress' | 'export:progress',
  scanId: string
): [Progress | null, (p: Progress | null) => void] {
  const [progress, setProgress] = useState<Progress | null>(null)
  useEffect(() => api.on(event, (p) => p.scanId === scanId && setProgress(p)), [event, scanId])
  return [progress, setProgress]
}

/** A Progress that says only "started". */
export function started(scanId: string): Progress {
  return { scanId, done: 0, total: 0 }
}

export function ProgressLine(props: { progress: Progress; testId?: string }): React.JSX.Element {
  const p = props.progress
  return (
    <span className="progress-line">
      <progress max={1} value={p.total > 0 ? p.done / p.total : 0} data-testid={props.testId} />
      <span className="progress-text" data-testid={props.testId ? `${props.testId}-text` : undefined}>
        {progressText(p)}
      </span>
    </span>
  )
}
