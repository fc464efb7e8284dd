// The chunk decoder (issue 27 item 1): every chunked source's deflate, shuffle and fletcher32 go through one call
// to the addon (libdeflate). Its output must equal Node's zlib path byte for byte — the path an addon built without
// libdeflate takes — and its failures must be the same coded errors: a stream that does not inflate, a deflate
// bomb (more than the chunk), a failed checksum.
import zlib from 'node:zlib'
import { describe, expect, it } from 'vitest'
import {
  ChunkDecodeError,
  decodeChunk,
  decodeChunkSync,
  decodeChunkWithZlib,
  fletcher32,
  inflaterName,
  type ChunkStep
} from '../src/main/service/chunk-decode'
import { native } from '../src/main/service/native'

function shuffle(b: Uint8Array, size: number): Uint8Array {
  const n = Math.floor(b.length / size)
  const out = Buffer.from(b)
  for (let i = 0; i < n; i++) for (let k = 0; k < size; k++) out[k * n + i] = b[i * size + k]!
  return out
}

function withFletcher(b: Uint8Array): Uint8Array {
  const out = Buffer.alloc(b.length + 4)
  out.set(b)
  out.writeUInt32LE(fletcher32(b), b.length)
  return out
}

function values(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    b[i] = i % 7 === 0 ? x >>> 24 : (i >> 6) & 0xff
  }
  return b
}

async function both(input: Uint8Array, size: number, steps: ChunkStep[]): Promise<[Buffer, Buffer, Buffer]> {
  const a = Buffer.alloc(size)
  const b = Buffer.alloc(size)
  const c = Buffer.alloc(size)
  const na = await decodeChunk(input, a, steps)
  const nb = await decodeChunkWithZlib(input, b, steps)
  const nc = decodeChunkSync(input, c, steps)
  return [a.subarray(0, na), b.subarray(0, nb), c.subarray(0, nc)]
}

describe('chunk decoding', () => {
  it('is built with libdeflate here (npm ci installs it: scripts/build-native.js)', () => {
    expect(native().inflaterVersion).toMatch(/^libdeflate \d+\.\d+/)
    expect(inflaterName()).toBe(native().inflaterVersion)
  })

  it('fletcher32 → inflate (zlib, gzip, raw) → unshuffle of 1/2/4/8-byte elements equals the zlib path, odd sizes too', async () => {
    for (const size of [1, 2, 4, 8, 3]) {
      for (const len of [0, 1, 7, 4096, 100003]) {
        const plain = values(len, size * 31 + len)
        for (const wrap of ['zlib', 'gzip', 'raw'] as const) {
          const deflate = { zlib: zlib.deflateSync, gzip: zlib.gzipSync, raw: zlib.deflateRawSync }[wrap]
          const stored = withFletcher(deflate(shuffle(plain, size), { level: 4 }))
          const steps: ChunkStep[] = [{ op: 'fletcher32' }, { op: 'inflate', wrap }, { op: 'unshuffle', size }]
          const [a, b, c] = await both(stored, len, steps)
          expect(a.equals(plain), `${wrap} ${size} ${len}`).toBe(true)
          expect(b.equals(plain)).toBe(true)
          expect(c.equals(plain)).toBe(true)
        }
      }
    }
  })

  it('steps in any order and none at all: shuffle only, fletcher only, a copy', async () => {
    const plain = values(5000, 3)
    let [a, b] = await both(shuffle(plain, 4), 5000, [{ op: 'unshuffle', size: 4 }])
    expect(a.equals(plain) && b.equals(plain)).toBe(true)
    ;[a, b] = await both(withFletcher(plain), 5000, [{ op: 'fletcher32' }])
    expect(a.equals(plain) && b.equals(plain)).toBe(true)
    ;[a, b] = await both(plain, 5000, [])
    expect(a.equals(plain) && b.equals(plain)).toBe(true)
  })

  it('a stream that does not inflate, a deflate bomb, a failed checksum: the same coded errors on both paths', async () => {
    const plain = values(4096, 9)
    const good = zlib.deflateSync(plain)
    const broken = Buffer.from(good)
    broken.fill(0xff, 10, 40)
    const cases: [Uint8Array, ChunkStep[], number, ChunkDecodeError['code'], RegExp][] = [
      [broken, [{ op: 'inflate', wrap: 'zlib' }], 4096, 'BAD_DATA', /does not inflate/],
      [zlib.deflateSync(Buffer.alloc(1 << 20)), [{ op: 'inflate', wrap: 'zlib' }], 4096, 'TOO_LARGE', /more than/],
      [good, [{ op: 'inflate', wrap: 'gzip' }], 4096, 'BAD_DATA', /does not inflate/],
      [
        Buffer.concat([plain, Buffer.from([1, 2, 3, 4])]),
        [{ op: 'fletcher32' }],
        4096,
        'CHECKSUM',
        /fletcher32 checksum fails \(stored 0x04030201, computed 0x[0-9a-f]{8}\)/
      ],
      [Buffer.from([1, 2]), [{ op: 'fletcher32' }], 4096, 'CHECKSUM', /shorter than its fletcher32/]
    ]
    for (const [input, steps, size, code, message] of cases) {
      for (const run of [
        decodeChunk,
        decodeChunkWithZlib,
        async (i: Uint8Array, o: Uint8Array, s: ChunkStep[]) => decodeChunkSync(i, o, s)
      ]) {
        const e = await run(input, Buffer.alloc(size), steps).catch((x: unknown) => x)
        expect(e, `${code} ${run.name}`).toBeInstanceOf(ChunkDecodeError)
        expect((e as ChunkDecodeError).code).toBe(code)
        expect((e as Error).message).toMatch(message)
      }
    }
  })

  it('bad arguments are type errors, not crashes', () => {
    const d = native()
    expect(() => d.decodeChunk(Buffer.alloc(1), Buffer.alloc(1), [{ op: 'nope' } as unknown as ChunkStep])).toThrow(
      /unknown step/
    )
    expect(() => d.decodeChunk(Buffer.alloc(1), Buffer.alloc(1), [{ op: 'unshuffle', size: 0 }])).toThrow(/1 to 65536/)
    expect(() => (d.decodeChunk as unknown as (a: unknown) => number)(5)).toThrow(/usage/)
  })
})
