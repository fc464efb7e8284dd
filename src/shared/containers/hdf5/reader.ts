// Reading HDF5's little-endian structures through the container's header reads: a file with its superblock's
// sizes (of offsets and lengths) and base address, and a cursor over one block of bytes read at once.
import { ContainerError, readExact, type ReadFn } from '../model'

/** The undefined address (all bits set), as a number: ≥ 2^53 after the conversion below. */
export const UNDEFINED = Number.POSITIVE_INFINITY

export class H5File {
  /** Bytes read for structures so far: a hostile file cannot make parsing read without end. */
  private budget = 256 << 20
  constructor(
    readonly read: ReadFn,
    readonly size: number,
    /** Size of offsets and of lengths (2, 4 or 8). */
    readonly sizeOfOffsets: number,
    readonly sizeOfLengths: number,
    /** Absolute position of the superblock's base address (addresses are relative to it). */
    readonly base: number
  ) {}

  /** A cursor over length bytes at a (relative) address. */
  at(address: number, length: number, what: string): Cursor {
    if (!Number.isFinite(address)) throw new ContainerError(`${what}: its address is undefined`)
    const abs = this.base + address
    if (length > this.size) {
      throw new ContainerError(`${what} claims ${length} bytes, more than the file has (${this.size})`)
    }
    this.budget -= length
    if (this.budget < 0) throw new ContainerError('the file asks to read more than 256 MB of structures: refused')
    const bytes = readExact({ read: this.read, size: this.size }, abs, Math.max(0, length), what)
    return new Cursor(bytes, this, abs, what)
  }

  /** Up to length bytes at an address (fewer at the end of the file). */
  upTo(address: number, length: number, what: string): Cursor {
    const abs = this.base + address
    if (!Number.isFinite(address) || abs >= this.size || abs < 0) {
      throw new ContainerError(`${what} at address ${address} is outside the file (${this.size} bytes)`)
    }
    return this.at(address, Math.min(length, this.size - abs), what)
  }
}

export class Cursor {
  pos = 0
  constructor(
    readonly bytes: Uint8Array,
    readonly file: H5File,
    /** Absolute position of bytes[0] in the file. */
    readonly abs: number,
    readonly what: string
  ) {}

  get length(): number {
    return this.bytes.length
  }
  get left(): number {
    return this.bytes.length - this.pos
  }

  need(n: number, field = 'a field'): void {
    if (n < 0 || this.pos + n > this.bytes.length) {
      throw new ContainerError(
        `${this.what}: ${field} at byte ${this.abs + this.pos} runs past the end of its structure (${this.bytes.length} bytes)`
      )
    }
  }

  skip(n: number): this {
    this.need(n, 'a skipped field')
    this.pos += n
    return this
  }

  u8(): number {
    this.need(1)
    return this.bytes[this.pos++]!
  }

  u16(): number {
    this.need(2)
    const v = this.bytes[this.pos]! | (this.bytes[this.pos + 1]! << 8)
    this.pos += 2
    return v
  }

  u32(): number {
    this.need(4)
    const b = this.bytes
    const p = this.pos
    this.pos += 4
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000
  }

  /** An unsigned integer of n bytes (1 to 8); values ≥ 2^53 (and all-ones) come back as UNDEFINED. */
  uint(n: number, field = 'an integer'): number {
    this.need(n, field)
    let v = 0
    let allOnes = true
    for (let k = n - 1; k >= 0; k--) {
      const b = this.bytes[this.pos + k]!
      if (b !== 0xff) allOnes = false
      v = v * 256 + b
    }
    this.pos += n
    if (allOnes || v > Number.MAX_SAFE_INTEGER) return UNDEFINED
    return v
  }

  /** An address (size of offsets); UNDEFINED when all bits are set. */
  addr(): number {
    return this.uint(this.file.sizeOfOffsets, 'an address')
  }

  /** A length (size of lengths). */
  len(field = 'a length'): number {
    const v = this.uint(this.file.sizeOfLengths, field)
    if (!Number.isFinite(v)) throw new ContainerError(`${this.what}: ${field} is larger than any file`)
    return v
  }

  sub(n: number, what = this.what): Uint8Array {
    this.need(n, what)
    const out = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  signature(sig: string): void {
    const got = String.fromCharCode(...this.sub(sig.length))
    if (got !== sig)
      throw new ContainerError(`${this.what}: expected the signature ${sig}, found ${JSON.stringify(got)}`)
  }

  /** A NUL-terminated string (the NUL is consumed); at most max bytes. */
  cstring(max = this.left): string {
    const end = this.bytes.indexOf(0, this.pos)
    if (end < 0 || end - this.pos > max) throw new ContainerError(`${this.what}: a name is not terminated`)
    const s = utf8(this.bytes.subarray(this.pos, end))
    this.pos = end + 1
    return s
  }

  align(n: number, from = 0): void {
    const rel = this.pos - from
    const pad = (n - (rel % n)) % n
    this.pos = Math.min(this.bytes.length, this.pos + pad)
  }
}

/**
 * A view of n bytes at `at` of a value's bytes (an attribute element, a heap reference), checked: a field that a
 * damaged size would put past the end is a ContainerError naming it, not a RangeError from DataView.
 */
export function fieldView(b: Uint8Array, at: number, n: number, what: string): DataView {
  if (!(at >= 0 && n >= 0 && at + n <= b.length)) {
    throw new ContainerError(
      `${what}: a ${n}-byte field at byte ${at} runs past the end of its ${b.length}-byte value (its datatype's size is damaged)`
    )
  }
  return new DataView(b.buffer, b.byteOffset + at, n)
}

const decoder = new TextDecoder('utf-8', { fatal: false })
export function utf8(b: Uint8Array): string {
  return decoder.decode(b)
}

/** Bytes needed to encode x (libhdf5's H5VM_limit_enc_size): floor(log2(x)) / 8 + 1. */
export function limitEncSize(x: number): number {
  let bits = 0
  for (let v = Math.floor(x); v >= 1; v = Math.floor(v / 2)) bits++
  return Math.floor(Math.max(0, bits - 1) / 8) + 1
}

/** floor(log2(x)) for x ≥ 1. */
export function log2floor(x: number): number {
  let bits = 0
  for (let v = Math.floor(x); v > 1; v = Math.floor(v / 2)) bits++
  return bits
}
