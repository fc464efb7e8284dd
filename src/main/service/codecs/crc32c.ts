// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as Zarr v3's crc32c codec and the sharding index use
// it: the checksum of the bytes before it, stored as 4 little-endian bytes after them. Table-driven, 8 bytes a
// step (slicing-by-8: eight tables of 256 entries, each the one before advanced by a zero byte).
import { CodecError } from './errors'

const TABLES: Uint32Array[] = (() => {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256))
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1
    t[0]![n] = c >>> 0
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) t[k]![n] = (t[k - 1]![n]! >>> 8) ^ t[0]![t[k - 1]![n]! & 0xff]!
  }
  return t
})()

/** The CRC-32C of bytes (crc carries on from an earlier part). */
export function crc32c(bytes: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array
  ]
  let c = ~crc >>> 0
  let i = 0
  const n = bytes.length
  for (; i + 8 <= n; i += 8) {
    const a = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))
    c =
      t7[a & 0xff]! ^
      t6[(a >>> 8) & 0xff]! ^
      t5[(a >>> 16) & 0xff]! ^
      t4[a >>> 24]! ^
      t3[bytes[i + 4]!]! ^
      t2[bytes[i + 5]!]! ^
      t1[bytes[i + 6]!]! ^
      t0[bytes[i + 7]!]!
  }
  for (; i < n; i++) c = t0[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}

/** Checks the 4 little-endian checksum bytes at the end and returns the bytes before them. */
export function checkCrc32c(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 4) throw new CodecError(`it is ${bytes.length} bytes, shorter than its crc32c checksum`)
  const body = bytes.subarray(0, bytes.length - 4)
  const t = body.length
  const stored = (bytes[t]! | (bytes[t + 1]! << 8) | (bytes[t + 2]! << 16) | (bytes[t + 3]! << 24)) >>> 0
  const sum = crc32c(body)
  if (stored !== sum) {
    throw new CodecError(
      `its crc32c checksum fails (stored 0x${stored.toString(16).padStart(8, '0')}, computed 0x${sum.toString(16).padStart(8, '0')}): the bytes are corrupted`
    )
  }
  return body
}
