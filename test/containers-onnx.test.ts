// ONNX models against the onnx package: initializers of every dtype in raw_data (mapped in place), in the typed
// fields (float_data / double_data in place, int32_data / int64_data / uint64_data decoded into a copy), in
// external data files; `ls` lists onnx's names and dims, `show --json` equals onnx.numpy_helper.to_array. The
// graph's inputs, outputs and opsets are the metadata. External locations that leave the model's folder (`..`,
// absolute, a link out of serve's --root) are refused. A 1.5 GB model (sparse) lists without being read.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { recipe } from '../src/shared/recipe'
import { runCli } from './helpers/cli'
import { rejection } from './helpers/errors'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const at = (...n: string[]): string => path.join(tmp.dir, ...n)

const JS = `
import onnx
from onnx import helper, numpy_helper, TensorProto
def js(a):
    a = np.asarray(a)
    if a.dtype.kind == 'c': return cj(a.astype(np.complex128))
    if a.dtype.kind in 'fV' or a.dtype.name in ('bfloat16', 'float8_e4m3fn', 'float8_e5m2'): return fj(a.astype(np.float64))
    big = lambda x: str(x) if isinstance(x, int) and not isinstance(x, bool) and abs(x) > 2**53 - 1 else x
    walk = lambda x: [walk(y) for y in x] if isinstance(x, list) else big(x)
    return walk(a.tolist())
def fj(a):
    if a.ndim: return [fj(x) for x in a]
    return 'nan' if np.isnan(a) else ('inf' if a == np.inf else ('-inf' if a == -np.inf else float(a)))
def cj(a):
    if a.ndim: return [cj(x) for x in a]
    return [fj(np.float64(a.real)), fj(np.float64(a.imag))]
def model(inits, path, **save):
    node = helper.make_node('Add', ['x', 'w.float32'], ['y'])
    g = helper.make_graph([node], 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N', 3])],
                          [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['N', 3])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)], producer_name='arrayscope-test')
    onnx.save_model(m, path, **save)
def ref(path):
    m = onnx.load(path, load_external_data=False)
    d = os.path.dirname(path)
    return {'names': [t.name for t in m.graph.initializer], 'dims': {t.name: list(t.dims) for t in m.graph.initializer},
            'values': {t.name: js(numpy_helper.to_array(t, base_dir=d)) for t in m.graph.initializer}}
import os, ml_dtypes
rng = np.random.default_rng(31)
`

type Ref = { names: string[]; dims: Record<string, number[]>; values: Record<string, unknown> }
let raw: Ref
let typed: Ref
let external: Ref
beforeAll(() => {
  const r = py<{ raw: Ref; typed: Ref; external: Ref }>(`
${JS}
inits = []
for dt in ['float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'complex64', 'complex128']:
    a = (rng.standard_normal((2, 3)) * 50)
    a = (a > 0) if dt == 'bool' else (a + 1j * a if dt.startswith('complex') else (np.abs(a) if dt.startswith('uint') else a)).astype(dt)
    inits.append(numpy_helper.from_array(a, 'w.' + dt))
for name, code in [('bfloat16', TensorProto.BFLOAT16), ('float8_e4m3fn', TensorProto.FLOAT8E4M3FN), ('float8_e5m2', TensorProto.FLOAT8E5M2)]:
    a = (rng.standard_normal((3, 2)) * 4).astype(getattr(ml_dtypes, name))
    inits.append(helper.make_tensor('w.' + name, code, a.shape, a.tobytes(), raw=True))
model(inits, ${JSON.stringify(at('raw.onnx'))})
t = [helper.make_tensor('t.float', TensorProto.FLOAT, [2, 2], [1.5, -2, 3, 4e10]),
     helper.make_tensor('t.double', TensorProto.DOUBLE, [3], [0.1, -0.2, 1e300]),
     helper.make_tensor('t.int64', TensorProto.INT64, [2, 2], [1, -2, 2**40, -2**62]),
     helper.make_tensor('t.int32', TensorProto.INT32, [3], [-1, 0, 2**31 - 1]),
     helper.make_tensor('t.int8', TensorProto.INT8, [4], [-128, -1, 0, 127]),
     helper.make_tensor('t.uint16', TensorProto.UINT16, [2], [0, 65535]),
     helper.make_tensor('t.float16', TensorProto.FLOAT16, [3], np.array([0.5, -2, 65504], np.float16)),
     helper.make_tensor('t.bool', TensorProto.BOOL, [3], [True, False, True]),
     helper.make_tensor('t.uint64', TensorProto.UINT64, [2], [2**63 + 5, 7]),
     helper.make_tensor('t.uint32', TensorProto.UINT32, [2], [2**32 - 1, 3]),
     numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3), 'w.float32')]
model(t, ${JSON.stringify(at('typed.onnx'))})
os.mkdir(${JSON.stringify(at('ext'))})
e = [numpy_helper.from_array(rng.standard_normal((40, 30)).astype(np.float32), 'w.float32'),
     numpy_helper.from_array(np.arange(100, dtype=np.int64), 'e.int64'),
     numpy_helper.from_array(rng.standard_normal(17).astype(np.float16), 'e.half')]
model(e, ${JSON.stringify(at('ext', 'model.onnx'))}, save_as_external_data=True, all_tensors_to_one_file=True, location='weights.bin', size_threshold=0)
print(json.dumps({'raw': ref(${JSON.stringify(at('raw.onnx'))}), 'typed': ref(${JSON.stringify(at('typed.onnx'))}),
                  'external': ref(${JSON.stringify(at('ext', 'model.onnx'))})}))`)
  raw = r.raw
  typed = r.typed
  external = r.external
}, 120_000)

