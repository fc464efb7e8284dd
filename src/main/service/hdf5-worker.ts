// The worker thread that runs the HDF5 library for one chunked dataset (hdf5-region.ts does the work). Requests
// come on the parent port ({ id, start, count } → { id, written } or { id, error }), and one at a time on a
// second port for the rare synchronous read (a caller that cannot wait asynchronously): its answer is posted
// there and an Atomics flag wakes the waiting thread. { close } closes the file and the copy's descriptor and
// ends the thread.
import fs from 'node:fs'
import os from 'node:os'
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { RegionFiller, type RegionSpec } from './hdf5-region'

interface Start {
  spec: RegionSpec
  syncPort: MessagePort
  flag: SharedArrayBuffer
}

type Request = { id: number; start: number[]; count: number[] } | { close: true }

function errorOf(e: unknown): { code: string; message: string } {
  const code = (e as { code?: unknown }).code
  return {
    code: typeof code === 'string' && !code.startsWith('E') ? code : 'io',
    message: e instanceof Error ? e.message : String(e)
  }
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

async function main(): Promise<void> {
  background()
  const port = parentPort!
  const { spec, syncPort, flag } = workerData as Start
  const wake = new Int32Array(flag)
  let filler: RegionFiller
  try {
    filler = await RegionFiller.open(spec)
  } catch (e) {
    port.postMessage({ ready: false, error: errorOf(e) })
    return
  }
  port.postMessage({ ready: true })
  const answer = (r: { id: number; start: number[]; count: number[] }): object => {
    try {
      return { id: r.id, written: filler.fill(r.start, r.count) }
    } catch (e) {
      return { id: r.id, error: errorOf(e) }
    }
  }
  const close = (): void => {
    filler.close()
    syncPort.close()
    port.close()
  }
  port.on('message', (r: Request) => {
    if ('close' in r) return close()
    port.postMessage(answer(r))
  })
  syncPort.on('message', (r: Request) => {
    if ('close' in r) return close()
    syncPort.postMessage(answer(r))
    Atomics.store(wake, 0, 1)
    Atomics.notify(wake, 0)
  })
}

void main()
