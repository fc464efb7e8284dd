// native scanBytes: the stats and histogram passes over a JS Uint8Array (a streamed remote scan's slots, read
// into by its sockets) must give what Mapping.scan gives over the same bytes in a file, and refuse what it cannot
// scan with a clear error.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { native, type NativeStats } from '../src/main/service/native'
import { tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

/** n float32 values (a fixed pseudo-random sequence) with NaN, +Inf and -Inf planted, in the byte order asked. */
function floats(n: number, bigEndian: boolean): Uint8Array {
  const out = new Uint8Array(n * 4)
  const dv = new DataView(out.buffer)
  let x = 12345
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31
    let v = (x / 2 ** 31 - 0.5) * 1000
    if (i % 9973 === 0) v = NaN
    else if (i % 15013 === 7) v = Infinity
    else if (i % 20011 === 11) v = -Infinity
    dv.setFloat32(i * 4, v, !bigEndian)
  }
  return out
}

describe('scanBytes', () => {
  for (const bigEndian of [false, true]) {
    it(`equals Mapping.scan over the same bytes (${bigEndian ? 'big' : 'little'} endian, stats and histogram)`, async () => {
      const n = 300_001
      const bytes = floats(n, bigEndian)
      const file = path.join(tmp.dir, `bytes-${bigEndian}.f32`)
      fs.writeFileSync(file, bytes)
      const m = new (native().Mapping)(file, 'r')
      try {
        // a view from an offset into the array (the slot of a lane starts inside the scratch memory)
        const at = 4 * 1001
        const view = {
          elem: 'f4' as const,
          swap: bigEndian !== (hostOrder() === 'BE'),
          shape: [n - 2001],
          strides: [4]
        }
        const slot = bytes.subarray(at)
        const specs: (
          | { op: 'stats'; bins?: number; lo?: number; hi?: number }
          | { op: 'histogram'; bins: number; lo: number; hi: number }
        )[] = [
          { op: 'stats' },
          { op: 'stats', bins: 17, lo: -300, hi: 250 },
          { op: 'histogram', bins: 33, lo: -500, hi: 500 }
        ]
        for (const op of specs) {
          const want = await m.scan({ ...view, ...op, base: at }).promise
          const got = await native().scanBytes({ ...view, ...op, base: 0, bytes: slot }).promise
          expect(got).toEqual(want)
        }
        const stats = (await native().scanBytes({ ...view, op: 'stats', base: 0, bytes: slot }).promise) as NativeStats
        expect(stats.nan).toBeGreaterThan(0)
        expect(stats.posinf).toBeGreaterThan(0)
        expect(stats.neginf).toBeGreaterThan(0)
      } finally {
        m.close()
      }
    })
  }

  it('refuses what it cannot scan with a clear error', () => {
    const bytes = new Uint8Array(64)
    const view = { elem: 'f4', swap: false, base: 0, shape: [16], strides: [4] } as const
    const call = (spec: unknown): unknown =>
      native().scanBytes(spec as Parameters<ReturnType<typeof native>['scanBytes']>[0])
    expect(() => call({ ...view, op: 'stats', bytes: new Float32Array(16) })).toThrow(
      expect.objectContaining({ code: 'EINVAL', message: expect.stringMatching(/Uint8Array/) })
    )
    expect(() => call({ ...view, op: 'stats' })).toThrow(expect.objectContaining({ code: 'EINVAL' }))
    expect(() => call(undefined)).toThrow(expect.objectContaining({ code: 'EINVAL' }))
    expect(() => call({ ...view, op: 'find', bytes })).toThrow(
      expect.objectContaining({ code: 'EINVAL', message: expect.stringMatching(/'stats' or 'histogram', not 'find'/) })
    )
    // a view reaching past the array's end
    expect(() => call({ ...view, shape: [17], op: 'stats', bytes })).toThrow(
      expect.objectContaining({ code: 'ERANGE' })
    )
  })
})

function hostOrder(): 'LE' | 'BE' {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 'LE' : 'BE'
}
