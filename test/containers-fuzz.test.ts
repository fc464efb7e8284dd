// Malformed and hostile container headers: each named case gets one clear ContainerError (lengths past the end,
// offsets overlapping the header or each other, 10^18 elements, absurd counts, JSON bombs, bad alignment …);
// then a seeded fuzz mutates real files (written by safetensors, numpy and gguf-py) thousands of times: parsing
// either succeeds or throws ContainerError — never another exception, never a hang.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ContainerError, parseContainer } from '../src/shared/containers'
import { ctxOf, parseError } from './helpers/container-fuzz'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

function u64(n: bigint): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, n, true)
  return b
}

function safetensorsFile(header: string | Uint8Array, data = 0, claimed?: bigint): Uint8Array {
  const h = typeof header === 'string' ? new TextEncoder().encode(header) : header
  return Buffer.concat([u64(claimed ?? BigInt(h.length)), h, new Uint8Array(data)])
}

/** A GGUF header built by hand: key/values as [key, type, bytes], tensors as [name, dims, type, offset]. */
function ggufFile(o: {
  version?: number
  tensorCount?: bigint
  kvCount?: bigint
  kv?: Uint8Array[]
  tensors?: [string, bigint[], number, bigint][]
  data?: number
}): Uint8Array {
  const parts: Uint8Array[] = []
  const u32 = (v: number): Uint8Array => new Uint8Array(new Uint32Array([v]).buffer)
  const str = (s: string): Uint8Array => Buffer.concat([u64(BigInt(Buffer.byteLength(s))), Buffer.from(s)])
  const tensors = o.tensors ?? []
  parts.push(Buffer.from('GGUF'), u32(o.version ?? 3), u64(o.tensorCount ?? BigInt(tensors.length)))
  parts.push(u64(o.kvCount ?? BigInt(o.kv?.length ?? 0)), ...(o.kv ?? []))
  for (const [name, dims, type, offset] of tensors) {
    parts.push(str(name), u32(dims.length), ...dims.map(u64), u32(type), u64(offset))
  }
  const head = Buffer.concat(parts)
  const padded = Math.ceil(head.length / 32) * 32
  return Buffer.concat([head, new Uint8Array(padded - head.length + (o.data ?? 0))])
}

