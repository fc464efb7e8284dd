// A protocol-buffers wire-format walker over a file read by offsets (ParseContext.read): varints, fixed 32/64,
// and length-delimited fields, each given as where its bytes are — so a 2 GB ONNX model's raw_data is skipped by
// its length, never read. Schema-free: the format module (onnx.ts) knows which field numbers it wants. Reads go
// through a small block cache: a field's header is a few bytes, and consecutive fields share a block.
import { ContainerError, type ReadFn } from './model'

export const VARINT = 0
export const FIXED64 = 1
export const LEN = 2
export const FIXED32 = 5

export interface Field {
  no: number
  wire: number
  /** The value of a varint or fixed field (a safe integer, or a bigint beyond 2^53). */
  value: number | bigint
  /** A length-delimited field's payload: its first byte in the file and its length. */
  start: number
  length: number
}

const BLOCK = 1 << 16

export class ProtoFile {
  private block: Uint8Array = new Uint8Array(0)
  private blockStart = 0

  constructor(
    private readonly src: { read: ReadFn; size: number },
    private readonly what: string
  ) {}

  get size(): number {
    return this.src.size
  }

  fail(msg: string, at: number): never {
    throw new ContainerError(`${this.what}: ${msg} (at byte ${at})`)
  }

  byte(at: number): number {
    if (at < this.blockStart || at >= this.blockStart + this.block.length) {
      if (at >= this.src.size) this.fail('a field runs past the end of the file: it is truncated', at)
      this.block = this.src.read(at, BLOCK)
      this.blockStart = at
      if (!this.block.length) this.fail('the file ends inside a field', at)
    }
    return this.block[at - this.blockStart]!
  }

  /** Bytes at [at, at + length): from the cache when they are in it. */
  bytes(at: number, length: number): Uint8Array {
    if (at + length > this.src.size) this.fail(`${length} bytes run past the end of the file`, at)
    if (at >= this.blockStart && at + length <= this.blockStart + this.block.length) {
      return this.block.subarray(at - this.blockStart, at - this.blockStart + length)
    }
    if (length <= BLOCK / 4) {
      this.block = this.src.read(at, BLOCK)
      this.blockStart = at
      return this.block.subarray(0, length)
    }
    return this.src.read(at, length)
  }

  text(at: number, length: number): string {
    return new TextDecoder('utf-8').decode(this.bytes(at, length))
  }

  /** A varint at `at`: its value and the offset after it. */
  varint(at: number): { value: number | bigint; next: number } {
    let x = 0
    let scale = 1
    let p = at
    for (let k = 0; k < 7; k++) {
      const b = this.byte(p++)
      x += (b & 0x7f) * scale
      if (!(b & 0x80)) return { value: x, next: p }
      scale *= 128
    }
    // more than 49 bits: finish as a bigint (int64 fields; negative numbers take 10 bytes)
    let big = BigInt(x)
    let shift = 49n
    for (let k = 7; k < 10; k++) {
      const b = this.byte(p++)
      big |= BigInt(b & 0x7f) << shift
      if (!(b & 0x80)) {
        big = BigInt.asUintN(64, big)
        return { value: big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big, next: p }
      }
      shift += 7n
    }
    return this.fail('a varint longer than 10 bytes', at)
  }

  /** The fields of the message at [start, end), in order. */
  *fields(start: number, end: number): Generator<Field> {
    let p = start
    while (p < end) {
      const tagAt = p
      const tag = this.varint(p)
      p = tag.next
      const t = Number(tag.value)
      const no = Math.floor(t / 8)
      const wire = t & 7
      if (no === 0) this.fail('field number 0: this is not a protobuf message', tagAt)
      let value: number | bigint = 0
      let fieldStart = p
      let length = 0
      if (wire === VARINT) {
        const v = this.varint(p)
        value = v.value
        p = v.next
      } else if (wire === FIXED64) {
        length = 8
        p += 8
      } else if (wire === FIXED32) {
        length = 4
        p += 4
      } else if (wire === LEN) {
        const v = this.varint(p)
        if (typeof v.value !== 'number') this.fail('a length beyond 2^53', p)
        length = v.value as number
        fieldStart = v.next
        p = v.next + length
      } else {
        this.fail(`wire type ${wire} (groups or a damaged message)`, tagAt)
      }
      if (p > end) this.fail(`field ${no} runs past the end of its message (${end})`, tagAt)
      yield { no, wire, value, start: fieldStart, length }
    }
  }

  /** A repeated integer field's values: packed (one LEN field) or one varint per field. */
  ints(f: Field): (number | bigint)[] {
    if (f.wire === VARINT) return [f.value]
    if (f.wire !== LEN) this.fail(`field ${f.no} is not an integer`, f.start)
    const out: (number | bigint)[] = []
    for (let p = f.start; p < f.start + f.length; ) {
      const v = this.varint(p)
      out.push(v.value)
      p = v.next
    }
    return out
  }
}
