// GGUF against gguf-py: files written by GGUFWriter (plain types, BF16, every quantized type DequantizeRange
// decodes — Q4_0…Q8_0 made with gguf.quants.quantize, the K-quants and Q8_K as random blocks with finite scales),
// a custom alignment, version 2, and a big-endian file. `ls` equals GGUFReader's names and numpy shapes (dims
// reversed, size-1 dims kept); `show --json` equals t.data, or gguf.quants.dequantize bit for bit (Q8_K, which
// gguf-py cannot dequantize, against ggml's formula d * q in numpy float32).
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { runCli } from './helpers/cli'
import { rejection } from './helpers/errors'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
const FILE = path.join(tmp.dir, 'model.gguf')
const V2 = path.join(tmp.dir, 'v2.gguf')
const BE = path.join(tmp.dir, 'big-endian.gguf')

interface Ref {
  names: string[]
  shapes: Record<string, number[]>
  types: Record<string, string>
  values: Record<string, unknown>
  metadata: Record<string, unknown>
}

const JS = `
def js(a):
    a = np.asarray(a)
    if a.dtype.kind == 'f':
        if a.ndim: return [js(x) for x in a]
        return 'nan' if np.isnan(a) else ('inf' if a == np.inf else ('-inf' if a == -np.inf else float(a)))
    return a.tolist()
def reference(path):
    from gguf import GGUFReader, GGMLQuantizationType as T
    from gguf.quants import dequantize
    r = GGUFReader(path)
    values, shapes, types = {}, {}, {}
    for t in r.tensors:
        shapes[t.name] = [int(x) for x in reversed(t.shape.tolist())]
        types[t.name] = t.tensor_type.name
        if t.tensor_type == T.Q8_K:
            b = np.asarray(t.data).reshape(-1, 292)
            v = (b[:, :4].copy().view(np.float32) * b[:, 4:260].view(np.int8).astype(np.float32)).reshape(shapes[t.name])
        elif t.tensor_type == T.BF16:
            v = (np.asarray(t.data).view('<u2').astype(np.uint32) << 16).view(np.float32).reshape(shapes[t.name])
        elif t.tensor_type.name.startswith('Q'):
            v = dequantize(t.data, t.tensor_type)
        else:
            v = np.asarray(t.data)
        assert list(v.shape) == shapes[t.name], (t.name, v.shape)
        values[t.name] = js(v)
    meta = {k: f.contents() for k, f in r.fields.items() if not k.startswith('GGUF.')}
    return {'names': [t.name for t in r.tensors], 'shapes': shapes, 'types': types, 'values': values, 'metadata': meta}
`

let ref: Ref
beforeAll(() => {
  ref = py<Ref>(`
import gguf
from gguf import GGMLQuantizationType as T, GGML_QUANT_SIZES
from gguf.quants import quantize
${JS}
rng = np.random.default_rng(11)
w = gguf.GGUFWriter(${JSON.stringify(FILE)}, 'llama')
w.add_custom_alignment(64)
w.add_uint32('llama.block_count', 2)
w.add_string('general.name', 'tiny test model')
w.add_array('tokenizer.ggml.tokens', ['a', 'b', 'c'] * 20)
w.add_float32('llama.rope.freq_base', 10000.0)
w.add_tensor('token_embd.weight', rng.standard_normal((5, 8)).astype(np.float32))
w.add_tensor('blk.0.attn_norm.weight', rng.standard_normal(8).astype(np.float16))
w.add_tensor('blk.0.f64', rng.standard_normal((1, 2, 3)))
for dt in (np.int8, np.int16, np.int32, np.int64):
    w.add_tensor(f'blk.0.{np.dtype(dt).name}', rng.integers(-100, 100, (2, 3)).astype(dt))
bf = rng.standard_normal((3, 4)).astype(np.float32).view(np.uint32) >> 16
w.add_tensor('blk.0.bf16', bf.astype(np.uint16).view(np.uint8), raw_dtype=T.BF16)
for name in ('Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q8_0'):
    x = rng.standard_normal((3, 64)).astype(np.float32)
    x[0, :32] = 0  # an all-zero block
    w.add_tensor(f'blk.1.{name}', quantize(x, T[name]), raw_dtype=T[name])
scale_at = {'Q2_K': (80, 82), 'Q3_K': (108,), 'Q4_K': (0, 2), 'Q5_K': (0, 2), 'Q6_K': (208,)}
for name in ('Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K', 'Q8_K'):
    bs, ts = GGML_QUANT_SIZES[T[name]]
    q = rng.integers(0, 256, (6, ts), dtype=np.uint8)
    for o in scale_at.get(name, ()):
        q[:, o:o + 2] = (rng.standard_normal(6) * 0.05).astype(np.float16).view(np.uint8).reshape(6, 2)
    if name == 'Q8_K':
        q[:, :4] = (rng.standard_normal(6) * 0.01).astype(np.float32).view(np.uint8).reshape(6, 4)
    w.add_tensor(f'blk.1.{name}', q.reshape(2, 3 * ts), raw_dtype=T[name])
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
# version 2 (same layout with 64-bit counts): the version field patched
b = bytearray(open(${JSON.stringify(FILE)}, 'rb').read()); b[4:8] = (2).to_bytes(4, 'little')
open(${JSON.stringify(V2)}, 'wb').write(b)
w = gguf.GGUFWriter(${JSON.stringify(BE)}, 'llama', endianess=gguf.GGUFEndian.BIG)
w.add_tensor('be.f32', rng.standard_normal((2, 3)).astype(np.float32))
w.add_tensor('be.i16', np.arange(-3, 3, dtype=np.int16))
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
print(json.dumps(reference(${JSON.stringify(FILE)})))`)
})
afterAll(() => tmp.cleanup())

