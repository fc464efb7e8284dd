// Reading stored numbers for the recodes (recode.ts, recode-minc.ts): a numpy dtype's number reader, and exact
// reads that say where the file ends too early.
import fs from 'node:fs'
import { ApiError } from '../../shared/contract'

type Getter = (v: DataView, at: number) => number

/** A number reader for a numpy dtype ('<f8', '>i2', '|u1' …), and its size. */
export function getter(dtype: string): { get: Getter; size: number } {
  const little = dtype[0] !== '>'
  const code = dtype.slice(1)
  const table: Record<string, [Getter, number]> = {
    f8: [(v, a) => v.getFloat64(a, little), 8],
    f4: [(v, a) => v.getFloat32(a, little), 4],
    i8: [(v, a) => Number(v.getBigInt64(a, little)), 8],
    u8: [(v, a) => Number(v.getBigUint64(a, little)), 8],
    i4: [(v, a) => v.getInt32(a, little), 4],
    u4: [(v, a) => v.getUint32(a, little), 4],
    i2: [(v, a) => v.getInt16(a, little), 2],
    u2: [(v, a) => v.getUint16(a, little), 2],
    i1: [(v, a) => v.getInt8(a), 1],
    u1: [(v, a) => v.getUint8(a), 1]
  }
  const t = table[code]
  if (!t) throw new ApiError('layout', `cannot recode values stored as ${dtype}`)
  return { get: t[0], size: t[1] }
}

export function readAt(fd: number, offset: number, length: number, what: string): Uint8Array {
  const buf = new Uint8Array(length)
  let done = 0
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, offset + done)
    if (n === 0) throw new ApiError('layout', `${what}: the file ends at byte ${offset + done}, before its data ends`)
    done += n
  }
  return buf
}
