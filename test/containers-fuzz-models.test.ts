// Hostile model files, in process: a seeded fuzz mutates PyTorch checkpoints (zip with pickle protocols 2 and 4,
// legacy) and ONNX models written by torch and onnx thousands of times — parsing succeeds or throws one
// ContainerError (a PickleError is one), never another exception, never a hang.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseContainer } from '../src/shared/containers'
import { ctxOf, parseMutant, type MutantCounts } from './helpers/container-fuzz'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const NAMES = ['t2.pt', 't4.pt', 'legacy.pth', 'm.onnx']
const files: Record<string, Buffer> = {}

beforeAll(() => {
  py(`
import torch, onnx
from onnx import helper, numpy_helper, TensorProto
d = ${JSON.stringify(tmp.dir)}
x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
sd = {'w': x, 'wt': x.t(), 'n': {'b': torch.ones(3, dtype=torch.bfloat16), 0: [torch.arange(3)]}, 'epoch': 2,
      'p': torch.nn.Parameter(torch.zeros(2)), 'blob': b'\\x00\\x01'}
torch.save(sd, f'{d}/t2.pt')
torch.save(sd, f'{d}/t4.pt', pickle_protocol=4)
torch.save({'w': x, 'h': torch.ones(4, dtype=torch.float16)}, f'{d}/legacy.pth', _use_new_zipfile_serialization=False)
g = helper.make_graph([helper.make_node('Add', ['x', 'w'], ['y'])], 'g',
                      [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N', 3])],
                      [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['N', 3])],
                      [numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3), 'w'),
                       helper.make_tensor('k', TensorProto.INT64, [3], [1, -2, 3]),
                       helper.make_tensor('f', TensorProto.FLOAT16, [2], np.array([0.5, 1.5], np.float16))])
onnx.save_model(helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)]), f'{d}/m.onnx')
print(1)`)
  for (const n of NAMES) files[n] = fs.readFileSync(path.join(tmp.dir, n))
}, 60_000)

describe('seeded fuzz over PyTorch checkpoints and ONNX models', () => {
  it('the unmutated files parse', () => {
    for (const n of NAMES) expect(parseContainer(ctxOf(files[n]!, n))!.entries.length, n).toBeGreaterThan(1)
  })

  it('10000 mutations: each parse succeeds or throws one ContainerError, quickly', () => {
    let state = 31
    const rand = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      return state % n
    }
    const counts: MutantCounts = new Map()
    for (let k = 0; k < 10000; k++) {
      const name = NAMES[k % NAMES.length]!
      let b = Buffer.from(files[name]!)
      const kind = rand(5)
      if (kind === 0) b = b.subarray(0, rand(b.length))
      else {
        const flips = 1 + rand(6)
        for (let f = 0; f < flips; f++) {
          // the pickle or the protobuf's fields (first 1 KiB), anywhere, or the ZIP directory at the end
          const at =
            kind === 1
              ? rand(Math.min(1024, b.length))
              : kind === 2
                ? rand(b.length)
                : b.length - 1 - rand(Math.min(600, b.length))
          b[at] = kind === 3 ? [0x00, 0xff, 0x7f, 0x80][rand(4)]! : rand(256)
        }
      }
      parseMutant(counts, name, b, k)
    }
    for (const [name, c] of counts) {
      expect(c.ok + c.err, name).toBe(2500)
      expect(c.err, name).toBeGreaterThan(20)
    }
  })
})
