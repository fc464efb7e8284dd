// safetensors against the safetensors library: every dtype written by its serialize_file, __metadata__, and a
// sharded checkpoint (index.json + shards). `ls` lists exactly the reference's names and shapes; `show --json`
// values equal the reference's (safetensors.numpy where numpy has the dtype; the reference's raw bytes decoded by
// numpy for BF16 and the float8 types).
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
const FILE = path.join(tmp.dir, 'model.safetensors')
const INDEX = path.join(tmp.dir, 'sharded', 'model.safetensors.index.json')

/** Reference decoding of a tensor's bytes as numpy values (float64 for the types numpy lacks), as .tolist(). */
const DECODE = `
def decode(dtype, raw, shape):
    b = np.frombuffer(raw, np.uint8)
    if dtype == 'BF16':
        v = (b.view('<u2').astype(np.uint32) << 16).view(np.float32)
    elif dtype == 'F8_E5M2':
        v = (b.astype(np.uint16) << 8).view(np.float16)
    elif dtype == 'F8_E4M3':
        s = np.where(b & 0x80, -1.0, 1.0); e = (b >> 3) & 0xF; m = (b & 7).astype(np.float64)
        v = np.where(e == 0, s * m / 8 * 2.0**-6, s * (1 + m / 8) * 2.0**(e.astype(np.float64) - 7))
        v = np.where((b & 0x7F) == 0x7F, np.nan, v)
    else:
        from safetensors.numpy import _TYPES
        v = b.view(np.dtype(_TYPES[dtype]).newbyteorder('<'))
    return v.reshape(shape)
def js(a):
    a = np.asarray(a)
    if a.dtype.kind == 'f':
        return [js(x) for x in a] if a.ndim else ('nan' if np.isnan(a) else ('inf' if a == np.inf else ('-inf' if a == -np.inf else float(a))))
    if a.dtype.kind == 'c':
        return [js(x) for x in a] if a.ndim else [js(a.real), js(a.imag)]
    big = lambda x: str(x) if isinstance(x, int) and not isinstance(x, bool) and abs(x) > 2**53 - 1 else x
    walk = lambda x: [walk(y) for y in x] if isinstance(x, list) else big(x)
    return walk(a.tolist())
`

let reference: { names: string[]; shapes: Record<string, number[]>; values: Record<string, unknown> }
beforeAll(() => {
  reference = py(`
import os
from safetensors import serialize_file, TensorSpec, safe_open
${DECODE}
rng = np.random.default_rng(5)
specs = {'bool': ('BOOL', 1), 'uint8': ('U8', 1), 'int8': ('I8', 1), 'uint16': ('U16', 2), 'int16': ('I16', 2),
    'float16': ('F16', 2), 'bfloat16': ('BF16', 2), 'uint32': ('U32', 4), 'int32': ('I32', 4), 'float32': ('F32', 4),
    'uint64': ('U64', 8), 'int64': ('I64', 8), 'float64': ('F64', 8), 'float8_e4m3fn': ('F8_E4M3', 1),
    'float8_e5m2': ('F8_E5M2', 1), 'complex64': ('C64', 8)}
keep = []
tensors = {}
shapes = {'bool': (3, 5), 'float32': (2, 3, 4), 'float16': (1, 7), 'int64': (0, 4), 'uint8': (), 'bfloat16': (5, 3)}
for name, (code, size) in specs.items():
    shape = shapes.get(name, (6,))
    n = int(np.prod(shape)) * size
    raw = rng.integers(0, 256, n, dtype=np.uint8)
    if name == 'bool': raw = raw & 1
    keep.append(raw)
    tensors['layer.' + name] = TensorSpec(dtype=name, shape=shape, data_ptr=raw.ctypes.data, data_len=n)
serialize_file(tensors, ${JSON.stringify(FILE)}, metadata={'format': 'np', 'note': 'written by the reference'})
with safe_open(${JSON.stringify(FILE)}, framework='np') as f:
    names = list(f.keys())
from safetensors import deserialize
raw = dict(deserialize(open(${JSON.stringify(FILE)}, 'rb').read()))
values = {k: js(decode(v['dtype'], v['data'], v['shape'])) for k, v in raw.items()}
shapes = {k: list(v['shape']) for k, v in raw.items()}
print(json.dumps({'names': names, 'shapes': shapes, 'values': values}))`)
})
afterAll(() => tmp.cleanup())

