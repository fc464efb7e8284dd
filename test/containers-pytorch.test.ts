// PyTorch checkpoints against torch (CPU): every dtype torch.save writes, shared storages and non-contiguous
// views, nested dicts, Parameters, a sharded index, a legacy (pre-zip) checkpoint; `ls` lists torch's keys and
// shapes, `show --json` equals torch's values. Hostile pickles (a __reduce__ calling os.system, builtins.eval)
// are refused by name and nothing runs (the marker files their payloads would create never appear, while
// torch.load(weights_only=False) does create one); truncated and damaged files are clear errors.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { recipe } from '../src/shared/recipe'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const at = (n: string): string => path.join(tmp.dir, n)

/** torch's values as `show --json` prints them: floats as float64 (nan/inf as text), complex as [re, im]. */
export const TORCH_JS = `
import torch
def js(t):
    if t.dtype.is_complex:
        a = t.to(torch.complex128).numpy()
        return cj(a)
    if t.dtype.is_floating_point:
        return fj(t.to(torch.float64).numpy())
    return t.numpy().tolist()
def fj(a):
    if a.ndim: return [fj(x) for x in a]
    return 'nan' if np.isnan(a) else ('inf' if a == np.inf else ('-inf' if a == -np.inf else float(a)))
def cj(a):
    if a.ndim: return [cj(x) for x in a]
    return [fj(np.float64(a.real)), fj(np.float64(a.imag))]
`

const DTYPES = [
  'float32',
  'float64',
  'float16',
  'bfloat16',
  'float8_e4m3fn',
  'float8_e5m2',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
  'complex64',
  'complex128'
]

let ref: { names: string[]; shapes: Record<string, number[]>; values: Record<string, unknown> }
beforeAll(() => {
  ref = py(`
${TORCH_JS}
torch.manual_seed(0)
sd = {}
for name in ${JSON.stringify(DTYPES)}:
    dt = getattr(torch, name)
    base = torch.randn(3, 5, dtype=torch.float64) * 40
    if name == 'bool': t = base > 0
    elif name.startswith('complex'): t = torch.complex(base, -base).to(dt)
    elif name.startswith('uint'): t = base.abs().to(dt)
    else: t = base.to(dt)
    sd['layer.' + name] = t
# shared storages and views of one tensor
x = torch.arange(24, dtype=torch.float32).reshape(4, 6)
sd['views.base'] = x
sd['views.t'] = x.t()
sd['views.rows'] = x[1:3]
sd['views.step'] = x[:, ::2]
sd['views.perm'] = torch.arange(60, dtype=torch.int32).reshape(3, 4, 5).permute(2, 0, 1)
sd['views.scalar'] = torch.tensor(2.5)
sd['views.empty'] = torch.zeros(0, 3)
sd['param'] = torch.nn.Parameter(torch.ones(2, 2))
torch.save(sd, ${JSON.stringify(at('model.pt'))})
back = torch.load(${JSON.stringify(at('model.pt'))}, weights_only=True)
print(json.dumps({'names': list(back), 'shapes': {k: list(v.shape) for k, v in back.items()},
                  'values': {k: js(v.detach()) for k, v in back.items()}}))`)
}, 120_000)

async function show(file: string, name: string): Promise<unknown> {
  const r = await runCli(['show', file, '--array', name, '--json'])
  expect(r.stderr, name).toBe('')
  return JSON.parse(r.stdout)
}

