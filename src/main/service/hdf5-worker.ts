// The worker thread that runs the HDF5 library (hdf5-region.ts does the work), one for the process: h5wasm is
// loaded once, every open chunked dataset is a handle. Requests come on the parent port and are answered there
// ({ id, … } → { id, written } / { id, ok } / { id, error }); a second port carries the rare synchronous read (a
// caller that cannot wait asynchronously): its answer is posted there and an Atomics flag wakes the waiting
// thread. Closing a handle closes its file and the copy's descriptor.
import fs from 'node:fs'
import os from 'node:os'
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { RegionFiller, type RegionSpec } from './hdf5-region'

interface Start {
  syncPort: MessagePort
  flag: SharedArrayBuffer
}

export type WorkerRequest =
  | { id: number; op: 'open'; handle: number; spec: RegionSpec }
  | { id: number; op: 'fill'; handle: number; start: number[]; count: number[] }
  | { id: number; op: 'close'; handle: number }

export interface WorkerAnswer {
  id: number
  written?: number
  error?: { code: string; message: string }
}

/**
 * Decompression yields to the main thread (its event loop answers the UI): this thread's nice value is raised,
 * as the native passes raise theirs. On Linux a thread id names one thread to setpriority.
 */
function background(): void {
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop())
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, Math.min(19, os.getPriority(tid) + 10))
  } catch {
    // not Linux, or not allowed: the thread runs at the process's priority
  }
}

function errorOf(e: unknown): { code: string; message: string } {
  const code = (e as { code?: unknown }).code
  return {
    code: typeof code === 'string' && /^[a-z-]+$/.test(code) ? code : 'io',
    message: e instanceof Error ? e.message : String(e)
  }
}

function main(): void {
  background()
  const port = parentPort!
  const { syncPort, flag } = workerData as Start
  const wake = new Int32Array(flag)
  const fillers = new Map<number, RegionFiller>()
  const answer = async (r: WorkerRequest): Promise<WorkerAnswer> => {
    try {
      if (r.op === 'open') {
        fillers.set(r.handle, await RegionFiller.open(r.spec))
        return { id: r.id }
      }
      const filler = fillers.get(r.handle)
      if (r.op === 'close') {
        fillers.delete(r.handle)
        filler?.close()
        return { id: r.id }
      }
      if (!filler) return { id: r.id, error: { code: 'closed', message: 'the dataset was closed' } }
      return { id: r.id, written: filler.fill(r.start, r.count) }
    } catch (e) {
      return { id: r.id, error: errorOf(e) }
    }
  }
  port.on('message', (r: WorkerRequest) => void answer(r).then((a) => port.postMessage(a)))
  syncPort.on(
    'message',
    (r: WorkerRequest) =>
      void answer(r).then((a) => {
        syncPort.postMessage(a)
        Atomics.store(wake, 0, 1)
        Atomics.notify(wake, 0)
      })
  )
}

main()
