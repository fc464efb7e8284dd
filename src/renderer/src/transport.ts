// The renderer's side of the contract, over whichever transport exists: the Electron preload's bridge, or a
// WebSocket to serve mode. Every call settles: errors come back as ApiError with the Node side's code.
import type { Envelope } from '../../shared/channels'
import {
  ApiError,
  type Api,
  type Channel,
  type ErrorCode,
  type EventName,
  type Events,
  type Request,
  type Response
} from '../../shared/contract'
import { decodeFrame, encodeFrame, type ServerMessage } from '../../shared/wire'

interface Bridge {
  invoke(channel: string, request: unknown): Promise<Envelope<unknown>>
  on(event: string, listener: (payload: unknown) => void): () => void
  /** The path of a dropped file (Electron's webUtils.getPathForFile). */
  pathForFile(file: File): string
}

declare global {
  interface Window {
    arrayscopeBridge?: Bridge
  }
}

function unwrap<T>(env: Envelope<unknown>): T {
  if (env.ok) return env.value as T
  throw new ApiError(env.error.code as ErrorCode, env.error.message)
}

function electronApi(bridge: Bridge): Api {
  return {
    invoke: async (channel, request) => unwrap(await bridge.invoke(channel, request)),
    on: (event, listener) => bridge.on(event, listener as (p: unknown) => void)
  }
}

function socketApi(): Api {
  const token = new URLSearchParams(location.search).get('token') ?? ''
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  let nextId = 1
  let closedError: ApiError | null = null
  const ws = new WebSocket(url)
  ws.binaryType = 'arraybuffer'
  const opened = new Promise<void>((resolve) => ws.addEventListener('open', () => resolve()))
  ws.addEventListener('message', (e: MessageEvent<ArrayBuffer>) => {
    const msg = decodeFrame(new Uint8Array(e.data)) as ServerMessage
    if ('event' in msg) {
      for (const l of listeners.get(msg.event) ?? []) l(msg.payload)
      return
    }
    const p = pending.get(msg.id)
    if (!p) return
    pending.delete(msg.id)
    if (msg.ok) p.resolve(msg.value)
    else p.reject(new ApiError(msg.error.code as ErrorCode, msg.error.message))
  })
  ws.addEventListener('close', () => {
    closedError = new ApiError('io', 'the connection to the ArrayScope server was lost: restart `arrayscope serve`')
    for (const p of pending.values()) p.reject(closedError)
    pending.clear()
  })
  return {
    async invoke<C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>> {
      await Promise.race([opened, new Promise((r) => ws.addEventListener('close', r))])
      if (closedError || ws.readyState !== ws.OPEN) throw closedError ?? new ApiError('io', 'not connected')
      const id = nextId++
      return new Promise<Response<C>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        ws.send(encodeFrame({ id, channel, request }))
      })
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void) {
      const set = listeners.get(event) ?? new Set()
      set.add(listener as (p: unknown) => void)
      listeners.set(event, set)
      return () => set.delete(listener as (p: unknown) => void)
    }
  }
}

export const api: Api = window.arrayscopeBridge ? electronApi(window.arrayscopeBridge) : socketApi()
export const isElectron = Boolean(window.arrayscopeBridge)
/** Electron-only extras (menu commands, dropped files); undefined in serve mode. */
export const bridge: Bridge | undefined = window.arrayscopeBridge
