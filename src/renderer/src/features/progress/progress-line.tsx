// A long operation's progress bar with its rate and the time left ("42% · 1.3 GB/s · 12 s left"): on a cold
// 30 GiB file the user wants to know whether to wait.
import { useEffect, useState } from 'react'
import type { Progress } from '../../../../shared/contract'
import { api } from '../../transport'

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

function rate(bytesPerSecond: number): string {
  const units = ['B/s', 'kB/s', 'MB/s', 'GB/s']
  let v = bytesPerSecond
  let k = 0
  while (v >= 1000 && k < units.length - 1) {
    v /= 1000
    k++
  }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[k]}`
}

function duration(seconds: number): string {
  if (seconds < 1) return 'under a second'
  if (seconds < 90) return `${Math.round(seconds)} s`
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`
  return `${(seconds / 3600).toFixed(1)} h`
}

/** The words beside the bar: percent, rate and time left once they are known. */
export function progressText(p: Progress): string {
  const parts = [p.total > 0 ? `${Math.floor((100 * p.done) / p.total)}%` : '…']
  if (p.bytesPerSecond !== undefined) parts.push(rate(p.bytesPerSecond))
  if (p.secondsLeft !== undefined) parts.push(`${duration(p.secondsLeft)} left`)
  return parts.join(' · ')
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