async function ls(
  file: string
): Promise<{ name: string; shape: number[]; dtype: string; file?: string; unmappable?: string }[]> {
  const r = await runCli(['ls', file, '--json'])
  expect(r.stderr).toBe('')
  return JSON.parse(r.stdout)
}

async function expectValues(file: string, ref: Ref): Promise<void> {
  const listed = await ls(file)
  expect(listed.map((e) => e.name)).toEqual(ref.names)
  for (const e of listed) expect(e.shape, e.name).toEqual(ref.dims[e.name])
  for (const name of ref.names) {
    const r = await runCli(['show', file, '--array', name, '--json'])
    expect(r.stderr, name).toBe('')
    expect(JSON.parse(r.stdout), name).toEqual(ref.values[name])
  }
}

describe('ONNX initializers', () => {
  it('raw_data of every dtype maps in place and equals numpy_helper.to_array; graph I/O and opsets in info', async () => {
    await expectValues(at('raw.onnx'), raw)
    const info = JSON.parse((await runCli(['info', at('raw.onnx')])).stdout)
    expect(info).toMatchObject({ format: 'onnx', arrays: raw.names.length })
    expect(info.metadata).toMatchObject({
      producer: 'arrayscope-test',
      opset_import: { 'ai.onnx': 17 },
      graph: 'g',
      nodes: 1,
      inputs: [{ name: 'x', type: { dtype: 'FLOAT', shape: ['N', 3] } }],
      outputs: [{ name: 'y', type: { dtype: 'FLOAT', shape: ['N', 3] } }]
    })
    // in place: an edit (r+) is what onnx then reads
    const s = await runCli(['set', at('raw.onnx'), '--array', 'w.float32', '--index', '1,2', '--value', '0.25'])
    expect(s.stderr).toBe('')
    expect(
      py(`
import onnx
from onnx import numpy_helper
m = onnx.load(${JSON.stringify(at('raw.onnx'))})
print(json.dumps(float(numpy_helper.to_array([t for t in m.graph.initializer if t.name == 'w.float32'][0])[1, 2])))`)
    ).toBe(0.25)
  })

  it('typed fields: float_data / double_data in place, varint fields decoded, all equal to_array', async () => {
    await expectValues(at('typed.onnx'), typed)
    const info = JSON.parse((await runCli(['info', at('typed.onnx'), '--array', 't.int64'])).stdout)
    expect(JSON.stringify(info)).toMatch(/int64_data/)
  })

  it('external data maps in its file; Copy as code reads it with to_array', async () => {
    const model = at('ext', 'model.onnx')
    await expectValues(model, external)
    expect((await ls(model)).every((e) => e.file === 'weights.bin')).toBe(true)
    const service = new ArrayService({ watchIntervalMs: 0 })
    try {
      const s = await service.handle('session:open', { path: model, layout: null, mode: 'r', array: 'e.int64' })
      const code = recipe(s, { slice: '', rowAxis: 0, colAxis: null, index: [0] }, s.layout.shape).python
      expect(py(`${code}\nprint(json.dumps(view.tolist()))`)).toEqual(external.values['e.int64'])
    } finally {
      service.closeAll()
    }
  })

  it('an external location outside the model folder is refused: .., absolute, a link out of --root', async () => {
    const root = at('root')
    fs.mkdirSync(root)
    fs.writeFileSync(at('secret.bin'), Buffer.alloc(400, 7))
    fs.symlinkSync(at('secret.bin'), path.join(root, 'linked.bin'))
    py(`
${JS}
for name, loc in [('dotdot', '../secret.bin'), ('etc', '../../etc/passwd'), ('absolute', ${JSON.stringify(at('secret.bin'))}), ('linked', 'linked.bin')]:
    t = numpy_helper.from_array(np.zeros(100, np.float32), 'w.float32')
    t.ClearField('raw_data')
    t.data_location = TensorProto.EXTERNAL
    for k, v in [('location', loc), ('offset', '0'), ('length', '400')]:
        e = t.external_data.add(); e.key = k; e.value = v
    model([t], os.path.join(${JSON.stringify(root)}, name + '.onnx'))
print(1)`)
    for (const name of ['dotdot', 'etc', 'absolute']) {
      const [e] = await ls(path.join(root, `${name}.onnx`))
      expect(e!.unmappable, name).toMatch(/lies outside the model's folder: refused/)
      const r = await runCli(['show', path.join(root, `${name}.onnx`), '--array', 'w.float32'])
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
    }
    // the link is inside the folder by name, outside serve's --root once resolved
    const service = new ArrayService({ watchIntervalMs: 0, root })
    try {
      const list = await service.handle('container:list', { path: path.join(root, 'linked.onnx'), filter: 'w.float32' })
      expect(list.entries[0]!.unmappable).toMatch(/outside the folder this server may read/)
      const err = await rejection(
        service.handle('session:open', {
          path: path.join(root, 'linked.onnx'),
          layout: null,
          mode: 'r',
          array: 'w.float32'
        })
      )
      expect(err.message).toMatch(/cannot be opened/)
    } finally {
      service.closeAll()
    }
  })

  it('a 1.5 GB model (sparse raw_data) lists from its headers, without reading the data', async () => {
    const big = at('big.onnx')
    py(`
${JS}
# a model whose one initializer holds 1.5 GB of raw_data: written by hand around a sparse hole
n = 375_000_000
t = TensorProto(name='huge', data_type=TensorProto.FLOAT, dims=[n])
head = t.SerializeToString()
def varint(v):
    out = b''
    while True:
        b = v & 0x7f; v >>= 7
        out += bytes([b | (0x80 if v else 0)])
        if not v: return out
tensor = head + b'\\x4a' + varint(n * 4)
tensor_len = len(tensor) + n * 4
graph = b'\\x2a' + varint(tensor_len)
graph_len = len(graph) + tensor_len
with open(${JSON.stringify(big)}, 'wb') as f:
    f.write(b'\\x08\\x08' + b'\\x3a' + varint(graph_len) + graph + tensor)
    f.seek(n * 4, 1)
    f.truncate()
print(1)`)
    const before = process.memoryUsage().rss
    const t0 = Date.now()
    const [e] = await ls(big)
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(process.memoryUsage().rss - before).toBeLessThan(200 << 20)
    expect(e).toMatchObject({ name: 'huge', shape: [375_000_000], dtype: '<f4' })
  })

  it('a model exported by torch.onnx.export: its initializers are the module parameters', async () => {
    const file = at('exported.onnx')
    const v = py<Ref & { params: Record<string, unknown> }>(`
${JS}
import torch, warnings
warnings.simplefilter('ignore')
torch.manual_seed(1)
m = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 5))
torch.onnx.export(m, (torch.randn(1, 3, 8, 8),), ${JSON.stringify(file)}, dynamo=False)
r = ref(${JSON.stringify(file)})
r['params'] = {k: js(p.detach().numpy()) for k, p in m.state_dict().items()}
print(json.dumps(r))`)
    await expectValues(file, v)
    for (const [name, value] of Object.entries(v.params)) expect(v.values[name], name).toEqual(value)
    const info = JSON.parse((await runCli(['info', file])).stdout)
    expect(info.metadata.producer).toBe('pytorch')
  })

  it("Constant nodes' tensors are listed in a folder of their own, with onnx's values and Copy as code", async () => {
    const file = at('constants.onnx')
    const v = py<Record<string, unknown>>(`
${JS}
c1 = np.arange(6, dtype=np.int64).reshape(2, 3) - 3
c2 = np.array([0.5, -1.5], np.float32)
nodes = [helper.make_node('Constant', [], ['shape_c'], value=numpy_helper.from_array(c1)),
         helper.make_node('Constant', [], ['scale'], value=helper.make_tensor('s', TensorProto.FLOAT, [2], [0.5, -1.5])),
         helper.make_node('Constant', [], ['scalar'], value_float=2.0),
         helper.make_node('Add', ['x', 'w.float32'], ['y'])]
g = helper.make_graph(nodes, 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, [2])],
                      [helper.make_tensor_value_info('y', TensorProto.FLOAT, [2])],
                      [numpy_helper.from_array(np.ones(2, np.float32), 'w.float32')])
onnx.save_model(helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)]), ${JSON.stringify(file)})
print(json.dumps({'shape_c': js(c1), 'scale': js(c2)}))`)
    const listed = await ls(file)
    expect(listed.map((e) => e.name).sort()).toEqual(['scale', 'shape_c', 'w.float32'])
    for (const [name, value] of Object.entries(v)) {
      const r = await runCli(['show', file, '--array', name, '--json'])
      expect(JSON.parse(r.stdout), name).toEqual(value)
    }
    const service = new ArrayService({ watchIntervalMs: 0 })
    try {
      const top = await service.handle('container:list', { path: file })
      expect(top.folders.map((x) => x.name)).toContain('(Constant nodes)')
      const s = await service.handle('session:open', { path: file, layout: null, mode: 'r', array: 'shape_c' })
      const code = recipe(s, { slice: '', rowAxis: 0, colAxis: 1, index: [0, 0] }, s.layout.shape).python
      expect(py(`${code}\nprint(json.dumps(view.tolist()))`)).toEqual(v.shape_c)
    } finally {
      service.closeAll()
    }
  })

  it('a truncated model is a clear error', async () => {
    const bytes = fs.readFileSync(at('raw.onnx'))
    fs.writeFileSync(at('cut.onnx'), bytes.subarray(0, bytes.length - 40))
    const r = await runCli(['ls', at('cut.onnx')])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/cut\.onnx: .*(runs past the end|truncated)/)
  })
})
