// The main thread's end of the HDF5 worker (hdf5-worker.ts): starts it for one dataset, sends region reads and
// awaits their answers. The built app ships the worker as out/main/hdf5-worker.js (an entry of
// electron.vite.config.ts); run from the TypeScript sources (the tests), the entry is bundled on the fly with
// esbuild (a build tool already there) into node_modules/.cache, where it finds h5wasm as the build does.
import pathModule from 'node:path'
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads'
import { ApiError } from '../../shared/contract'
import type { ErrorCode } from '../../shared/errors'
import type { DType } from '../../shared/structured'
import type { RegionSpec } from './hdf5-region'
import type { WorkerAnswer, WorkerRequest } from './hdf5-worker'
import { workerScript } from './worker-script'

/** How long a synchronous read may wait for the worker before giving up (the library never takes that long). */
const SYNC_LIMIT_MS = 300_000
/** How long the thread outlives the last open dataset. */
const IDLE_MS = 1000

/** The worker's script: the built one beside this bundle, or the sources bundled for a run from them. */
function script(): string {
  return workerScript('hdf5-worker', pathModule.join(__dirname, 'hdf5-worker.ts'), ['h5wasm'])
}

function apiError(e: { code: string; message: string }): ApiError {
  return new ApiError(e.code as ErrorCode, e.message)
}

/** The one worker thread of the process, alive while some dataset is open. */
class Thread {
  readonly worker: Worker
  readonly syncPort: MessagePort
  readonly wake: Int32Array
  private readonly pending = new Map<number, { resolve: (a: WorkerAnswer) => void; reject: (e: Error) => void }>()
  private next = 1
  handles = 0
  dead = false

  constructor() {
    const channel = new MessageChannel()
    const flag = new SharedArrayBuffer(4)
    this.wake = new Int32Array(flag)
    this.syncPort = channel.port1
    this.worker = new Worker(script(), {
      workerData: { syncPort: channel.port2, flag },
      transferList: [channel.port2]
    })
    this.worker.unref()
    this.worker.on('message', (a: WorkerAnswer) => {
      const p = this.pending.get(a.id)
      if (!p) return
      this.pending.delete(a.id)
      // a pending request keeps the process alive (the CLI awaits it); an idle thread does not
      if (this.pending.size === 0) this.worker.unref()
      p.resolve(a)
    })
    const fail = (e: Error): void => {
      this.dead = true
      if (thread === this) thread = undefined
      const waiting = [...this.pending.values()]
      this.pending.clear()
      for (const p of waiting) p.reject(e)
    }
    this.worker.on('error', (e) => fail(new ApiError('io', `the HDF5 library's thread failed: ${e.message}`)))
    this.worker.on('exit', () => fail(new ApiError('closed', "the HDF5 library's thread ended")))
  }

  /** Sends a request (without its id) and resolves with the answer. */
  call(r: DistributiveOmit<WorkerRequest, 'id'>, last = false): Promise<WorkerAnswer> {
    if (this.dead && !last) return Promise.reject(new ApiError('closed', "the HDF5 library's thread ended"))
    const id = this.next++
    this.worker.ref()
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ ...r, id })
    })
  }

  /** Sends a request on the synchronous port and blocks this thread until the answer is there. */
  callSync(r: DistributiveOmit<WorkerRequest, 'id'>): WorkerAnswer {
    if (this.dead) throw new ApiError('closed', "the HDF5 library's thread ended")
    Atomics.store(this.wake, 0, 0)
    this.syncPort.postMessage({ ...r, id: 0 })
    const until = Date.now() + SYNC_LIMIT_MS
    for (;;) {
      Atomics.wait(this.wake, 0, 0, 1000)
      const got = receiveMessageOnPort(this.syncPort)
      if (got) return got.message as WorkerAnswer
      if (Date.now() > until) throw new ApiError('io', 'the HDF5 library did not answer a read for 5 minutes')
    }
  }

  /**
   * One dataset fewer; with none left for IDLE_MS (a command that opens the next one soon pays no new start of
   * the library), the thread ends, its file handles closed by then.
   */
  release(): void {
    if (--this.handles > 0) return
    setTimeout(() => {
      if (this.handles > 0 || this.dead) return
      this.dead = true
      if (thread === this) thread = undefined
      // after the answers to what was sent before (the last close among them)
      void this.call({ op: 'close', handle: 0 }, true).finally(() => {
        this.syncPort.close()
        void this.worker.terminate()
      })
    }, IDLE_MS).unref()
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

let thread: Thread | undefined
let handles = 0

/** One open dataset's end of the HDF5 thread. */
export class H5Worker {
  private closed = false

  private constructor(
    private readonly thread: Thread,
    private readonly handle: number
  ) {}

  /** Opens the dataset in the thread: the library opens the file and checks the path. */
  static async start(spec: RegionSpec): Promise<H5Worker> {
    thread ??= new Thread()
    const t = thread
    const handle = ++handles
    t.handles++
    let a: WorkerAnswer
    try {
      a = await t.call({ op: 'open', handle, spec })
    } catch (e) {
      t.release()
      throw e
    }
    if (a.error) {
      void t.call({ op: 'close', handle }).catch(() => undefined)
      t.release()
      throw apiError(a.error)
    }
    return new H5Worker(t, handle)
  }

  /** Reads a region into the copy; resolves with the bytes written. */
  async fill(start: number[], count: number[]): Promise<number> {
    if (this.closed) throw new ApiError('closed', 'the dataset was closed')
    const a = await this.thread.call({ op: 'fill', handle: this.handle, start, count })
    if (a.error) throw apiError(a.error)
    return a.written ?? 0
  }

  /** Reads a region now, blocking this thread until the worker answers (for callers that cannot await). */
  fillSync(start: number[], count: number[]): number {
    if (this.closed) throw new ApiError('closed', 'the dataset was closed')
    const a = this.thread.callSync({ op: 'fill', handle: this.handle, start, count })
    if (a.error) throw apiError(a.error)
    return a.written ?? 0
  }

  /** Closes the library's file and the copy's descriptor in the thread (which ends with the last dataset). */
  close(): void {
    if (this.closed) return
    this.closed = true
    void this.thread.call({ op: 'close', handle: this.handle }).catch(() => undefined)
    this.thread.release()
  }
}

/** The multi-byte atoms (offset, size) of a dtype, when every one of them is big-endian; else none. */
export function bigEndianAtoms(dt: DType): [number, number][] {
  const atoms: [number, number, boolean][] = []
  const walk = (t: DType, base: number): void => {
    if (t.kind === 'scalar') {
      if (t.itemsize === 1) return
      // a complex number is two floats
      if (t.type.kind === 'complex') {
        const h = t.itemsize / 2
        atoms.push([base, h, t.littleEndian], [base + h, h, t.littleEndian])
      } else atoms.push([base, t.itemsize, t.littleEndian])
      return
    }
    if (t.kind === 'struct') {
      for (const f of t.fields) {
        const n = f.shape.reduce((a, b) => a * b, 1)
        for (let k = 0; k < n; k++) walk(f.dtype, base + f.offset + k * f.dtype.itemsize)
      }
    }
  }
  walk(dt, 0)
  if (!atoms.length || atoms.some(([, , le]) => le)) return []
  return atoms.map(([o, n]) => [o, n])
}