describe('safetensors', () => {
  it('ls lists exactly the reference names and shapes, with dtype, offsets and sizes', async () => {
    const r = await runCli(['ls', FILE, '--json'])
    expect(r.stderr).toBe('')
    const listed = JSON.parse(r.stdout) as { name: string; shape: number[]; dtype: string; nbytes: number }[]
    expect(listed.map((e) => e.name).sort()).toEqual([...reference.names].sort())
    for (const e of listed) expect(e.shape).toEqual(reference.shapes[e.name])
    expect(listed.find((e) => e.name === 'layer.bfloat16')!.dtype).toBe('<bfloat16')
    expect(listed.find((e) => e.name === 'layer.float8_e4m3fn')!.dtype).toBe('|float8_e4m3fn')
  })

  it('show --json equals the reference values for every dtype', async () => {
    for (const name of reference.names) {
      const r = await runCli(['show', FILE, '--array', name, '--json'])
      expect(r.stderr, name).toBe('')
      expect(JSON.parse(r.stdout), name).toEqual(reference.values[name])
    }
  })

  it('info names the array and its stored type; the container alone gives its metadata', async () => {
    const one = JSON.parse((await runCli(['info', FILE, '--array', 'layer.float32'])).stdout)
    expect(one).toMatchObject({ format: 'safetensors', array: 'layer.float32', storedType: 'F32', shape: [2, 3, 4] })
    const all = JSON.parse((await runCli(['info', FILE])).stdout)
    expect(all).toMatchObject({ format: 'safetensors', arrays: reference.names.length })
    expect(all.metadata.__metadata__).toEqual({ format: 'np', note: 'written by the reference' })
  })

  it('edits an F32 tensor in place (r+): the reference reads the new value', async () => {
    const r = await runCli(['set', FILE, '--array', 'layer.float32', '--index', '1,2,3', '--value', '2.5'])
    expect(r.stderr).toBe('')
    const v = py<number>(`
from safetensors import safe_open
with safe_open(${JSON.stringify(FILE)}, framework='np') as f:
    print(json.dumps(float(f.get_tensor('layer.float32')[1, 2, 3])))`)
    expect(v).toBe(2.5)
  })

  it('a container opened without --array, a missing name and layout flags with --array are clear errors', async () => {
    const a = await runCli(['show', FILE])
    expect(a.code).toBe(2)
    expect(a.stderr).toMatch(/is a safetensors container holding 16 arrays: choose one \(--array NAME/)
    const b = await runCli(['show', FILE, '--array', 'layer.float3'])
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/has no array 'layer.float3' \(it has 16, e\.g\. layer\.float32/)
    const c = await runCli(['show', FILE, '--array', 'layer.float32', '--dtype', '<f4'])
    expect(c.code).toBe(2)
    expect(c.stderr).toMatch(/--array takes the layout from the container/)
  })
})

describe('sharded checkpoint (model.safetensors.index.json)', () => {
  let shards: { names: string[]; shapes: Record<string, number[]>; values: Record<string, unknown> }
  beforeAll(() => {
    shards = py(`
import os
from safetensors.numpy import save_file, load_file
${DECODE}
d = os.path.dirname(${JSON.stringify(INDEX)}); os.makedirs(d)
rng = np.random.default_rng(9)
weight_map = {}
values = {}
for k in range(3):
    name = f'model-{k+1:05d}-of-00003.safetensors'
    t = {f'model.layers.{k}.attn.weight': rng.standard_normal((4, 3)).astype(np.float32),
         f'model.layers.{k}.mlp.bias': rng.integers(-9, 9, 5).astype(np.int32)}
    save_file(t, os.path.join(d, name))
    for n in t: weight_map[n] = name
    values.update({n: js(v) for n, v in load_file(os.path.join(d, name)).items()})
json.dump({'metadata': {'total_size': 123}, 'weight_map': weight_map}, open(${JSON.stringify(INDEX)}, 'w'))
print(json.dumps({'names': list(weight_map), 'shapes': {n: list(np.shape(values[n])) for n in values}, 'values': values}))`)
  })

  it('ls lists every tensor of every shard, each mapped from its own file', async () => {
    const listed = JSON.parse((await runCli(['ls', INDEX, '--json'])).stdout) as {
      name: string
      shape: number[]
      file: string
    }[]
    expect(listed.map((e) => e.name).sort()).toEqual([...shards.names].sort())
    for (const e of listed) {
      expect(e.shape).toEqual(shards.shapes[e.name])
      expect(e.file).toMatch(/^model-0000[123]-of-00003\.safetensors$/)
    }
  })

  it('show --json of a tensor in each shard equals safetensors.numpy.load_file', async () => {
    for (const name of shards.names) {
      const r = await runCli(['show', INDEX, '--array', name, '--json'])
      expect(JSON.parse(r.stdout), name).toEqual(shards.values[name])
    }
    const info = JSON.parse((await runCli(['info', INDEX, '--array', 'model.layers.2.mlp.bias'])).stdout)
    expect(info.path).toBe(path.join(path.dirname(INDEX), 'model-00003-of-00003.safetensors'))
    expect(info.format).toBe('safetensors-index')
  })

  it('an index naming a shard outside its folder is refused', async () => {
    const bad = path.join(tmp.dir, 'sharded', 'bad.index.json')
    py(`json.dump({'weight_map': {'x': '../../etc/passwd'}}, open(${JSON.stringify(bad)}, 'w')); print(1)`)
    const r = await runCli(['ls', bad])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/names a shard '\.\.\/\.\.\/etc\/passwd' outside its folder: refused/)
  })
})
