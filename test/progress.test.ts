// Progress events carry the rate (bytes per second over the last seconds) and the time left at that rate.
import { describe, expect, it } from 'vitest'
import { progressMeter } from '../src/main/service/progress'
import { progressText } from '../src/shared/progress-text'

describe('progress', () => {
  it('measures bytes per second over a sliding window and the time left', () => {
    let now = 0
    const meter = progressMeter('s', 4, () => now)
    expect(meter(0, 1000)).toEqual({ scanId: 's', done: 0, total: 1000 }) // nothing measurable yet
    now = 100
    expect(meter(10, 1000).bytesPerSecond).toBeUndefined() // under 0.2 s
    now = 1000
    const p = meter(100, 1000) // 100 units of 4 bytes in 1 s
    expect(p.bytesPerSecond).toBeCloseTo(400)
    expect(p.secondsLeft).toBeCloseTo(9)
    // the window slides: a slower disk later shows in the rate within a few seconds
    now = 5000
    meter(200, 1000)
    now = 9000
    const q = meter(240, 1000)
    expect(q.bytesPerSecond).toBeCloseTo((40 * 4) / 4)
    expect(q.secondsLeft).toBeCloseTo(760 / 10)
  })

  it('reads as percent, rate and time left', () => {
    expect(progressText({ scanId: 's', done: 1, total: 4, bytesPerSecond: 1.5e9, secondsLeft: 12.4 })).toBe(
      '25% · 1.50 GB/s · 12 s left'
    )
    expect(progressText({ scanId: 's', done: 0, total: 0 })).toBe('…')
    expect(progressText({ scanId: 's', done: 9, total: 10, bytesPerSecond: 250e6, secondsLeft: 4000 })).toBe(
      '90% · 250 MB/s · 67 min left'
    )
  })
})
