// One WebSocket connection of serve mode: requests in, replies and events out, as binary frames (wire.ts).
// Nothing a client sends can end the server: protocol errors (unmasked or oversize frames, unknown opcodes,
// invalid UTF-8) make ws close the socket with the matching close code, and every request is answered with its
// own id, even when its frame is malformed. The sessions a connection opened are closed when it goes.
import { randomUUID } from 'node:crypto'
import type { WebSocket } from 'ws'
import { ApiError, isChannel } from '../../shared/contract'
import { decodeFrame, encodeFrame, messageId, WireError, type ServerMessage } from '../../shared/wire'
import type { ArrayService } from '../service/array-service'
import { toApiError } from '../service/errors'

/** The id of a request whose frame could not be decoded far enough to read one. */
export const UNKNOWN_ID = -1

/** The id in a text frame or a frame whose bytes did not decode, when its JSON still says one. */
function salvageId(data: Buffer): number {
  try {
    return messageId(JSON.parse(data.toString('utf8'))) ?? UNKNOWN_ID
  } catch {
    return UNKNOWN_ID
  }
}

export function serveConnection(ws: WebSocket, service: ArrayService): void {
  const client = `ws:${randomUUID()}`
  // ws reports protocol violations here, then closes the socket with 1002/1007/1009; without a listener the
  // 'error' event would throw and end the process.
  ws.on('error', () => undefined)
  ws.on('close', () => service.closeClient(client))
  ws.on('message', (data: Buffer, isBinary: boolean) => void handle(data, isBinary))

  async function handle(data: Buffer, isBinary: boolean): Promise<void> {
    let id = UNKNOWN_ID
    let reply: ServerMessage
    try {
      if (!isBinary) {
        id = salvageId(data)
        throw new ApiError('bad-request', 'messages must be binary frames (see src/shared/wire.ts)')
      }
      let msg: unknown
      try {
        msg = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
      } catch (e) {
        if (e instanceof WireError && e.id !== null) id = e.id
        throw e
      }
      const known = messageId(msg)
      if (known === null) throw new ApiError('bad-request', 'malformed message: it needs a numeric id')
      id = known
      const { channel, request } = msg as { channel?: unknown; request?: unknown }
      if (!isChannel(channel)) throw new ApiError('bad-request', `unknown channel ${String(channel)}`)
      reply = { id, ok: true, value: await service.handle(channel, request, client) }
    } catch (error) {
      const e = toApiError(error)
      reply = { id, ok: false, error: { code: e.code, message: e.message } }
    }
    if (ws.readyState !== ws.OPEN) return
    let frame: Uint8Array
    try {
      frame = encodeFrame(reply)
    } catch (error) {
      const e = toApiError(error)
      frame = encodeFrame({ id, ok: false, error: { code: e.code, message: e.message } })
    }
    ws.send(frame)
  }
}
