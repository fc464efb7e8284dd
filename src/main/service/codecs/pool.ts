// The codec workers: up to one thread per core (at most 4), started when a codec first needs one, unreferenced
// while idle (they never keep a command alive). A request goes to the lane with the fewest in flight, a new lane
// starting while every lane is busy. A synchronous caller (the CLI's show, a derived window) posts on the first
// lane's own port and blocks on an Atomics flag until the answer is there.
import os from 'node:os'
import pathModule from 'node:path'
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads'
import { ApiError } from '../../../shared/contract'
import type { ErrorCode } from '../../../shared/errors'
import { workerScript } from '../worker-script'
import { CodecError } from './errors'
import type { CodecAnswer, CodecRequest, WorkerCodec } from './worker'

const LANES = Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length))
/** How long a synchronous decode may wait (a chunk never takes that long). */
const SYNC_LIMIT_MS = 300_000
/** The packages the worker loads at run time (they stay outside its bundle, as in the app's build). */
const EXTERNAL = ['zstd-napi', 'numcodecs', 'seek-bzip']

function script(): string {
  return workerScript('codec-worker', pathModule.join(__dirname, 'worker.ts'), EXTERNAL)
}

class Lane {
  readonly worker: Worker
  readonly syncPort: MessagePort
  readonly wake: Int32Array
  readonly pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>()
  dead = false

  constructor() {
    const channel = new MessageChannel()
    const flag = new SharedArrayBuffer(4)
    this.wake = new Int32Array(flag)
    this.syncPort = channel.port1
    // read only by receiveMessageOnPort: it must not keep the process alive (a command would hang after its output)
    this.syncPort.unref()
    this.worker = new Worker(script(), { workerData: { syncPort: channel.port2, flag }, transferList: [channel.port2] })
    this.worker.on('message', (a: CodecAnswer) => {
      const p = this.pending.get(a.id)
      if (!p) return
      this.pending.delete(a.id)
      if (this.pending.size === 0) this.worker.unref()
      if (a.error) p.reject(failure(a))
      else p.resolve(a.output!)
    })
    const fail = (e: Error): void => {
      this.dead = true
      lanes.splice(lanes.indexOf(this), 1)
      const waiting = [...this.pending.values()]
      this.pending.clear()
      for (const p of waiting) p.reject(e)
    }
    this.worker.on('error', (e) => fail(new Error(`a codec thread failed: ${e.message}`)))
    this.worker.on('exit', () => fail(new Error('a codec thread ended')))
    // after the listeners (adding a 'message' listener refs the worker's port again): an idle lane, or one only a
    // synchronous caller uses, never keeps the process alive
    this.worker.unref()
  }
}

function failure(a: CodecAnswer): Error {
  const e = a.error!
  if (e.codec) return new CodecError(e.message)
  return e.code ? new ApiError(e.code as ErrorCode, e.message) : new Error(e.message)
}

const lanes: Lane[] = []
let next = 1

function lane(): Lane {
  let best = lanes[0]
  for (const l of lanes) if (l.pending.size < best!.pending.size) best = l
  if (!best || (best.pending.size > 0 && lanes.length < LANES)) {
    best = new Lane()
    lanes.push(best)
  }
  return best
}

/** Decodes on a codec worker; resolves with the decoded bytes (a CodecError when the bytes are damaged). */
export function decodeOnWorker(codec: WorkerCodec, input: Uint8Array, expected: number): Promise<Uint8Array> {
  const l = lane()
  const id = next++
  l.worker.ref()
  return new Promise((resolve, reject) => {
    l.pending.set(id, { resolve, reject })
    const r: CodecRequest = { id, codec, input, expected }
    l.worker.postMessage(r)
  })
}

/** The same, blocking this thread until the worker answers (for callers that cannot await). */
export function decodeOnWorkerSync(codec: WorkerCodec, input: Uint8Array, expected: number): Uint8Array {
  const l = lanes[0] ?? lane()
  Atomics.store(l.wake, 0, 0)
  const r: CodecRequest = { id: 0, codec, input, expected }
  l.syncPort.postMessage(r)
  const until = Date.now() + SYNC_LIMIT_MS
  for (;;) {
    Atomics.wait(l.wake, 0, 0, 1000)
    const got = receiveMessageOnPort(l.syncPort)
    if (got) {
      const a = got.message as CodecAnswer
      if (a.error) throw failure(a)
      return a.output!
    }
    if (l.dead) throw new Error('a codec thread ended')
    if (Date.now() > until) throw new Error('a codec thread did not answer for 5 minutes')
  }
}