describe('GGUF written by GGUFWriter', () => {
  it('ls lists GGUFReader names and numpy shapes (dims reversed, size-1 dims kept) in file order', async () => {
    const listed = JSON.parse((await runCli(['ls', FILE, '--json'])).stdout) as {
      name: string
      shape: number[]
      storedType: string
      decoding?: string
    }[]
    expect(listed.map((e) => e.name)).toEqual(ref.names)
    for (const e of listed) {
      expect(e.shape, e.name).toEqual(ref.shapes[e.name])
      expect(e.storedType, e.name).toBe(ref.types[e.name])
    }
    expect(ref.shapes['blk.0.f64']).toEqual([1, 2, 3])
    expect(listed.find((e) => e.name === 'blk.1.Q6_K')!.decoding).toBe('dequantize Q6_K')
  })

  it('show --json equals gguf-py: t.data for plain types, gguf.quants.dequantize bit for bit for quantized', async () => {
    for (const name of ref.names) {
      const r = await runCli(['show', FILE, '--array', name, '--json'])
      expect(r.stderr, name).toBe('')
      expect(JSON.parse(r.stdout), name).toEqual(ref.values[name])
    }
  })

  it('strided windows of a quantized tensor (reversed, transposed, a column) equal the reference', async () => {
    const full = ref.values['blk.1.Q4_K'] as number[][]
    const show = async (slice: string): Promise<unknown> =>
      JSON.parse((await runCli(['show', FILE, '--array', 'blk.1.Q4_K', '--slice', slice, '--json'])).stdout)
    expect(await show('::-1, ::-7')).toEqual(
      full
        .slice()
        .reverse()
        .map((row) => row.filter((_, j) => (row.length - 1 - j) % 7 === 0).reverse())
    )
    expect(await show(':, 300')).toEqual(full.map((row) => row[300]))
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: FILE, layout: null, mode: 'r', array: 'blk.1.Q4_K' })
      const w = await s.handle('window:get', {
        session: info.session,
        generation: 1,
        view: { rowAxis: 1, colAxis: 0, index: [0, 0] },
        row0: 250,
        rows: 20,
        col0: 0,
        cols: 2
      })
      const f = new Float32Array(w.bytes.buffer, w.bytes.byteOffset, w.bytes.byteLength / 4)
      for (let i = 0; i < 20; i++) for (let j = 0; j < 2; j++) expect(f[i * 2 + j]).toBe(full[j]![250 + i])
    } finally {
      s.closeAll()
    }
  })

  it('metadata key/values equal GGUFReader field contents (long arrays shortened)', async () => {
    const info = JSON.parse((await runCli(['info', FILE])).stdout)
    expect(info.metadata['general.name']).toBe(ref.metadata['general.name'])
    expect(info.metadata['llama.block_count']).toBe(ref.metadata['llama.block_count'])
    expect(info.metadata['general.alignment']).toBe(64)
    const tokens = info.metadata['tokenizer.ggml.tokens'] as string[]
    expect(tokens.slice(0, 32)).toEqual((ref.metadata['tokenizer.ggml.tokens'] as string[]).slice(0, 32))
    expect(tokens[32]).toBe('… 60 items in all')
  })

  it('export of a quantized tensor writes its dequantized float32 values (.npy)', async () => {
    const out = path.join(tmp.dir, 'q5k.npy')
    const r = await runCli(['export', FILE, '--array', 'blk.1.Q5_K', '--out', out])
    expect(r.code).toBe(0)
    const same = py<boolean>(`
${JS}
from gguf import GGUFReader
from gguf.quants import dequantize
t = [t for t in GGUFReader(${JSON.stringify(FILE)}).tensors if t.name == 'blk.1.Q5_K'][0]
a = np.load(${JSON.stringify(out)})
print(json.dumps(a.dtype == np.float32 and np.array_equal(a.view(np.uint32), dequantize(t.data, t.tensor_type).view(np.uint32))))`)
    expect(same).toBe(true)
  })

  it('editing and value finds of a quantized tensor are refused with the reason', async () => {
    const e = await runCli(['set', FILE, '--array', 'blk.1.Q4_0', '--index', '0,0', '--value', '1'])
    expect(e.code).toBe(2)
    expect(e.stderr).toMatch(/opens read-only \(mode r\): its bytes are Q4_0 blocks, not the values/)
    const f = await runCli(['find', FILE, '--array', 'blk.1.Q4_0', '--value', '0.5'])
    expect(f.code).toBe(2)
    expect(f.stderr).toMatch(/values of a Q4_0 tensor are not stored as bytes/)
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: FILE, layout: null, mode: 'r', array: 'blk.1.Q4_0' })
      expect(info.array!.blocks).toEqual({ quant: 'Q4_0', elems: 32, bytes: 18 })
      const err = await rejection(
        s.handle('edit:apply', { session: info.session, writes: [{ offset: 0, bytes: new Uint8Array(1) }] })
      )
      expect(err.code).toBe('readonly')
    } finally {
      s.closeAll()
    }
  })
})

