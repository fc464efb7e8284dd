// The codec layer (src/main/service/codecs/): every byte codec decodes what numcodecs (the reference Python
// implementation Zarr uses) encodes, asynchronously (libuv's pool or the codec workers) and synchronously, to
// exactly the expected size; damaged or oversized input is a CodecError saying what is wrong; crc32c equals
// numcodecs' CRC32C.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { crc32c } from '../src/main/service/codecs/crc32c'
import { CodecError, decode, decodeSync, type ByteCodecId } from '../src/main/service/codecs/registry'
import { pythonPath } from './helpers/python'

interface Case {
  id: ByteCodecId
  label: string
  raw: string
  enc: string
}

/** Encodes the same seeded data with each numcodecs codec; base64 out. */
function cases(): Case[] {
  const r = spawnSync(
    pythonPath(),
    [
      '-c',
      `
import base64, json, numpy as np, numcodecs
rng = np.random.default_rng(7)
x = np.round(np.cumsum(rng.standard_normal(30011)) * 8).astype('<i4')   # an odd size: blosc's leftovers
raw = x.tobytes()
b = lambda v: base64.b64encode(v).decode()
out = []
for cname in ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd']:
    for shuffle, sname in [(0, 'none'), (1, 'byte'), (2, 'bit')]:
        out.append(['blosc', f'blosc {cname} {sname}', b(raw), b(numcodecs.Blosc(cname, 5, shuffle).encode(raw))])
out.append(['blosc', 'blosc small blocks', b(raw), b(numcodecs.Blosc('lz4', 9, 1, blocksize=4096).encode(raw))])
out.append(['zstd', 'zstd', b(raw), b(numcodecs.Zstd(3).encode(raw))])
out.append(['lz4', 'lz4', b(raw), b(numcodecs.LZ4().encode(raw))])
out.append(['bz2', 'bz2', b(raw), b(numcodecs.BZ2(9).encode(raw))])
out.append(['zlib', 'zlib', b(raw), b(numcodecs.Zlib(5).encode(raw))])
out.append(['gzip', 'gzip', b(raw), b(numcodecs.GZip(5).encode(raw))])
print(json.dumps([dict(zip(['id', 'label', 'raw', 'enc'], c)) for c in out]))`
    ],
    { encoding: 'utf8', maxBuffer: 1 << 28 }
  )
  if (r.status !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout) as Case[]
}

const CASES = cases()

describe('byte codecs against numcodecs', () => {
  it.each(CASES.map((c) => [c.label, c] as const))('%s decodes, async and sync', async (_label, c) => {
    const raw = Buffer.from(c.raw, 'base64')
    const enc = Buffer.from(c.enc, 'base64')
    expect(Buffer.from(await decode(c.id, enc, raw.length)).equals(raw)).toBe(true)
    expect(Buffer.from(decodeSync(c.id, enc, raw.length)).equals(raw)).toBe(true)
  })

  it.each(CASES.filter((c) => c.label.endsWith('lz4 byte') || !c.label.startsWith('blosc')).map((c) => [c.id, c]))(
    '%s: a wrong expected size or damaged bytes are a CodecError',
    async (_id, c) => {
      const raw = Buffer.from(c.raw, 'base64')
      const enc = Buffer.from(c.enc, 'base64')
      const short = await decode(c.id, enc, raw.length - 4).catch((e: unknown) => e)
      expect(short).toBeInstanceOf(CodecError)
      expect((short as Error).message).toMatch(/expected/)
      expect(() => decodeSync(c.id, enc, raw.length + 4)).toThrow(CodecError)
      // blosc has no checksum of its own: damage past its header may decode to garbage of the right size
      const bad = Buffer.from(enc)
      bad.fill(0x5a, c.id === 'blosc' ? 0 : 16, Math.min(bad.length, 200))
      const e = await decode(c.id, bad, raw.length).catch((x: unknown) => x)
      expect(e).toBeInstanceOf(CodecError)
      const cut = await decode(c.id, enc.subarray(0, enc.length >> 1), raw.length).catch((x: unknown) => x)
      expect(cut).toBeInstanceOf(CodecError)
    }
  )

  it('many decodes at once spread over the codec workers and all settle', async () => {
    const c = CASES.find((x) => x.label === 'zstd')!
    const raw = Buffer.from(c.raw, 'base64')
    const enc = Buffer.from(c.enc, 'base64')
    const outs = await Promise.all(Array.from({ length: 24 }, () => decode('zstd', enc, raw.length)))
    expect(outs.every((o) => Buffer.from(o).equals(raw))).toBe(true)
  })
})

describe('crc32c', () => {
  it('equals the standard check value and the checksums TensorStore writes', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
    const r = spawnSync(
      pythonPath(),
      [
        '-c',
        `
import json, os, tempfile, numpy as np, tensorstore as ts
# numcodecs' CRC32C needs the crc32c package, which this index does not serve: TensorStore's zarr3 chunks
# (bytes, then crc32c) carry the checksum of their bytes in their last 4
out = []
d = tempfile.mkdtemp()
for n in [1, 7, 8, 9, 1000, 65537]:
    path = os.path.join(d, str(n))
    t = ts.open({'driver': 'zarr3', 'kvstore': {'driver': 'file', 'path': path}, 'create': True,
                 'metadata': {'shape': [n], 'data_type': 'uint8', 'chunk_grid': {'name': 'regular', 'configuration': {'chunk_shape': [n]}},
                              'codecs': [{'name': 'bytes'}, {'name': 'crc32c'}]}}).result()
    t[...] = np.random.default_rng(n).integers(0, 256, n, dtype='u1')
    chunk = open(os.path.join(path, 'c', '0'), 'rb').read()
    out.append([chunk[:-4].hex(), chunk[-4:].hex()])
print(json.dumps(out))`
      ],
      { encoding: 'utf8' }
    )
    expect(r.status).toBe(0)
    for (const [data, sum] of JSON.parse(r.stdout) as [string, string][]) {
      expect(crc32c(Buffer.from(data, 'hex'))).toBe(Buffer.from(sum, 'hex').readUInt32LE(0))
    }
  })
})
