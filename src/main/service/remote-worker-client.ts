// The main thread's end of remote-worker.ts: one thread for the process, started on the first synchronous read
// of a remote object, unreferenced so it never keeps a process alive. The built app ships it as
// out/main/remote-worker.js (an entry of electron.vite.config.ts); run from the sources (the tests), the entry is
// bundled on the fly with esbuild, as the HDF5 worker is.
import pathModule from 'node:path'
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads'
import { ApiError } from '../../shared/contract'
import type { ErrorCode } from '../../shared/errors'
import type { SyncAnswer, SyncRead } from './remote-worker'
import { workerScript } from './worker-script'

/** How long a synchronous read may wait (the fetch's own timeouts and retries end well before). */
const SYNC_LIMIT_MS = 300_000

/** The worker's script: out/main/remote-worker.js, or the source bundled on the fly (worker-script.ts). */
function remoteWorkerScript(): string {
  return workerScript('remote-worker', pathModule.join(__dirname, 'remote-worker.ts'), ['@aws-sdk/*'])
}

let thread: { worker: Worker; port: MessagePort; wake: Int32Array } | undefined

function start(): NonNullable<typeof thread> {
  const channel = new MessageChannel()
  const flag = new SharedArrayBuffer(4)
  const worker = new Worker(remoteWorkerScript(), {
    workerData: { port: channel.port2, flag },
    transferList: [channel.port2]
  })
  worker.unref()
  channel.port1.unref()
  const t = { worker, port: channel.port1, wake: new Int32Array(flag) }
  worker.on('error', () => {
    if (thread === t) thread = undefined
  })
  worker.on('exit', () => {
    if (thread === t) thread = undefined
  })
  return t
}

/** Fetches ranges of a remote object into its copy now, blocking this thread until they are written. */
export function fetchIntoCopySync(r: SyncRead): number {
  thread ??= start()
  const t = thread
  Atomics.store(t.wake, 0, 0)
  t.port.postMessage(r)
  const until = Date.now() + SYNC_LIMIT_MS
  for (;;) {
    Atomics.wait(t.wake, 0, 0, 1000)
    const got = receiveMessageOnPort(t.port)
    if (got) {
      const a = got.message as SyncAnswer
      if (a.error) throw new ApiError(a.error.code as ErrorCode, a.error.message)
      return a.bytes ?? 0
    }
    if (Date.now() > until) throw new ApiError('io', `${r.url}: no answer for 5 minutes`)
  }
}
