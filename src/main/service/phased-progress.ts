// One progress bar for a job that fills a copy (a remote object's blocks, a chunk grid's chunks) and then runs
// passes over it: each step counts from 0 to its own total, so told as they are the bar went to 100 % with the
// fill and back to 0 % for the passes. Here the fill counts its own units (elements of the view) and the passes,
// whatever their total, one more share (as large as the view after a fill, less beside one that they trail), so
// the fraction only grows, and the end is told.
type Progress = ((done: number, total: number) => void) | undefined

export interface Phases {
  fill: Progress
  pass: Progress
  /** Tells the whole done (a native pass does not report its own end); returns the result it is given. */
  ended: <T>(result: T) => T
}

/** The two steps' progress for onProgress; passShare weighs the passes against the fill (in its units). */
export function phasedProgress(onProgress: Progress, passShare: number): Phases {
  if (!onProgress) return { fill: undefined, pass: undefined, ended: (r) => r }
  const share = Math.max(1, Math.round(passShare))
  let filled = 0
  return {
    fill: (done, total) => {
      filled = total
      onProgress(done, total + share)
    },
    pass: (done, total) => onProgress(filled + (total > 0 ? Math.min(1, done / total) : 1) * share, filled + share),
    ended: (result) => {
      onProgress(filled + share, filled + share)
      return result
    }
  }
}

/** The number of elements of a view. */
export function elementsOf(view: { shape: number[] }): number {
  return view.shape.reduce((a, b) => a * b, 1)
}
