// Scans of a remote object beside its fetching (issue 30, item 4), through the gate of stream-fill.ts: the
// object's blocks a view touches are fetched in order, several requests in flight, and the native pass reads
// each part as soon as every byte of it is in. Two ways:
// - shared: the view's missing blocks fit the copy twice over (ARRAYSCOPE_TEMP_MAX, the disk's room: what is
//   left after them serves windows and other reads): they are fetched into the session's copy
//   (remote-store.ts), where they stay for windows and later passes;
// - private: they do not, and the job reads its view once (one pass, walking the object forwards): the blocks go
//   into a copy of the job's own, at most AHEAD bytes ahead of what the pass has read, and what the pass has
//   read is given back to the file system behind it (punchHole). The pass tells how far it has read through the
//   gate's second element (native/src/pass.cc). So a plot, a find or statistics of an object larger than the disk
//   streams at the network's speed, with disk and memory bounded whatever the object's size.
// Anything else (a second pass over the same bytes, a view walking backwards) fills the shared copy first,
// bounded as before, whose error says how to allow more.
import fs from 'node:fs'
import pathModule from 'node:path'
import { promisify } from 'node:util'
import { ApiError } from '../../shared/contract'
import { throwFirstFailure } from './errors'
import type { ArrayView } from '../../shared/slice'
import { native, type Mapping, type ScanHandle } from './native'
import { BLOCK, type RemoteStore } from './remote-store'
import { raiseGate, type GatedFill } from './stream-fill'
import { formatBytes, TempBudget } from './temp-budget'
import { removeTemp, tempFolder } from './temp-files'

/**
 * Bytes fetched ahead of the pass into a private copy (doubled while a part of the pass needs more);
 * ARRAYSCOPE_STREAM_AHEAD (bytes) sets another, as the tests do to see the bound on a small object.
 */
const aheadBytes = (): number => Number(process.env.ARRAYSCOPE_STREAM_AHEAD) || 256 << 20
/** Bytes per request and requests in flight (a fast link with tens of milliseconds of latency stays full). */
const RUN = 8 << 20
const LANES = 4

type Progress = ((done: number, total: number) => void) | undefined

/** Whether a view's bytes come in ascending order along its C order (no negative stride). */
function forwards(view: ArrayView): boolean {
  return view.strides.every((s, k) => s >= 0 || view.shape[k]! <= 1)
}

/**
 * The fill a streamed job over [first, end) of a remote object trails, or undefined where there is nothing to
 * fetch (or no way to stream: the caller fills the shared copy first). per: stored bytes per element.
 */
export function remoteFiller(
  store: RemoteStore,
  [first, end]: [number, number],
  stored: ArrayView,
  per: number,
  options: { onePass: boolean }
): GatedFill | undefined {
  const missing = store.missingBytes(first, end)
  if (missing === 0) return undefined
  const elements = (end - first) / per
  const inElements = (p: Progress): Progress => p && ((d, t) => p(d / per, t / per))
  // into the shared copy only with as much room to spare (windows and other reads still need some)
  if (store.canHold(2 * missing)) {
    return {
      elements,
      start: (onProgress, gate) => store.fill(first, end, inElements(onProgress), (bytes) => raiseGate(gate, bytes))
    }
  }
  if (!options.onePass || !forwards(stored)) return undefined
  return privateCopy(store, [first, end], elements, inElements)
}

let canPunch: boolean | undefined

/** Whether the temporary folder's file system gives blocks back (asked once, on a file of a few blocks). */
export function punchable(): boolean {
  if (canPunch === undefined) {
    const file = pathModule.join(tempFolder('arrayscope-stream-'), 'probe.bin')
    try {
      const fd = fs.openSync(file, 'w+', 0o600)
      try {
        fs.writeSync(fd, Buffer.alloc(2 * BLOCK, 1))
        canPunch = native().punchHole(fd, 0, BLOCK)
      } finally {
        fs.closeSync(fd)
      }
    } catch {
      canPunch = false
    } finally {
      removeTemp(file)
    }
  }
  return canPunch
}

/**
 * A private copy of the object for one forward pass over [first, end), made when the job starts (open) and
 * removed when it ends; undefined where the file system cannot give blocks back (it would keep the whole
 * object: the shared copy's bound applies instead).
 */
