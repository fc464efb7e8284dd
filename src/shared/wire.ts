// Binary WebSocket frames for serve mode. A frame is
//   u32 jsonLength | JSON (utf-8) | u32 count | count × (u32 length | bytes)
// where every Uint8Array in the message was replaced in the JSON by {"$bin": k}. Bytes travel as bytes,
// never as base64 or number arrays.

export type ClientMessage = { id: number; channel: string; request: unknown }
export type ServerMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { code: string; message: string } }
  | { event: string; payload: unknown }

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

export class WireError extends Error {}

export function decodeFrame(frame: Uint8Array): unknown {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
  const need = (o: number, n: number): void => {
    if (o + n > frame.length) throw new WireError('truncated frame')
  }
  let o = 0
  need(o, 4)
  const jsonLength = view.getUint32(o, true)
  o += 4
  need(o, jsonLength)
  const json = new TextDecoder().decode(frame.subarray(o, o + jsonLength))
  o += jsonLength
  need(o, 4)
  const count = view.getUint32(o, true)
  o += 4
  const blobs: Uint8Array[] = []
  for (let k = 0; k < count; k++) {
    need(o, 4)
    const n = view.getUint32(o, true)
    o += 4
    need(o, n)
    blobs.push(frame.slice(o, o + n))
    o += n
  }
  return JSON.parse(json, (_key, value: unknown) => {
    if (value && typeof value === 'object' && '$bin' in value) {
      const k = (value as { $bin: unknown }).$bin
      if (typeof k !== 'number' || !blobs[k]) throw new WireError('bad binary reference')
      return blobs[k]
    }
    return value
  }) as unknown
}
