// Decoded chunks written into a chunk grid's temporary copy (HDF5's native decoder, Zarr, TIFF; FITS tiles): a
// chunk is a list of pieces — its rows inside the array, at their place in the C-order copy (chunkPieces in
// hdf5-native-fill.ts) — counted against the copy's disk budget and written. Short pieces are written at once:
// a round trip through libuv's pool per row cost more than decoding the chunk (a 256 × 2048 float32 HDF5 chunk of
// an 8192-column dataset is 256 writes of 8 KiB; TIFF tiles, 256 writes of 512 bytes: statistics of 32 MiB of
// tiles took 2.3 s one pool write per row, 0.6 s with these written at once), and a table window that needs one
// chunk waited behind them; long pieces go through the pool, so the event loop never copies megabytes.
import fs from 'node:fs'
import { promisify } from 'node:util'
import type { TempBudget } from './temp-budget'

const writeAsync = promisify(fs.write)

/** A piece at most this long is written synchronously. */
export const SMALL_WRITE = 64 << 10

export type Pieces = [offset: number, bytes: Uint8Array][]

/** A chunk grid over dims: chunks along each axis, and the C-order copy's strides in bytes. */
export function gridOf(dims: number[], chunks: number[], itemsize: number): { grid: number[]; strides: number[] } {
  const grid = dims.map((d, k) => Math.ceil(d / chunks[k]!))
  const strides = new Array<number>(dims.length)
  let s = itemsize
  for (let k = dims.length - 1; k >= 0; k--) {
    strides[k] = s
    s *= dims[k]!
  }
  return { grid, strides }
}

/**
 * Where a chunk's rows (along the last axis) go: [copy offset, chunk offset, length] triples, rows adjacent on both
 * sides merged (a chunk as wide as the array is one run). c is the chunk's grid coordinates; an edge chunk's rows
 * are cut at the array's end. dims must have at least one axis.
 */
export function chunkRuns(
  c: number[],
  dims: number[],
  chunks: number[],
  itemsize: number,
  strides: number[]
): number[] {
  const nd = dims.length
  const start = c.map((x, k) => x * chunks[k]!)
  const count = start.map((s, k) => Math.min(chunks[k]!, dims[k]! - s))
  const run = count[nd - 1]! * itemsize
  const srcRow = chunks[nd - 1]! * itemsize
  const runs: number[] = []
  let curDst = -1
  let curSrc = -1
  let curLen = 0
  const idx = new Array<number>(nd - 1).fill(0)
  const rows = count.slice(0, nd - 1).reduce((a, b) => a * b, 1)
  for (let r = 0; r < rows; r++) {
    let d = start[nd - 1]! * itemsize
    let s = 0
    let sStride = srcRow
    for (let k = nd - 2; k >= 0; k--) {
      d += (start[k]! + idx[k]!) * strides[k]!
      s += idx[k]! * sStride
      sStride *= chunks[k]!
    }
    if (curLen && d === curDst + curLen && s === curSrc + curLen) curLen += run
    else {
      if (curLen) runs.push(curDst, curSrc, curLen)
      curDst = d
      curSrc = s
      curLen = run
    }
    for (let k = nd - 2; k >= 0; k--) {
      if (++idx[k]! < count[k]!) break
      idx[k] = 0
    }
  }
  if (curLen) runs.push(curDst, curSrc, curLen)
  return runs
}

function counted(budget: TempBudget, pieces: Pieces): number {
  const total = pieces.reduce((a, [, p]) => a + p.length, 0)
  budget.take(total)
  return total
}

/** Writes the pieces into fd now; the bytes written. */
export function writePieces(fd: number, budget: TempBudget, pieces: Pieces): number {
  const total = counted(budget, pieces)
  for (const [off, p] of pieces) {
    for (let done = 0; done < p.length; ) done += fs.writeSync(fd, p, done, p.length - done, off + done)
  }
  return total
}

/** The same, long pieces on libuv's pool (all at once), short ones at once; the bytes written. */
export async function writePiecesAsync(fd: number, budget: TempBudget, pieces: Pieces): Promise<number> {
  const total = counted(budget, pieces)
  const long: Promise<void>[] = []
  for (const [off, p] of pieces) {
    if (p.length <= SMALL_WRITE) {
      for (let done = 0; done < p.length; ) done += fs.writeSync(fd, p, done, p.length - done, off + done)
      continue
    }
    long.push(
      (async (): Promise<void> => {
        for (let done = 0; done < p.length; ) {
          done += (await writeAsync(fd, p, done, p.length - done, off + done)).bytesWritten
        }
      })()
    )
  }
  await Promise.all(long)
  return total
}
