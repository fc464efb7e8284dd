// bzip2 by seek-bzip (pure JavaScript, synchronous: the registry runs it on the codec workers for asynchronous
// callers). The output is a buffer of the expected size; a stream writing past it stops at once.
import Bunzip from 'seek-bzip'
import { CodecError, exact } from './errors'

class Overflow extends Error {}

export function bz2Sync(input: Uint8Array, expected: number): Uint8Array {
  const buffer = Buffer.allocUnsafe(expected)
  const out = {
    pos: 0,
    writeByte(b: number): void {
      if (this.pos >= expected) throw new Overflow()
      buffer[this.pos++] = b
    },
    write(src: Uint8Array, at: number, n: number): number {
      for (let i = 0; i < n; i++) this.writeByte(src[at + i]!)
      return n
    },
    flush(): void {}
  }
  try {
    Bunzip.decode(Buffer.from(input.buffer, input.byteOffset, input.length), out)
  } catch (e) {
    if (e instanceof Overflow)
      throw new CodecError(`its bz2 stream decodes to more than the ${expected} bytes expected`)
    throw new CodecError(`it does not bunzip2 (${(e as Error).message})`)
  }
  return exact(buffer.subarray(0, out.pos), expected, 'its bz2 stream')
}