describe('PyTorch zip checkpoints', () => {
  it('ls lists torch.load keys and shapes, with torch dtypes; show equals torch for every dtype', async () => {
    const r = await runCli(['ls', at('model.pt'), '--json'])
    expect(r.stderr).toBe('')
    const listed = JSON.parse(r.stdout) as { name: string; shape: number[]; dtype: string; storedType: string }[]
    expect(listed.map((e) => e.name).sort()).toEqual([...ref.names].sort())
    for (const e of listed) expect(e.shape, e.name).toEqual(ref.shapes[e.name])
    expect(listed.find((e) => e.name === 'layer.bfloat16')!.dtype).toBe('<bfloat16')
    expect(listed.find((e) => e.name === 'layer.float8_e5m2')!.dtype).toBe('|float8_e5m2')
    expect(listed.find((e) => e.name === 'layer.complex128')!.dtype).toBe('<c16')
    for (const name of ref.names) expect(await show(at('model.pt'), name), name).toEqual(ref.values[name])
  })

  it('views of one storage map where torch views them: transposed as order F, strided, permuted', async () => {
    const c = JSON.parse((await runCli(['ls', at('model.pt'), '--json'])).stdout) as {
      name: string
      order: string
      offset: number
    }[]
    const e = (n: string): { order: string; offset: number } => c.find((x) => x.name === n)!
    expect(e('views.t').order).toBe('F')
    expect(e('views.t').offset).toBe(e('views.base').offset)
    expect(e('views.rows').offset).toBe(e('views.base').offset + 6 * 4)
    // editing the base in place (r+) is seen by the transposed view: they share their bytes, as in torch
    const s = await runCli(['set', at('model.pt'), '--array', 'views.base', '--index', '0,1', '--value', '99'])
    expect(s.stderr).toBe('')
    expect(((await show(at('model.pt'), 'views.t')) as number[][])[1]![0]).toBe(99)
    const t = py<number>(`
import torch
print(json.dumps(float(torch.load(${JSON.stringify(at('model.pt'))}, weights_only=True)['views.t'][1, 0])))`)
    expect(t).toBe(99)
  })

  it('statistics, export and diff run on strided views as on torch tensors', async () => {
    const file = at('views.pt')
    const v = py<{ stats: number[]; step: number[][] }>(`
import torch
x = torch.arange(60, dtype=torch.float32).reshape(3, 4, 5) * 0.5 - 7
torch.save({'perm': x.permute(2, 0, 1), 'step': x[1, :, ::2], 'copy': x.permute(2, 0, 1).contiguous(),
            'bcast': torch.ones(1, 4).expand(3, 4)}, ${JSON.stringify(file)})
p = x.permute(2, 0, 1)
print(json.dumps({'stats': [float(p.min()), float(p.max()), float(p.mean()), float(p.std(correction=0))], 'step': x[1, :, ::2].tolist()}))`)
    const st = JSON.parse((await runCli(['stats', file, '--array', 'perm', '--json'])).stdout)
    expect([st.min, st.max, st.mean]).toEqual(v.stats.slice(0, 3))
    expect(st.std).toBeCloseTo(v.stats[3]!, 5)
    const out = at('step.npy')
    const e = await runCli(['export', file, '--array', 'step', '--out', out, '--as', 'npy'])
    expect(e.code).toBe(0)
    expect(py(`print(json.dumps(np.load(${JSON.stringify(out)}).tolist()))`)).toEqual(v.step)
    // the permuted view (strided over its storage) and its contiguous copy compare equal
    const d = await runCli(['diff', file, file, '--array', 'perm', '--array-b', 'copy'])
    expect(d.code).toBe(0)
    // a broadcast view (stride 0) is listed with the reason, not mapped
    const listed = JSON.parse((await runCli(['ls', file, '--json'])).stdout) as { name: string; unmappable?: string }[]
    expect(listed.find((x) => x.name === 'bcast')!.unmappable).toMatch(/broadcast view \(a stride of 0/)
  })

  it('nested dicts and lists are dotted names; scalars are the metadata; Copy as code indexes the keys', async () => {
    const file = at('nested.ckpt')
    const v = py<Record<string, unknown>>(`
${TORCH_JS}
ck = {'epoch': 7, 'state_dict': {'enc.weight': torch.arange(6.).reshape(2, 3)},
      'optimizer': {'state': {0: {'exp_avg': torch.full((3,), 0.5)}}, 'param_groups': [{'lr': 0.1}]},
      'buffers': [torch.tensor([1, 2, 3])]}
torch.save(ck, ${JSON.stringify(file)})
print(json.dumps({'w': js(ck['state_dict']['enc.weight']), 'm': js(ck['optimizer']['state'][0]['exp_avg']), 'b': js(ck['buffers'][0])}))`)
    const names = (JSON.parse((await runCli(['ls', file, '--json'])).stdout) as { name: string }[]).map((e) => e.name)
    expect(names.sort()).toEqual(['buffers.0', 'optimizer.state.0.exp_avg', 'state_dict.enc.weight'])
    expect(await show(file, 'state_dict.enc.weight')).toEqual(v.w)
    expect(await show(file, 'optimizer.state.0.exp_avg')).toEqual(v.m)
    expect(await show(file, 'buffers.0')).toEqual(v.b)
    const info = JSON.parse((await runCli(['info', file])).stdout) as { metadata: { values: unknown } }
    expect(info.metadata.values).toEqual({ epoch: 7 })
    // Copy as code runs in the venv and reads the same values
    const service = new ArrayService({ watchIntervalMs: 0 })
    try {
      const s = await service.handle('session:open', {
        path: file,
        layout: null,
        mode: 'r',
        array: 'optimizer.state.0.exp_avg'
      })
      const code = recipe(s, { slice: '', rowAxis: 0, colAxis: null, index: [0] }, s.layout.shape).python
      expect(code).toContain('weights_only=True')
      expect(py(`${code}\nprint(json.dumps(view.tolist()))`)).toEqual(v.m)
    } finally {
      service.closeAll()
    }
  })

  it('a sharded pytorch_model.bin.index.json lists every tensor of every shard, each read from its shard', async () => {
    const dir = at('sharded')
    fs.mkdirSync(dir)
    const v = py<Record<string, unknown>>(`
${TORCH_JS}
import os
a = {'model.a': torch.arange(4.)}
b = {'model.b': torch.arange(6, dtype=torch.int16).reshape(2, 3), 'model.c': torch.ones(2, dtype=torch.bfloat16)}
torch.save(a, os.path.join(${JSON.stringify(dir)}, 'pytorch_model-00001-of-00002.bin'))
torch.save(b, os.path.join(${JSON.stringify(dir)}, 'pytorch_model-00002-of-00002.bin'))
wm = {k: 'pytorch_model-00001-of-00002.bin' for k in a} | {k: 'pytorch_model-00002-of-00002.bin' for k in b}
json.dump({'metadata': {'total_size': 32}, 'weight_map': wm}, open(os.path.join(${JSON.stringify(dir)}, 'pytorch_model.bin.index.json'), 'w'))
print(json.dumps({k: js(t) for k, t in (a | b).items()}))`)
    const index = path.join(dir, 'pytorch_model.bin.index.json')
    const listed = JSON.parse((await runCli(['ls', index, '--json'])).stdout) as { name: string; file: string }[]
    expect(listed.map((e) => e.name).sort()).toEqual(['model.a', 'model.b', 'model.c'])
    expect(listed.find((e) => e.name === 'model.b')!.file).toBe('pytorch_model-00002-of-00002.bin')
    for (const [name, value] of Object.entries(v)) expect(await show(index, name), name).toEqual(value)
    const service = new ArrayService({ watchIntervalMs: 0 })
    try {
      const s = await service.handle('session:open', { path: index, layout: null, mode: 'r', array: 'model.b' })
      const code = recipe(s, { slice: '', rowAxis: 0, colAxis: 1, index: [0, 0] }, s.layout.shape).python
      expect(py(`${code}\nprint(json.dumps(view.tolist()))`)).toEqual(v['model.b'])
    } finally {
      service.closeAll()
    }
  })

  it('pickle protocols 1 to 5 (STACK_GLOBAL, MEMOIZE, FRAME) read the same tensors', async () => {
    const v = py<Record<string, unknown>>(`
${TORCH_JS}
sd = {'a': torch.arange(6, dtype=torch.float64).reshape(2, 3), 'p': torch.nn.Parameter(torch.full((2,), 1.5)), 'k': {3: torch.tensor([True, False])}}
for proto in (1, 2, 3, 4, 5):
    torch.save(sd, ${JSON.stringify(tmp.dir)} + f'/proto{proto}.pt', pickle_protocol=proto)
print(json.dumps({'a': js(sd['a']), 'p': js(sd['p'].detach()), 'k.3': js(sd['k'][3])}))`)
    for (const proto of [1, 2, 3, 4, 5]) {
      const file = at(`proto${proto}.pt`)
      for (const [name, value] of Object.entries(v)) expect(await show(file, name), `${proto} ${name}`).toEqual(value)
    }
  })

  it('re-zipped archives: deflated records open read-only through a copy; a big-endian checkpoint as torch reads it', async () => {
    const v = py<Record<string, Record<string, unknown>>>(`
${TORCH_JS}
import zipfile
sd = {'a': torch.arange(6, dtype=torch.float32).reshape(2, 3) * 1.5, 'i': torch.arange(4, dtype=torch.int64) - 2,
      'h': torch.tensor([1.0, -2.5, 3.25], dtype=torch.bfloat16), 'at': None}
sd['at'] = sd['a'].t()
src = ${JSON.stringify(at('le.pt'))}
torch.save(sd, src)
z = zipfile.ZipFile(src)
with zipfile.ZipFile(${JSON.stringify(at('deflated.pt'))}, 'w', zipfile.ZIP_DEFLATED) as o:
    for i in z.infolist(): o.writestr(i.filename, z.read(i.filename))
# what torch.save writes on a big-endian machine: byteorder 'big', every element's bytes reversed
with zipfile.ZipFile(${JSON.stringify(at('big-endian.pt'))}, 'w') as o:
    for i in z.infolist():
        b = z.read(i.filename)
        if i.filename.endswith('/byteorder'): b = b'big'
        elif '/data/' in i.filename:
            n = {'0': 4, '1': 8, '2': 2}[i.filename.rsplit('/', 1)[1]]
            b = np.frombuffer(b, np.uint8).reshape(-1, n)[:, ::-1].tobytes()
        o.writestr(i.filename, b)
out = {}
for f in ('deflated.pt', 'big-endian.pt'):
    back = torch.load(${JSON.stringify(tmp.dir)} + '/' + f, weights_only=True)
    out[f] = {k: js(t) for k, t in back.items()}
print(json.dumps(out))`)
    for (const [f, values] of Object.entries(v)) {
      for (const [name, value] of Object.entries(values)) expect(await show(at(f), name), `${f} ${name}`).toEqual(value)
    }
    const listed = JSON.parse((await runCli(['ls', at('big-endian.pt'), '--json'])).stdout) as {
      name: string
      dtype: string
    }[]
    expect(listed.find((e) => e.name === 'i')!.dtype).toBe('>i8')
    const r = await runCli(['set', at('deflated.pt'), '--array', 'a', '--index', '0,0', '--value', '1'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/read-only/)
  })

  it('a legacy (pre-zip) checkpoint maps its storages where they lie', async () => {
    const file = at('legacy.pth')
    const v = py<Record<string, unknown>>(`
${TORCH_JS}
x = torch.arange(12, dtype=torch.float64).reshape(3, 4)
sd = {'w': x, 'wt': x.t(), 'b': torch.tensor([1, -2, 3], dtype=torch.int8), 'h': torch.ones(5, dtype=torch.float16)}
torch.save(sd, ${JSON.stringify(file)}, _use_new_zipfile_serialization=False)
print(json.dumps({k: js(t) for k, t in sd.items()}))`)
    const listed = JSON.parse((await runCli(['ls', file, '--json'])).stdout) as { name: string }[]
    expect(listed.map((e) => e.name).sort()).toEqual(['b', 'h', 'w', 'wt'])
    for (const [name, value] of Object.entries(v)) expect(await show(file, name), name).toEqual(value)
  })
})

describe('hostile and damaged checkpoints', () => {
  it('a __reduce__ calling os.system and a call of builtins.eval are refused by name; nothing runs', async () => {
    const sys = at('hostile-system.pt')
    const ev = at('hostile-eval.pt')
    const marker = at('pwned-system')
    const marker2 = at('pwned-eval')
    const proof = at('proof')
    py(`
import torch, os
class Boom:
    def __init__(self, cmd): self.cmd = cmd
    def __reduce__(self): return (os.system, (self.cmd,))
code = 'open(%r, "w").write("x")' % ${JSON.stringify(marker2)}
class Ev:
    def __reduce__(self): return (eval, (code,))
torch.save({'w': torch.ones(2), 'x': Boom('touch ${marker}')}, ${JSON.stringify(sys)})
torch.save({'w': torch.ones(2), 'x': Ev()}, ${JSON.stringify(ev)}, pickle_protocol=4)
# the payload is real: torch.load without weights_only runs it (on a copy, with another marker)
torch.save({'x': Boom('touch ${proof}')}, ${JSON.stringify(at('proof.pt'))})
torch.load(${JSON.stringify(at('proof.pt'))}, weights_only=False)
print(1)`)
    expect(fs.existsSync(proof)).toBe(true)
    for (const [file, global] of [
      [sys, /posix\.system|os\.system/],
      [ev, /builtins\.eval/]
    ] as const) {
      for (const argv of [
        ['ls', file],
        ['show', file, '--array', 'w'],
        ['info', file]
      ]) {
        const r = await runCli(argv)
        expect(r.code, argv.join(' ')).toBe(2)
        expect(r.stderr).toMatch(global)
        expect(r.stderr).toMatch(/refused \(nothing in the pickle was run\)/)
      }
    }
    expect(fs.existsSync(marker)).toBe(false)
    expect(fs.existsSync(marker2)).toBe(false)
  })

  it('a truncated archive and a damaged pickle are clear errors', async () => {
    const bytes = fs.readFileSync(at('model.pt'))
    const cut = at('cut.pt')
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)))
    const a = await runCli(['ls', cut])
    expect(a.code).toBe(2)
    expect(a.stderr).toMatch(/no end-of-central-directory record: the ZIP archive is truncated/)
    // data.pkl is the first member: its first opcode after PROTO 2 replaced by a byte no protocol defines
    const bad = Buffer.from(bytes)
    const nameLength = bad.readUInt16LE(26) + bad.readUInt16LE(28)
    bad[30 + nameLength + 2] = 0xff
    fs.writeFileSync(at('bad.pt'), bad)
    const b = await runCli(['ls', at('bad.pt')])
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/data\.pkl: has an unknown opcode 0xff: it is damaged or not a pickle/)
    // a pickle cut short (STOP replaced by POP): said so
    const stop = Buffer.from(bytes)
    const pklSize = py<number>(`
import zipfile
print(zipfile.ZipFile(${JSON.stringify(at('model.pt'))}).infolist()[0].file_size)`)
    stop[30 + nameLength + pklSize - 1] = 0x30
    fs.writeFileSync(at('nostop.pt'), stop)
    const c = await runCli(['ls', at('nostop.pt')])
    expect(c.code).toBe(2)
    expect(c.stderr).toMatch(/data\.pkl: ends without a STOP opcode/)
  })

  it('a TorchScript module is refused with the way to get its state dict', async () => {
    const file = at('scripted.pt')
    py(`
import torch
torch.jit.save(torch.jit.script(torch.nn.Linear(2, 3)), ${JSON.stringify(file)})
print(1)`)
    const r = await runCli(['ls', file])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/TorchScript module .*state_dict\(\)/)
  })
})