describe('hostile safetensors headers', () => {
  it.each([
    ['a header length past the end', safetensorsFile('{}', 0, 1000n), /claims 1000 bytes, the file has only 2/],
    ['a header length of 2^39', safetensorsFile('{}', 0, 1n << 39n), /headers over 100000000 bytes are refused/],
    ['invalid JSON', safetensorsFile('{"a": '), /not valid JSON/],
    [
      'a JSON bomb (deep nesting)',
      safetensorsFile(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
      /nests JSON deeper than 64 levels/
    ],
    ['not UTF-8', safetensorsFile(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /not valid UTF-8/],
    [
      'tensors past the end',
      safetensorsFile('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', 8),
      /needs bytes up to \d+, the file has \d+: the file is truncated/
    ],
    [
      'overlapping tensors',
      safetensorsFile(
        '{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}',
        16
      ),
      /tensors 'a' and 'b' overlap/
    ],
    [
      '10^18 elements',
      safetensorsFile('{"a":{"dtype":"F32","shape":[1000000000,1000000000],"data_offsets":[0,16]}}', 16),
      /more than 2\^53 elements/
    ],
    [
      'a size that disagrees with the shape',
      safetensorsFile('{"a":{"dtype":"F64","shape":[4],"data_offsets":[0,16]}}', 16),
      /shape \(4\) of F64 needs 32 bytes, data_offsets give 16/
    ],
    [
      'negative offsets',
      safetensorsFile('{"a":{"dtype":"F32","shape":[4],"data_offsets":[-16,0]}}', 16),
      /invalid data_offsets/
    ],
    ['a non-object entry', safetensorsFile('{"a":[1,2]}'), /is not an object \{dtype, shape, data_offsets\}/]
  ])('%s', (_, buf, message) => {
    expect(parseError(buf)).toMatch(message)
  })
})

describe('hostile GGUF headers', () => {
  const kv = (key: string, type: number, value: Uint8Array): Uint8Array =>
    Buffer.concat([u64(BigInt(key.length)), Buffer.from(key), new Uint8Array(new Uint32Array([type]).buffer), value])
  it.each([
    ['version 4', ggufFile({ version: 4 }), /GGUF version 4 is not supported/],
    ['2^60 tensors', ggufFile({ tensorCount: 1n << 60n }), /the tensor count is 1152921504606846976, more than/],
    ['2^40 key/values', ggufFile({ kvCount: 1n << 40n }), /the key\/value count is \d+, more than/],
    [
      'a key longer than the file',
      ggufFile({ kvCount: 1n, kv: [u64(1n << 50n)], data: 64 }),
      /the length of key 0 is \d+, more than/
    ],
    [
      'an array longer than the file',
      ggufFile({ kv: [kv('x', 9, Buffer.concat([new Uint8Array([6, 0, 0, 0]), u64(1n << 40n)]))] }),
      /the length of 'x' is 1099511627776, more than/
    ],
    [
      'an unknown value type',
      ggufFile({ kv: [kv('x', 13, new Uint8Array(8))] }),
      /key 'x' has an unknown value type 13/
    ],
    [
      'an alignment of 3',
      ggufFile({ kv: [kv('general.alignment', 4, new Uint8Array([3, 0, 0, 0]))] }),
      /non-zero power of two/
    ],
    [
      'a duplicated key',
      ggufFile({ kv: [kv('a', 4, new Uint8Array(4)), kv('a', 4, new Uint8Array(4))] }),
      /key 'a' appears twice/
    ],
    [
      'arrays nested 100 deep',
      ggufFile({
        kv: [
          kv(
            'x',
            9,
            Buffer.concat(Array.from({ length: 100 }, () => Buffer.concat([new Uint8Array([9, 0, 0, 0]), u64(1n)])))
          )
        ]
      }),
      /nests arrays deeper than 8 levels/
    ],
    ['10^18 elements', ggufFile({ tensors: [['t', [1n << 30n, 1n << 30n], 0, 0n]] }), /more than 2\^53 elements/],
    [
      'a dimension of 2^60',
      ggufFile({ tensors: [['t', [1n << 60n], 0, 0n]] }),
      /tensor 't': a dimension is 1152921504606846976: more than any file/
    ],
    ['1000 dimensions', ggufFile({ tensors: [['t', Array(1000).fill(1n), 0, 0n]] }), /claims 1000 dimensions/],
    [
      'data past the end',
      ggufFile({ tensors: [['t', [64n], 0, 0n]], data: 16 }),
      /tensor 't' needs bytes \[\d+, \d+\), past the end/
    ],
    [
      'overlapping tensors',
      ggufFile({
        tensors: [
          ['a', [8n], 0, 0n],
          ['b', [8n], 0, 16n]
        ],
        data: 64
      }),
      /tensors 'a' and 'b' overlap/
    ],
    [
      'a duplicated tensor',
      ggufFile({
        tensors: [
          ['a', [1n], 0, 0n],
          ['a', [1n], 0, 32n]
        ],
        data: 64
      }),
      /appears twice/
    ],
    ['a Q4_0 row of 33', ggufFile({ tensors: [['q', [33n], 2, 0n]], data: 64 }), /not whole Q4_0 blocks of 32/],
    ['a truncated header', ggufFile({ tensors: [['t', [4n], 0, 0n]] }).subarray(0, 40), /runs past the end of the file/]
  ])('%s', (_, buf, message) => {
    expect(parseError(buf)).toMatch(message)
  })

  it('an unknown GGML type is listed as unmappable, not refused', () => {
    const c = parseContainer(ctxOf(ggufFile({ tensors: [['t', [4n], 99, 0n]], data: 64 })))!
    expect(c.entries[0]!.unmappable!.reason).toMatch(/GGML type 99 is unknown/)
  })
})

describe('hostile ZIP (.npz) structures', () => {
  let good: Buffer
  beforeAll(() => {
    const f = path.join(tmp.dir, 'g.npz')
    py(`np.savez(${JSON.stringify(f)}, a=np.arange(4.0), b=np.arange(3, dtype=np.int8)); print(1)`)
    good = fs.readFileSync(f)
  })
  const eocd = (b: Buffer): number => b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  it('a truncated archive (no end record)', () => {
    expect(parseError(good.subarray(0, good.length - 30))).toMatch(/no end-of-central-directory record/)
  })
  it('a central directory past the end', () => {
    const b = Buffer.from(good)
    b.writeUInt32LE(0xfffffff0, eocd(b) + 16)
    expect(parseError(b)).toMatch(/the central directory \[\d+, \d+\) runs past the end of the file/)
  })
  it('an absurd member count', () => {
    const b = Buffer.from(good)
    b.writeUInt16LE(0xfffe, eocd(b) + 10)
    expect(parseError(b)).toMatch(/claims 65534 members/)
  })
  it('a member whose data runs into the directory', () => {
    const b = Buffer.from(good)
    const cd = b.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))
    // the first member's sizes in the central directory
    b.writeUInt32LE(0x7fffffff, cd + 20)
    b.writeUInt32LE(0x7fffffff, cd + 24)
    expect(parseError(b)).toMatch(/member 'a.npy' claims 2147483647 bytes at \d+, past the central directory/)
  })
  it('overlapping members', () => {
    const b = Buffer.from(good)
    const second = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))
    b.writeUInt32LE(0, second + 42) // b.npy's local header offset = a.npy's
    expect(parseError(b)).toMatch(/overlap|disagree/)
  })
})

