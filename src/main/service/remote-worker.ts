// The thread that reads remote ranges for callers that cannot await (the CLI's show, a derived array's window, a
// container's header parsed synchronously): the main thread posts the ranges on a port and blocks on an Atomics
// flag; this thread fetches them (remote-fetch.ts, with its retries and validator), writes them into the
// object's temporary copy and wakes it. Asynchronous reads never come here: they run on the main thread's loop.
import fs from 'node:fs'
import { workerData, type MessagePort } from 'node:worker_threads'
import { readRange } from './remote-fetch'
import { underPrefix } from './remote-url'

export interface SyncRead {
  url: string
  validator: string | null
  /**
   * The copy's descriptor (threads share the process's descriptors: the file the main thread maps, even when
   * its path was replaced since) and the ranges [offset, length] to write into it.
   */
  fd: number
  ranges: [number, number][]
  /** Serve mode's --remote prefixes (redirects are followed only inside them), or null: any. */
  prefixes: string[] | null
}

export interface SyncAnswer {
  bytes?: number
  error?: { code: string; message: string }
}

function errorOf(e: unknown): { code: string; message: string } {
  const code = (e as { code?: unknown }).code
  return {
    code: typeof code === 'string' && /^[a-z-]+$/.test(code) ? code : 'io',
    message: e instanceof Error ? e.message : String(e)
  }
}

async function answer(r: SyncRead): Promise<SyncAnswer> {
  const allows = r.prefixes ? (u: string) => underPrefix(u, r.prefixes!) : undefined
  const fd = r.fd
  try {
    let total = 0
    await Promise.all(
      r.ranges.map(async ([offset, length]) => {
        const bytes = await readRange(r.url, r.validator, offset, length, allows ? { allows } : {})
        for (let done = 0; done < bytes.length; )
          done += fs.writeSync(fd, bytes, done, bytes.length - done, offset + done)
        total += bytes.length
      })
    )
    return { bytes: total }
  } catch (e) {
    return { error: errorOf(e) }
  }
}

function main(): void {
  const { port, flag } = workerData as { port: MessagePort; flag: SharedArrayBuffer }
  const wake = new Int32Array(flag)
  port.on(
    'message',
    (r: SyncRead) =>
      void answer(r).then((a) => {
        port.postMessage(a)
        Atomics.store(wake, 0, 1)
        Atomics.notify(wake, 0)
      })
  )
}

main()
