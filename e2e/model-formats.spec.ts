// Model files in the app (serve mode, Chromium): a PyTorch checkpoint written by torch.save — its state-dict tree,
// a tensor and its transposed view (one storage) with torch's values — and an ONNX model whose initializers are
// external data beside it, with onnx's values and the graph's inputs in the metadata.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
const PT = path.join(dir, 'model.pt')
const ONNX = path.join(dir, 'onnx', 'model.onnx')
let ref: { weight: string[][]; weightT: string[][]; conv: string[][] }

test.beforeAll(() => {
  fs.mkdirSync(path.dirname(ONNX))
  ref = py(`
import torch, onnx
from onnx import helper, numpy_helper, TensorProto
torch.manual_seed(3)
w = torch.randn(4, 5)
torch.save({'encoder.weight': w, 'encoder.weight_t': w.t(), 'head.bias': torch.zeros(5)}, ${JSON.stringify(PT)})
conv = np.random.default_rng(4).standard_normal((6, 7)).astype(np.float32)
g = helper.make_graph([helper.make_node('MatMul', ['x', 'conv.weight'], ['y'])], 'g',
                      [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['batch', 6])],
                      [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['batch', 7])],
                      [numpy_helper.from_array(conv, 'conv.weight')])
onnx.save_model(helper.make_model(g, opset_imports=[helper.make_opsetid('', 18)]), ${JSON.stringify(ONNX)},
                save_as_external_data=True, location='weights.bin', size_threshold=0)
s = lambda a: [[str(v) for v in row] for row in a[:3, :4]]
print(json.dumps({'weight': s(w.numpy()), 'weightT': s(w.t().numpy()), 'conv': s(conv)}))`)
})
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

async function cells(page: Page, want: string[][]): Promise<void> {
  await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 4; j++) {
      await expect(page.locator(`.cell[data-row="${i}"][data-col="${j}"]`)).toHaveText(want[i]![j]!)
    }
  }
}

test('PyTorch: the state-dict tree, a tensor and its transposed view with torch values', async ({ page }) => {
  const served = await serve([PT])
  try {
    await page.goto(served.url)
    const panel = page.getByTestId('container-panel')
    await expect(panel.getByTestId('container-summary')).toHaveText(/PyTorch · 3 arrays/)
    await panel.locator('[data-testid="container-folder"][data-folder="encoder"]').click()
    const weight = panel.locator('[data-testid="container-entry"][data-name="encoder.weight"]')
    await expect(weight).toContainText('f4')
    await expect(weight).toContainText('(4, 5)')
    await weight.click()
    await cells(page, ref.weight)
    await panel.locator('[data-testid="container-entry"][data-name="encoder.weight_t"]').click()
    await expect(page.getByRole('tab', { selected: true })).toContainText('encoder.weight_t')
    await cells(page, ref.weightT)
    // its attributes: the storage record it shares with encoder.weight, its strides
    await expect(panel.getByTestId('array-metadata')).toContainText('data/0')
  } finally {
    await served.stop()
  }
})

test('ONNX: an initializer in external data, with onnx values; the graph inputs in the metadata', async ({ page }) => {
  const served = await serve([ONNX])
  try {
    await page.goto(served.url)
    const panel = page.getByTestId('container-panel')
    await expect(panel.getByTestId('container-summary')).toHaveText(/ONNX · 1 array · /)
    await panel.locator('[data-testid="container-folder"][data-folder="conv"]').click()
    const conv = panel.locator('[data-testid="container-entry"][data-name="conv.weight"]')
    await expect(conv).toContainText('(6, 7)')
    await conv.click()
    await cells(page, ref.conv)
    await panel.locator('summary', { hasText: 'Metadata' }).click()
    const meta = panel.getByTestId('container-metadata')
    await expect(meta).toContainText('batch')
    await expect(meta).toContainText('ai.onnx')
  } finally {
    await served.stop()
  }
})