describe('seeded fuzz over real files', () => {
  let seeds: { name: string; bytes: Buffer }[]
  beforeAll(() => {
    const d = tmp.dir
    py(`
import gguf
from safetensors.numpy import save_file
from gguf.quants import quantize
save_file({'a.b': np.arange(6, dtype=np.float32), 'c': np.ones((2, 2), np.int16)}, '${d}/f.safetensors', metadata={'k': 'v'})
np.savez('${d}/f.npz', a=np.arange(4.0), s=np.array([(1, 2.0)], dtype=[('x', 'i1'), ('y', '<f8')]))
np.savez_compressed('${d}/fc.npz', a=np.arange(40.0).reshape(5, 8))
w = gguf.GGUFWriter('${d}/f.gguf', 'llama')
w.add_string('s', 'x'); w.add_array('arr', [1, 2, 3]); w.add_array('strs', ['a', 'bc'])
w.add_tensor('t', np.arange(8, dtype=np.float32))
w.add_tensor('q', quantize(np.linspace(-1, 1, 64, dtype=np.float32).reshape(2, 32), gguf.GGMLQuantizationType.Q8_0), raw_dtype=gguf.GGMLQuantizationType.Q8_0)
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
print(1)`)
    seeds = ['f.safetensors', 'f.npz', 'fc.npz', 'f.gguf'].map((n) => ({
      name: n,
      bytes: fs.readFileSync(path.join(d, n))
    }))
  })

  it('8000 mutations: each parse succeeds or throws one ContainerError, quickly', () => {
    let state = 12345
    const rand = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      return state % n
    }
    let errors = 0
    let parsed = 0
    for (let k = 0; k < 8000; k++) {
      const seed = seeds[k % seeds.length]!
      let b = Buffer.from(seed.bytes)
      const kind = rand(4)
      if (kind === 0) b = b.subarray(0, rand(b.length))
      else {
        const flips = 1 + rand(8)
        // mostly in the header (the first 512 bytes and the ZIP directory at the end)
        for (let f = 0; f < flips; f++) {
          const at = kind === 3 ? b.length - 1 - rand(Math.min(200, b.length)) : rand(Math.min(512, b.length))
          b[at] = kind === 2 ? [0x00, 0xff, 0x7f, 0x80][rand(4)]! : rand(256)
        }
      }
      const t0 = Date.now()
      try {
        parseContainer(ctxOf(b, seed.name))
        parsed++
      } catch (e) {
        if (!(e instanceof ContainerError)) throw new Error(`mutation ${k} of ${seed.name}: ${String(e)}`)
        expect((e as Error).message.length).toBeGreaterThan(10)
        errors++
      }
      expect(Date.now() - t0).toBeLessThan(1000)
    }
    expect(errors).toBeGreaterThan(500)
    expect(parsed).toBeGreaterThan(500)
  })
})

describe('the fast safetensors header scan agrees with JSON.parse', () => {
  const texts = [
    '{}',
    '  { }  ',
    '{"__metadata__":{"format":"pt","nested":"{\\"a\\": [1, {\\"b\\": 2}]}"},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}',
    '{\n  "a.b": {\n    "shape": [ 4 ],\n    "dtype": "I8",\n    "data_offsets": [ 0, 4 ]\n  },\n  "c": {"data_offsets":[4,4],"dtype":"F64","shape":[0]}\n}   ',
    '{"é名": {"dtype":"BF16","shape":[],"data_offsets":[0,2]}}',
    '{"a\\"b": {"dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
    '{"a": {"dtype":"U8","shape":[1e0],"data_offsets":[0,1]}}',
    '{"a": {"dtype":"U8","shape":[01],"data_offsets":[0,1]}}',
    '{"a": {"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":1}}',
    '{"a": {"dtype":"U8","shape":[1],"data_offsets":[0,1]},}',
    '{"a": {"dtype":"U8","shape":[1],"data_offsets":[0,1]}} x'
  ]
  it.each(texts.map((t) => [t]))('%s', async (text) => {
    const { scanHeader } = await import('../src/shared/containers/safetensors')
    let parsed: Record<string, unknown> | null = null
    try {
      parsed = JSON.parse(text) as Record<string, unknown>
    } catch {
      /* invalid JSON: the scan must not accept it */
    }
    const fast = scanHeader(text)
    if (!fast) return // JSON.parse decides: nothing to compare
    expect(parsed).not.toBeNull()
    const { __metadata__: meta, ...rest } = parsed!
    expect(fast.metadata === null ? undefined : JSON.parse(fast.metadata)).toEqual(meta)
    expect(fast.tensors.map((t) => [t.name, t.info])).toEqual(Object.entries(rest))
  })

  it('takes the fast path for headers the safetensors library writes', async () => {
    const { scanHeader } = await import('../src/shared/containers/safetensors')
    const f = path.join(tmp.dir, 'fast.safetensors')
    py(`
from safetensors.numpy import save_file
save_file({f'l.{k}': np.zeros((k, 2), np.float32) for k in range(50)}, ${JSON.stringify(f)}, metadata={'a': 'b "c"'})
print(1)`)
    const b = fs.readFileSync(f)
    const text = b.subarray(8, 8 + Number(b.readBigUInt64LE(0))).toString('utf8')
    const fast = scanHeader(text)!
    expect(fast.tensors).toHaveLength(50)
    expect(JSON.parse(fast.metadata!)).toEqual({ a: 'b "c"' })
  })
})
