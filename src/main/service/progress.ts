// Progress with a rate and the time left: users of a 30 GiB cold file want to know whether to wait.
import type { Progress } from '../../shared/contract'

/** Rate over a sliding window of about this long (steady on a disk whose speed varies). */
const WINDOW_MS = 3000

/**
 * Turns (done, total) reports of one operation into Progress events: bytes per second over the last few
 * seconds (unitBytes per unit done) and the time left at that rate.
 */
export function progressMeter(
  scanId: string,
  unitBytes: number,
  now: () => number = Date.now
): (done: number, total: number) => Progress {
  const samples: { t: number; done: number }[] = []
  return (done, total) => {
    const t = now()
    samples.push({ t, done })
    while (samples.length > 2 && t - samples[1]!.t >= WINDOW_MS) samples.shift()
    const first = samples[0]!
    const elapsed = (t - first.t) / 1000
    const event: Progress = { scanId, done, total }
    if (elapsed >= 0.2 && done > first.done) {
      const unitsPerSecond = (done - first.done) / elapsed
      event.bytesPerSecond = unitsPerSecond * unitBytes
      event.secondsLeft = Math.max(0, (total - done) / unitsPerSecond)
    }
    return event
  }
}
