// Containers in the app (serve mode, Chromium): a sharded safetensors checkpoint opened from its index.json
// shows its tree; the filter finds a bf16 tensor; it opens in a tab whose statistics equal numpy's of the same
// values. A GGUF Q4_0 tensor shows its dequantized values (gguf.quants.dequantize) in the table, its blocks in
// the hex view, and its statistics (computed natively from the dequantized values).
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
const INDEX = path.join(dir, 'model.safetensors.index.json')
const GGUF = path.join(dir, 'tiny.gguf')
let ref: { min: string; max: string; count: number; q: string[][]; tensors: number; qmin: string; qmax: string }

test.beforeAll(() => {
  ref = py(`
import os, gguf
from safetensors import serialize_file, TensorSpec
from gguf.quants import quantize, dequantize
rng = np.random.default_rng(21)
d = ${JSON.stringify(dir)}
weight_map = {}
keep = []
bf = None
for k in range(2):
    name = f'model-{k+1:05d}-of-00002.safetensors'
    tensors = {}
    for layer in range(3):
        w = rng.standard_normal((16, 8)).astype(np.float32)
        keep.append(w)
        tensors[f'model.layers.{3*k+layer}.mlp.weight'] = TensorSpec(dtype='float32', shape=w.shape, data_ptr=w.ctypes.data, data_len=w.nbytes)
    if k == 1:
        bits = (rng.standard_normal((40, 24)).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
        keep.append(bits)
        bf = (bits.astype(np.uint32) << 16).view(np.float32)
        tensors['model.embed_tokens.bf16'] = TensorSpec(dtype='bfloat16', shape=bits.shape, data_ptr=bits.ctypes.data, data_len=bits.nbytes)
    serialize_file(tensors, os.path.join(d, name))
    for n in tensors: weight_map[n] = name
json.dump({'metadata': {}, 'weight_map': weight_map}, open(${JSON.stringify(INDEX)}, 'w'))
w = gguf.GGUFWriter(${JSON.stringify(GGUF)}, 'llama')
x = rng.standard_normal((4, 64)).astype(np.float32)
q = quantize(x, gguf.GGMLQuantizationType.Q4_0)
w.add_tensor('blk.0.attn_q.weight', q, raw_dtype=gguf.GGMLQuantizationType.Q4_0)
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
v = dequantize(q, gguf.GGMLQuantizationType.Q4_0)
def bf16_short(x):
    # numpy has no bfloat16: the shortest digits that round back to the same bfloat16, as the app prints it
    bits = lambda y: (int(np.float32(y).view(np.uint32)) + 0x7FFF + ((int(np.float32(y).view(np.uint32)) >> 16) & 1)) >> 16
    return next(t for t in ('%.*g' % (p, x) for p in range(1, 10)) if bits(float(t)) == bits(x))
print(json.dumps({'min': bf16_short(float(bf.min())), 'max': bf16_short(float(bf.max())), 'count': int(bf.size), 'tensors': len(weight_map),
                  'qmin': str(np.float32(v.min())), 'qmax': str(np.float32(v.max())),
                  'q': [[str(np.float32(v[i, j])) for j in range(6)] for i in range(4)]}))`)
})
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('a sharded checkpoint: tree, filter, a bf16 tensor and its statistics', async ({ page }) => {
  const served = await serve([INDEX])
  try {
    await page.goto(served.url)
    const panel = page.getByTestId('container-panel')
    await expect(panel.getByTestId('container-summary')).toHaveText(/sharded safetensors · 7 arrays/)
    // dotted names are folders
    await panel.locator('[data-testid="container-folder"][data-folder="model"]').click()
    await panel.locator('[data-testid="container-folder"][data-folder="model.layers"]').click()
    await expect(panel.locator('[data-testid="container-folder"][data-folder^="model.layers."]')).toHaveCount(6)
    await panel.locator('input[name="container-filter"]').fill('bf16')
    const entries = panel.getByTestId('container-entry')
    await expect(entries).toHaveCount(1)
    await expect(entries.first()).toHaveAttribute('data-name', 'model.embed_tokens.bf16')
    await expect(entries.first()).toContainText('bfloat16')
    await expect(entries.first()).toContainText('(40, 24)')
    await entries.first().click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.getByRole('tab', { selected: true })).toContainText('model.embed_tokens.bf16')
    await expect(page.getByTestId('status-array')).toHaveText('model.embed_tokens.bf16')
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('button', { name: 'Compute statistics' }).click()
    await expect(page.getByTestId('stats-min')).toHaveText(String(ref.min), { timeout: 30_000 })
    await expect(page.getByTestId('stats-max')).toHaveText(String(ref.max))
    await expect(page.getByTestId('stats-count')).toHaveText(String(ref.count))
    // Copy as code gives the loading call
    await page.getByRole('button', { name: 'Copy as code' }).click()
    await expect(page.getByTestId('recipe-python')).toContainText('dtype=ml_dtypes.bfloat16')
    await expect(page.getByTestId('recipe-cli')).toContainText('--array model.embed_tokens.bf16')
  } finally {
    await served.stop()
  }
})