function privateCopy(
  store: RemoteStore,
  [first, end]: [number, number],
  elements: number,
  inElements: (p: Progress) => Progress
): GatedFill | undefined {
  if (!punchable()) return undefined
  let copy: { file: string; fd: number; mapping: Mapping } | undefined
  return {
    elements,
    slots: 2,
    open: () => {
      const file = pathModule.join(tempFolder('arrayscope-stream-'), 'object.bin')
      let fd = -1
      try {
        fd = fs.openSync(file, 'w+', 0o600)
        fs.ftruncateSync(fd, store.size)
        copy = { file, fd, mapping: new (native().Mapping)(file, 'r') }
        return copy.mapping
      } catch (e) {
        if (fd >= 0) fs.closeSync(fd)
        removeTemp(file)
        throw e
      }
    },
    start: (onProgress, gate) => {
      Atomics.store(gate, 1, BigInt(first))
      const { fd, file } = copy!
      return sweep(store, fd, pathModule.dirname(file), [first, end], gate, inElements(onProgress))
    },
    end: () => {
      if (!copy) return
      copy.mapping.close()
      fs.closeSync(copy.fd)
      removeTemp(copy.file)
      copy = undefined
    }
  }
}

const write = promisify(fs.write)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Fetches [first, end) into the private copy fd in order, ahead of the pass by at most `ahead`, freeing behind. */
function sweep(
  store: RemoteStore,
  fd: number,
  folder: string,
  [first, end]: [number, number],
  gate: BigInt64Array,
  onProgress: Progress
): ScanHandle<void> {
  const abort = new AbortController()
  const runs: [number, number][] = []
  const start = Math.floor(first / BLOCK) * BLOCK
  for (let at = start; at < end; at += RUN) runs.push([at, Math.min(end, at + RUN)])
  const landed = new Uint8Array(runs.length)
  const total = end - start
  let prefix = 0
  let next = 0
  let done = 0
  let punched = start
  let ahead = aheadBytes()
  let lastMove = Date.now()
  let lastConsumed = first
  let fetching = 0
  const consumed = (): number => Number(Atomics.load(gate, 1))
  // the disk under the private copy (its size is the window, not the object: no cap but the disk's room)
  const room = new TempBudget(store.url, folder, Infinity)
  const cancelled = (): never => {
    throw new ApiError('cancelled', `reading ${store.url} was cancelled`)
  }
  // what the pass will not read again goes back to the file system (whole blocks only)
  const release = (): void => {
    const c = Math.min(consumed(), end)
    if (c !== lastConsumed) [lastConsumed, lastMove] = [c, Date.now()]
    const to = Math.floor(c / BLOCK) * BLOCK
    if (to > punched) {
      native().punchHole(fd, punched, to - punched)
      punched = to
    }
  }
  const lane = async (): Promise<void> => {
    const buffer = Buffer.allocUnsafe(RUN)
    while (next < runs.length) {
      const i = next++
      const [a, b] = runs[i]!
      // wait for the pass: unless it has stood still with nothing in flight, waiting for a part wider than
      // what is ahead of it (then it gets more room)
      for (;;) {
        if (abort.signal.aborted) cancelled()
        release()
        if (b <= consumed() + ahead) break
        if (fetching === 0 && prefix === i && Date.now() - lastMove > 100) {
          if (!room.fits(ahead * 2)) {
            throw new ApiError(
              'io',
              `a part of this scan reads more than ${formatBytes(ahead)} of ${store.url} at once, more than the disk has room for: read a slice of it, or set TMPDIR to a larger disk`
            )
          }
          ahead *= 2
          lastMove = Date.now()
          continue
        }
        await sleep(2)
      }
      fetching++
      try {
        const into = buffer.subarray(0, b - a)
        await store.readInto(a, b - a, into, abort.signal)
        for (let w = 0; w < into.length; ) w += (await write(fd, into, w, into.length - w, a + w)).bytesWritten
      } finally {
        fetching--
      }
      landed[i] = 1
      while (prefix < runs.length && landed[prefix]) prefix++
      raiseGate(gate, prefix < runs.length ? runs[prefix]![0] : Infinity)
      done += b - a
      onProgress?.(done, total)
    }
  }
  // settled only when every lane has stopped: none may write after the copy is closed (its descriptor's number
  // could be another file's by then); one lane failing stops the others, and its own error is told
  const lanes = Array.from({ length: Math.min(LANES, runs.length) }, () =>
    lane().catch((e: unknown) => {
      abort.abort()
      throw e
    })
  )
  const promise = Promise.allSettled(lanes).then((settled) => throwFirstFailure(settled))
  return { promise, cancel: () => abort.abort() }
}