describe('scans of quantized tensors (dequantized per chunk in the native kernels)', () => {
  it('statistics, histograms, line buckets and heatmap blocks equal numpy over gguf-py dequantized values', async () => {
    const quantized = ref.names.filter((n) => /^Q\d/.test(ref.types[n]!))
    expect(quantized.length).toBeGreaterThanOrEqual(11)
    const want = py<Record<string, { stats: number[]; hist: number[]; col: [number, number][]; blocks: number[] }>>(`
${JS}
from gguf import GGUFReader, GGMLQuantizationType as T
from gguf.quants import dequantize
out = {}
for t in GGUFReader(${JSON.stringify(FILE)}).tensors:
    if not t.tensor_type.name.startswith('Q'): continue
    shape = [int(x) for x in reversed(t.shape.tolist())]
    if t.tensor_type == T.Q8_K:
        b = np.asarray(t.data).reshape(-1, 292)
        v = (b[:, :4].copy().view(np.float32) * b[:, 4:260].view(np.int8).astype(np.float32)).reshape(shape)
    else:
        v = dequantize(t.data, t.tensor_type)
    x = v.astype(np.float64)
    f = x[np.isfinite(x)]
    col = x[:, -1][::-1]
    n = min(4, col.size)
    R, C = x.shape
    blocks = [float(x[i * R // 2:(i + 1) * R // 2, j * C // 3:(j + 1) * C // 3].mean()) for i in range(2) for j in range(3)]
    out[t.name] = dict(stats=[int(x.size), float(f.min()), float(f.max()), float(f.mean()), float(f.std())],
        hist=np.histogram(f, bins=8, range=(-2, 2))[0].tolist(),
        col=[[float(col[b * col.size // n:(b + 1) * col.size // n].min()), float(col[b * col.size // n:(b + 1) * col.size // n].max())] for b in range(n)],
        blocks=blocks)
print(json.dumps(out))`)
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      for (const name of quantized) {
        const w = want[name]!
        const info = await s.handle('session:open', { path: FILE, layout: null, mode: 'r', array: name })
        const st = await s.handle('scan:stats', { session: info.session, scanId: 's' })
        expect([st.count, st.min, st.max], name).toEqual(w.stats.slice(0, 3))
        expect(Math.abs(st.mean! - w.stats[3]!), name).toBeLessThan(1e-9 * Math.max(1, Math.abs(w.stats[3]!)))
        expect(Math.abs(st.std! - w.stats[4]!), name).toBeLessThan(1e-9 * Math.max(1, w.stats[4]!))
        const one = await runCli(['stats', FILE, '--array', name, '--bins', '8', '--range', '-2,2', '--json'])
        expect(one.code, one.stderr).toBe(0)
        expect(JSON.parse(one.stdout).histogram.counts, name).toEqual(w.hist)
        // a reversed column: strided, every element in another block
        const rows = ref.shapes[name]![0]!
        const line = await s.handle('scan:line', {
          session: info.session,
          scanId: 'l',
          slice: '::-1, -1',
          start: 0,
          stop: rows,
          buckets: Math.min(4, rows)
        })
        const mins = Array.from(new Float64Array(line.min.buffer, line.min.byteOffset, line.buckets))
        const maxs = Array.from(new Float64Array(line.max.buffer, line.max.byteOffset, line.buckets))
        expect(
          mins.map((m, k) => [m, maxs[k]]),
          name
        ).toEqual(w.col)
        const img = await s.handle('scan:image', {
          session: info.session,
          scanId: 'i',
          outRows: 2,
          outCols: 3,
          reduce: 'mean'
        })
        const means = Array.from(new Float64Array(img.values.buffer, img.values.byteOffset, 6))
        means.forEach((m, k) => expect(Math.abs(m - w.blocks[k]!), name).toBeLessThan(1e-6))
        await s.handle('session:close', { session: info.session })
      }
    } finally {
      s.closeAll()
    }
  })
})

