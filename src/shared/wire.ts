// Binary WebSocket frames for serve mode. A frame is
//   u32 jsonLength | JSON (utf-8) | u32 count | count × (u32 length | bytes)
// where every Uint8Array in the message was replaced in the JSON by {"$bin": k}. Bytes travel as bytes,
// never as base64 or number arrays.
import type { Envelope } from './channels'
import { BadRequestError } from './errors'

export type ClientMessage = { id: number; channel: string; request: unknown }
/** A reply carries the same envelope as the Electron transport (channels.ts), tagged with its request's id. */
export type ServerMessage = ({ id: number } & Envelope<unknown>) | { event: string; payload: unknown }

export function encodeFrame(message: unknown): Uint8Array {
  const blobs: Uint8Array[] = []
  const json = JSON.stringify(message, (_key, value: unknown) => {
    if (value instanceof Uint8Array) {
      blobs.push(value)
      return { $bin: blobs.length - 1 }
    }
    return value
  })
  const head = new TextEncoder().encode(json)
  let total = 4 + head.length + 4
  for (const b of blobs) total += 4 + b.length
  const out = new Uint8Array(total)
  const view = new DataView(out.buffer)
  let o = 0
  view.setUint32(o, head.length, true)
  o += 4
  out.set(head, o)
  o += head.length
  view.setUint32(o, blobs.length, true)
  o += 4
  for (const b of blobs) {
    view.setUint32(o, b.length, true)
    o += 4
    out.set(b, o)
    o += b.length
  }
  return out
}

/** A frame that cannot be decoded; id is the request's id when the frame got far enough to tell it. */
export class WireError extends BadRequestError {
  constructor(
    message: string,
    readonly id: number | null = null
  ) {
    super(message)
  }
}

/** Deeper JSON than any request of the contract needs is refused, not walked. */
const MAX_DEPTH = 64

/** The id of a decoded message, when it has a usable one. */
export function messageId(message: unknown): number | null {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return null
  const id = (message as { id?: unknown }).id
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : null
}

export function decodeFrame(frame: Uint8Array): unknown {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
  const need = (o: number, n: number): void => {
    if (o + n > frame.length) throw new WireError('truncated frame: its lengths point past its end')
  }
  let o = 0
  need(o, 4)
  const jsonLength = view.getUint32(o, true)
  o += 4
  need(o, jsonLength)
  let message: unknown
  try {
    message = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(o, o + jsonLength)))
  } catch (e) {
    throw new WireError(`the frame's JSON part does not parse: ${(e as Error).message}`)
  }
  // From here on the id is known, so every error can be answered to the request it belongs to.
  const id = messageId(message)
  o += jsonLength
  need(o, 4)
  const count = view.getUint32(o, true)
  o += 4
  const blobs: Uint8Array[] = []
  for (let k = 0; k < count; k++) {
    if (o + 4 > frame.length) throw new WireError('truncated frame: its lengths point past its end', id)
    const n = view.getUint32(o, true)
    o += 4
    if (o + n > frame.length) throw new WireError('truncated frame: its lengths point past its end', id)
    blobs.push(frame.slice(o, o + n))
    o += n
  }
  const resolve = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value !== 'object') return value
    if (depth > MAX_DEPTH) throw new WireError(`the message is nested more than ${MAX_DEPTH} levels deep`, id)
    if (Array.isArray(value)) {
      for (let k = 0; k < value.length; k++) value[k] = resolve(value[k], depth + 1) as unknown
      return value
    }
    const record = value as Record<string, unknown>
    if ('$bin' in record) {
      const k = record.$bin
      if (typeof k !== 'number' || !blobs[k]) {
        throw new WireError(`bad binary reference ${JSON.stringify(k)}: the frame has ${blobs.length} byte blocks`, id)
      }
      return blobs[k]
    }
    for (const key of Object.keys(record)) {
      const before = record[key]
      const after = resolve(before, depth + 1)
      // defineProperty, not assignment: a key named "__proto__" must stay a plain property
      if (after !== before) Object.defineProperty(record, key, { value: after, enumerable: true, writable: true })
    }
    return record
  }
  return resolve(message, 0)
}
