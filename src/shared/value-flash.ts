// Changed values flash briefly (issue 32): when another program rewrites a followed file, the view compares what
// it re-read with what it showed and marks only the elements whose bytes differ — a whole-file "something
// changed" would light up every cell. Bytes, not decoded values, are compared: NaN stays NaN, -0 differs from 0.
export const FLASH_MS = 900

/** When each key (a cell, a byte) last changed; a key flashes for FLASH_MS after it. */
export class Flashes {
  private readonly at = new Map<string, number>()

  mark(key: string, now: number): void {
    this.at.set(key, now)
  }

  has(key: string, now: number): boolean {
    const t = this.at.get(key)
    if (t === undefined) return false
    if (now - t < FLASH_MS) return true
    this.at.delete(key)
    return false
  }

  get size(): number {
    return this.at.size
  }

  clear(): void {
    this.at.clear()
  }
}

/**
 * Calls changed(i, j) for each element of a rows × cols window of itemsize-byte elements (row-major) whose bytes
 * differ between old (oldRows × oldCols, a window read before) and fresh; elements only one of them has (a grown
 * or shrunk array) are new or gone, not changed.
 */
export function changedElements(
  old: { bytes: Uint8Array; rows: number; cols: number },
  fresh: { bytes: Uint8Array; rows: number; cols: number },
  changed: (i: number, j: number) => void
): void {
  const n = fresh.rows * fresh.cols
  if (n === 0 || old.rows * old.cols === 0) return
  const size = fresh.bytes.length / n
  if (old.bytes.length / (old.rows * old.cols) !== size) return // another dtype: nothing comparable
  const rows = Math.min(old.rows, fresh.rows)
  const cols = Math.min(old.cols, fresh.cols)
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const a = (i * old.cols + j) * size
      const b = (i * fresh.cols + j) * size
      for (let k = 0; k < size; k++) {
        if (old.bytes[a + k] !== fresh.bytes[b + k]) {
          changed(i, j)
          break
        }
      }
    }
  }
}
