// The preload: exposes exactly the contract's API to the sandboxed renderer, nothing else.
// It imports only channels.ts (no schema library): a sandboxed preload can load nothing but electron.
import { contextBridge, ipcRenderer, webUtils } from 'electron'
import { CHANNEL_NAMES, EVENT_NAMES, type Envelope } from '../shared/channels'

const channels = new Set<string>(CHANNEL_NAMES)
const events = new Set<string>(EVENT_NAMES)

const bridge = {
  invoke(channel: string, request: unknown): Promise<Envelope<unknown>> {
    if (!channels.has(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'bad-request', message: `unknown channel ${channel}` } })
    }
    return ipcRenderer.invoke(channel, request) as Promise<Envelope<unknown>>
  },
  on(event: string, listener: (payload: unknown) => void): () => void {
    if (!events.has(event)) throw new Error(`unknown event ${event}`)
    const wrapped = (_e: unknown, payload: unknown): void => listener(payload)
    ipcRenderer.on(event, wrapped)
    return () => ipcRenderer.removeListener(event, wrapped)
  },
  pathForFile(file: File): string {
    return webUtils.getPathForFile(file)
  }
}

export type Bridge = typeof bridge

contextBridge.exposeInMainWorld('arrayscopeBridge', bridge)