test('a GGUF Q4_0 tensor: dequantized values, its blocks in the hex view, statistics of the values', async ({
  page
}) => {
  const served = await serve([GGUF, '--array', 'blk.0.attn_q.weight'])
  try {
    await page.goto(served.url)
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 6; j++) {
        await expect(page.locator(`.cell[data-row="${i}"][data-col="${j}"]`)).toHaveText(ref.q[i]![j]!)
      }
    }
    await expect(page.getByTestId('status-array')).toHaveText('blk.0.attn_q.weight · Q4_0 dequantized')
    await page.getByRole('button', { name: 'Hex' }).click()
    await expect(page.getByTestId('hex-legend')).toContainText('Q4_0 blocks 18 bytes = 32 elements each')
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('button', { name: 'Compute statistics' }).click()
    await expect(page.getByTestId('stats-count')).toHaveText('256')
    await expect(page.getByTestId('stats-min')).toHaveText(String(ref.qmin))
    await expect(page.getByTestId('stats-max')).toHaveText(String(ref.qmax))
    // the container's tree is there too, with the GGUF metadata
    await page.getByText('Metadata').click()
    await expect(page.getByTestId('container-metadata')).toContainText('"general.architecture": "llama"')
  } finally {
    await served.stop()
  }
})

test('the open form offers a .npz as a container; a deflated member opens through a decompressed copy', async ({
  page
}) => {
  const npz = path.join(dir, 'arrays.npz')
  const want = py<string[]>(`
np.savez_compressed(${JSON.stringify(npz)}, grid=np.arange(12, dtype=np.float64).reshape(3, 4) / 8, labels=np.arange(5, dtype=np.int16))
print(json.dumps([str(v) for v in (np.arange(12) / 8)[:4]]))`)
  const served = await serve([])
  try {
    await page.goto(served.url)
    await page.locator('input[name="path"]').fill(npz)
    await expect(page.getByTestId('container-notice')).toContainText('a numpy .npz archive')
    await page.getByRole('button', { name: 'Open as container' }).click()
    const panel = page.getByTestId('container-panel')
    await expect(panel.getByTestId('container-summary')).toHaveText(/\.npz · 2 arrays/)
    const grid = panel.locator('[data-testid="container-entry"][data-name="grid"]')
    await expect(grid).toContainText('(deflated)')
    await grid.click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await expect(page.getByRole('tab', { selected: true })).toContainText('grid (decompressed copy)')
    for (let j = 0; j < 4; j++) await expect(page.locator(`.cell[data-row="0"][data-col="${j}"]`)).toHaveText(want[j]!)
    await expect(page.getByTestId('status-array')).toHaveText('grid · decompressed copy')
  } finally {
    await served.stop()
  }
})
