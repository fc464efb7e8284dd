// A codec worker thread (pool.ts starts up to one per core): decodes what the main thread sends with the codecs
// whose libraries are synchronous or WebAssembly (zstd, bz2, blosc), so the event loop stays free. Requests come on
// the parent port; a synchronous caller sends on its own port and waits on an Atomics flag this thread raises.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { background } from '../worker-script'
import { bloscHere } from './blosc'
import { bz2Sync } from './bz2'
import { CodecError } from './errors'
import { zstdSync } from './zstd'

export type WorkerCodec = 'zstd' | 'bz2' | 'blosc'

export interface CodecRequest {
  id: number
  codec: WorkerCodec
  input: Uint8Array
  expected: number
}

export interface CodecAnswer {
  id: number
  output?: Uint8Array
  /** A CodecError's message (damaged bytes), or another failure's. */
  error?: { codec: boolean; message: string; code?: string }
}

async function answer(r: CodecRequest): Promise<CodecAnswer> {
  try {
    const output =
      r.codec === 'blosc'
        ? await bloscHere(r.input, r.expected)
        : r.codec === 'zstd'
          ? zstdSync(r.input, r.expected)
          : bz2Sync(r.input, r.expected)
    return { id: r.id, output }
  } catch (e) {
    const code = (e as { code?: unknown }).code
    return {
      id: r.id,
      error: {
        codec: e instanceof CodecError,
        message: (e as Error).message,
        ...(typeof code === 'string' && /^[a-z-]+$/.test(code) ? { code } : {})
      }
    }
  }
}

function transfer(a: CodecAnswer): ArrayBuffer[] {
  return a.output && a.output.byteOffset === 0 && a.output.byteLength === a.output.buffer.byteLength
    ? [a.output.buffer as ArrayBuffer]
    : []
}

function main(): void {
  background()
  const port = parentPort!
  const { syncPort, flag } = workerData as { syncPort: MessagePort; flag: SharedArrayBuffer }
  const wake = new Int32Array(flag)
  port.on('message', (r: CodecRequest) => {
    void answer(r).then((a) => port.postMessage(a, transfer(a)))
  })
  syncPort.on('message', (r: CodecRequest) => {
    void answer(r).then((a) => {
      syncPort.postMessage(a, transfer(a))
      Atomics.store(wake, 0, 1)
      Atomics.notify(wake, 0)
    })
  })
}

main()
