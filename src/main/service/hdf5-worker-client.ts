// The main thread's end of the HDF5 worker (hdf5-worker.ts): starts it for one dataset, sends region reads and
// awaits their answers. The built app ships the worker as out/main/hdf5-worker.js (an entry of
// electron.vite.config.ts); run from the TypeScript sources (the tests), the entry is bundled on the fly with
// esbuild (a build tool already there) into node_modules/.cache, where it finds h5wasm as the build does.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import pathModule from 'node:path'
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads'
import { ApiError } from '../../shared/contract'
import type { ErrorCode } from '../../shared/errors'
import type { RegionSpec } from './hdf5-region'

/** How long a synchronous read may wait for the worker before giving up (the library never takes that long). */
const SYNC_LIMIT_MS = 300_000

let bundled: string | undefined

/** The worker's script: the built one beside this bundle, or the sources bundled for a run from them. */
function workerScript(): string {
  if (!__filename.endsWith('.ts')) {
    for (const dir of [__dirname, pathModule.dirname(__dirname)]) {
      const built = pathModule.join(dir, 'hdf5-worker.js')
      if (fs.existsSync(built)) return built
    }
    throw new ApiError('internal', `hdf5-worker.js is not beside ${__dirname}: the build is incomplete`)
  }
  if (bundled) return bundled
  const root = pathModule.resolve(__dirname, '..', '..', '..')
  const dir = pathModule.join(root, 'node_modules', '.cache', 'arrayscope')
  fs.mkdirSync(dir, { recursive: true })
  const out = pathModule.join(dir, 'hdf5-worker.js')
  // written whole and renamed: test processes running side by side each replace it atomically
  const tmp = `${out}.${process.pid}.tmp`
  const esbuild = createRequire(__filename)('esbuild') as typeof import('esbuild')
  esbuild.buildSync({
    entryPoints: [pathModule.join(__dirname, 'hdf5-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['h5wasm'],
    outfile: tmp,
    logLevel: 'error'
  })
  fs.renameSync(tmp, out)
  bundled = out
  return out
}

interface Answer {
  id: number
  written?: number
  error?: { code: string; message: string }
}

function apiError(e: { code: string; message: string }): ApiError {
  return new ApiError(e.code as ErrorCode, e.message)
}

export class H5Worker {
  private readonly worker: Worker
  private readonly syncPort: MessagePort
  private readonly wake: Int32Array
  private readonly pending = new Map<number, { resolve: (n: number) => void; reject: (e: Error) => void }>()
  private next = 1
  private closed = false

  private constructor(spec: RegionSpec) {
    const channel = new MessageChannel()
    const flag = new SharedArrayBuffer(4)
    this.wake = new Int32Array(flag)
    this.syncPort = channel.port1
    this.worker = new Worker(workerScript(), {
      workerData: { spec, syncPort: channel.port2, flag },
      transferList: [channel.port2]
    })
    this.worker.on('message', (a: Answer) => {
      const p = this.pending.get(a.id)
      if (!p) return
      this.pending.delete(a.id)
      this.idle()
      if (a.error) p.reject(apiError(a.error))
      else p.resolve(a.written ?? 0)
    })
    this.worker.on('error', (e) => this.fail(e))
    this.worker.on('exit', () => this.fail(new ApiError('closed', 'the dataset was closed')))
  }

  /** Starts the worker; it answers once the library has opened the file and checked the path. */
  static start(spec: RegionSpec): Promise<H5Worker> {
    const w = new H5Worker(spec)
    return new Promise((resolve, reject) => {
      const onReady = (m: { ready?: boolean; error?: { code: string; message: string } }): void => {
        if (m.ready === undefined) return
        w.worker.off('message', onReady)
        w.worker.off('exit', onExit)
        if (m.ready) {
          w.idle()
          resolve(w)
        } else {
          w.close()
          reject(apiError(m.error!))
        }
      }
      const onExit = (): void => reject(new ApiError('io', `the HDF5 library's thread ended opening ${spec.path}`))
      w.worker.on('message', onReady)
      w.worker.once('exit', onExit)
    })
  }

  /** Reads a region into the copy; resolves with the bytes written. */
  fill(start: number[], count: number[]): Promise<number> {
    if (this.closed) return Promise.reject(new ApiError('closed', 'the dataset was closed'))
    const id = this.next++
    // a pending read keeps the process alive (the CLI awaits it); an idle worker does not
    this.worker.ref()
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ id, start, count })
    })
  }

  /** Reads a region now, blocking this thread until the worker answers (for callers that cannot await). */
  fillSync(start: number[], count: number[]): number {
    if (this.closed) throw new ApiError('closed', 'the dataset was closed')
    Atomics.store(this.wake, 0, 0)
    this.syncPort.postMessage({ id: 0, start, count })
    const until = Date.now() + SYNC_LIMIT_MS
    for (;;) {
      Atomics.wait(this.wake, 0, 0, 1000)
      const got = receiveMessageOnPort(this.syncPort)
      if (got) {
        const a = got.message as Answer
        if (a.error) throw apiError(a.error)
        return a.written ?? 0
      }
      if (Date.now() > until) throw new ApiError('io', 'the HDF5 library did not answer a read for 5 minutes')
    }
  }

  /** Closes the library's file and the copy's descriptor in the worker, which then ends; pending reads fail. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.worker.postMessage({ close: true })
    this.syncPort.close()
    this.worker.unref()
    this.fail(new ApiError('closed', 'the dataset was closed'))
  }

  private idle(): void {
    if (this.pending.size === 0) this.worker.unref()
  }

  private fail(e: Error): void {
    const waiting = [...this.pending.values()]
    this.pending.clear()
    for (const p of waiting) p.reject(e)
  }
}
