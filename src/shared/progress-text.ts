// The words beside a progress bar: percent, rate and time left.
import type { Progress } from './contract'

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
