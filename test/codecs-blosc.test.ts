// Blosc decoded by the addon's c-blosc (Debian's libblosc-dev, linked statically: blosc_decode.cc) against what
// numcodecs encodes — every compressor Debian's numcodecs has (blosclz, lz4, lz4hc, snappy, zlib, zstd), every
// shuffle, element sizes 1, 4 and 8, an empty frame, a frame of blosc's small blocks — synchronously and on
// libuv's pool, equal to the WebAssembly decoder's result; headers that lie and damaged or cut frames are a
// BAD_DATA error (a CodecError through the registry), never a read outside the buffers or a crash.
import { describe, expect, it } from 'vitest'
import { bloscHere, nativeBlosc } from '../src/main/service/codecs/blosc'
import { CodecError, decode, decodeSync } from '../src/main/service/codecs/registry'
import { native } from '../src/main/service/native'
import { zpy } from './helpers/zarr'

interface Case {
  label: string
  raw: string
  enc: string
}

const CASES = zpy<Case[]>(`
import base64
rng = np.random.default_rng(29)
b = lambda v: base64.b64encode(v).decode()
out = []
for dtype in ['u1', '<i4', '<f8']:
    x = (np.cumsum(rng.standard_normal(20011)) * 8).astype(dtype)   # an odd size: blosc's leftovers
    for cname in numcodecs.blosc.list_compressors():
        for shuffle, sname in [(0, 'none'), (1, 'byte'), (2, 'bit')]:
            enc = numcodecs.Blosc(cname, 5, shuffle).encode(x)
            out.append({'label': f'{cname} {sname} {dtype}', 'raw': b(x.tobytes()), 'enc': b(enc)})
x = np.arange(50000, dtype='<u2')
out.append({'label': 'small blocks', 'raw': b(x.tobytes()), 'enc': b(numcodecs.Blosc('zstd', 9, 2, blocksize=4096).encode(x))})
out.append({'label': 'empty', 'raw': '', 'enc': b(numcodecs.Blosc('lz4').encode(b''))})
print(json.dumps(out))`)

const buf = (s: string): Buffer => Buffer.from(s, 'base64')

/** The addon's error code, or 'ok' when it decoded. */
async function outcome(input: Uint8Array, size: number): Promise<string> {
  try {
    await native().bloscDecompressAsync(input, Buffer.alloc(size))
    return 'ok'
  } catch (e) {
    return (e as { code: string }).code
  }
}

describe('blosc by the addon’s c-blosc', () => {
  it('the addon was built with c-blosc, and the registry decodes with it', () => {
    expect(nativeBlosc()).toMatch(/^c-blosc 1\.\d+/)
  })

  it('covers every compressor of numcodecs, snappy included', () => {
    for (const c of ['blosclz', 'lz4', 'lz4hc', 'snappy', 'zlib', 'zstd']) {
      expect(CASES.some((x) => x.label.startsWith(`${c} bit`))).toBe(true)
    }
  })

  it.each(CASES.map((c) => [c.label, c] as const))('%s: sync, async and WebAssembly agree', async (_l, c) => {
    const raw = buf(c.raw)
    const enc = buf(c.enc)
    const out = Buffer.alloc(raw.length, 0xee)
    expect(native().bloscDecompress(enc, out)).toBe(raw.length)
    expect(out.equals(raw)).toBe(true)
    const out2 = Buffer.alloc(raw.length, 0xee)
    expect(await native().bloscDecompressAsync(enc, out2)).toBe(raw.length)
    expect(out2.equals(raw)).toBe(true)
    expect(Buffer.from(await decode('blosc', enc, raw.length)).equals(raw)).toBe(true)
    expect(Buffer.from(decodeSync('blosc', enc, raw.length)).equals(raw)).toBe(true)
    expect(Buffer.from(await bloscHere(enc, raw.length)).equals(raw)).toBe(true)
  })

  it('a header that lies, a cut frame, damaged blocks: BAD_DATA, a CodecError through the registry', async () => {
    const c = CASES.find((x) => x.label === 'zstd bit <i4')!
    const raw = buf(c.raw)
    const enc = buf(c.enc)
    // decoded size other than the output's
    expect(() => native().bloscDecompress(enc, Buffer.alloc(raw.length - 4))).toThrow(/says 80044 bytes, 80040/)
    // compressed size beyond the input
    expect(await outcome(enc.subarray(0, enc.length >> 1), raw.length)).toBe('BAD_DATA')
    expect(await outcome(enc.subarray(0, 10), raw.length)).toBe('BAD_DATA')
    // the header says more decoded bytes than the output holds
    const big = Buffer.from(enc)
    big.writeUInt32LE(raw.length * 4, 4)
    expect(await outcome(big, raw.length)).toBe('BAD_DATA')
    // the block starts and the compressed blocks overwritten
    const bad = Buffer.from(enc)
    bad.fill(0x5a, 16, Math.min(bad.length, 400))
    expect(await outcome(bad, raw.length)).toBe('BAD_DATA')
    const e = await decode('blosc', bad, raw.length).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(CodecError)
    expect((e as Error).message).toMatch(/does not blosc-decompress/)
    expect(() => native().bloscDecompress(Buffer.alloc(4), Buffer.alloc(4))).toThrow(/shorter than a blosc header/)
  })

  it('seeded mutants of every compressor’s frames: the values, or BAD_DATA; never a crash', async () => {
    let seed = 29
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0)
    const seen = new Set<string>()
    for (const c of CASES.filter((x) => x.label.endsWith('<i4'))) {
      const raw = buf(c.raw)
      const enc = buf(c.enc)
      for (let k = 0; k < 40; k++) {
        const m = Buffer.from(enc)
        for (let j = 0; j <= (next() & 3); j++) m[next() % m.length] = next() & 0xff
        seen.add(await outcome(m, raw.length))
      }
    }
    expect([...seen].every((o) => o === 'ok' || o === 'BAD_DATA')).toBe(true)
    expect(seen.has('BAD_DATA')).toBe(true)
  })
})
