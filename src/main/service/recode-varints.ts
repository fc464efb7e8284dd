// ONNX initializers stored in int32_data / int64_data / uint64_data: protobuf varints (int32s sign-extended to 64
// bits; float16, bfloat16 and float8 as their bit patterns), written into the copy as the element type's
// little-endian low bytes — what onnx.numpy_helper.to_array gives. Read in pieces; the count must match the dims.
import fs from 'node:fs'
import type { Recode } from '../../shared/containers'
import { ApiError } from '../../shared/contract'
import { parseDType } from '../../shared/structured'

const PIECE = 1 << 20

/** Reads len bytes at offset (fewer at the end of the file). */
function readSome(fd: number, offset: number, length: number): Uint8Array {
  const buf = new Uint8Array(length)
  let done = 0
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, offset + done)
    if (n === 0) break
    done += n
  }
  return buf.subarray(0, done)
}

export function writeVarints(
  inFd: number,
  outFd: number,
  r: Extract<Recode, { kind: 'varints' }>,
  outDtype: string,
  name: string
): void {
  const size = parseDType(outDtype).itemsize
  const out = new Uint8Array(Math.min(r.count, PIECE) * size)
  let filled = 0
  let written = 0
  let count = 0
  let value = 0n
  let shift = 0n
  const end = r.offset + r.nbytes
  for (let at = r.offset; at < end; ) {
    const piece = readSome(inFd, at, Math.min(PIECE, end - at))
    if (piece.length === 0) throw new ApiError('layout', `'${name}': the file ends at byte ${at}, inside its values`)
    for (const b of piece) {
      value |= BigInt(b & 0x7f) << shift
      shift += 7n
      if (b & 0x80) {
        if (shift > 63n) throw new ApiError('layout', `'${name}': a varint longer than 10 bytes at value ${count}`)
        continue
      }
      if (count >= r.count) {
        throw new ApiError('layout', `'${name}' holds more than the ${r.count} values its dims give`)
      }
      let v = BigInt.asUintN(64, value)
      for (let k = 0; k < size; k++) {
        out[filled++] = Number(v & 0xffn)
        v >>= 8n
      }
      count++
      value = 0n
      shift = 0n
      if (filled === out.length) {
        fs.writeSync(outFd, out, 0, filled, written)
        written += filled
        filled = 0
      }
    }
    at += piece.length
  }
  if (shift !== 0n) throw new ApiError('layout', `'${name}': its last varint is cut short`)
  if (count !== r.count) {
    throw new ApiError('layout', `'${name}' holds ${count} values, its dims give ${r.count}`)
  }
  if (filled) fs.writeSync(outFd, out, 0, filled, written)
}