describe('hex --array', () => {
  it("dumps from the array's first stored byte (--offset counts from there)", async () => {
    const info = JSON.parse((await runCli(['info', FILE, '--array', 'blk.1.Q4_0'])).stdout)
    const r = await runCli(['hex', FILE, '--array', 'blk.1.Q4_0', '--offset', '18', '--length', '18'])
    expect(r.code).toBe(0)
    const start = info.offset + 18
    const bytes = fs.readFileSync(FILE).subarray(start, start + 18)
    const dumped = r.stdout
      .trim()
      .split('\n')
      .flatMap((line) => line.slice(10, 58).trim().split(/\s+/))
      .map((h) => Number.parseInt(h, 16))
    expect(r.stdout.startsWith(start.toString(16).padStart(8, '0'))).toBe(true)
    expect(dumped).toEqual([...bytes])
  })
})

describe('GGUF version 2 and big-endian files', () => {
  it('version 2 lists and reads as version 3', async () => {
    const v2 = py<Ref>(`${JS}\nprint(json.dumps(reference(${JSON.stringify(V2)})))`)
    const listed = JSON.parse((await runCli(['ls', V2, '--json'])).stdout) as { name: string }[]
    expect(listed.map((e) => e.name)).toEqual(v2.names)
    expect(JSON.parse((await runCli(['show', V2, '--array', 'blk.1.Q8_0', '--json'])).stdout)).toEqual(
      v2.values['blk.1.Q8_0']
    )
  })

  it('a big-endian file maps its tensors as big-endian dtypes', async () => {
    const be = py<Ref>(`${JS}\nprint(json.dumps(reference(${JSON.stringify(BE)})))`)
    const listed = JSON.parse((await runCli(['ls', BE, '--json'])).stdout) as { name: string; dtype: string }[]
    expect(listed.map((e) => e.dtype)).toEqual(['>f4', '>i2'])
    for (const name of be.names) {
      expect(JSON.parse((await runCli(['show', BE, '--array', name, '--json'])).stdout)).toEqual(be.values[name])
    }
    expect(fs.existsSync(BE)).toBe(true)
  })
})
