// The files and layout checks of the new user's bug tests (issue #26), shared by issue26-bugs.spec.ts and
// issue26-bugs-late.spec.ts: a sharded safetensors checkpoint, an h5py file with groups and attributes, two .npy.
import fs from 'node:fs'
import path from 'node:path'
import { expect, type Page } from '@playwright/test'
import { py, tempDir } from './serve'

export const dir = tempDir()
export const BIN = path.join(__dirname, '..', '..', 'bin', 'arrayscope.js')

export const A = path.join(dir, 'golden.npy')
export const B = path.join(dir, 'run.npy')
export const INDEX = path.join(dir, 'model.safetensors.index.json')
export const H5 = path.join(dir, 'experiment.h5')
export const Q0 = 'model.layers.0.self_attn.q_proj.weight'
export const SIZES = [
  { width: 1400, height: 900 },
  { width: 1024, height: 768 }
]

export type Box = { x: number; y: number; width: number; height: number }
export const overlap = (a: Box, b: Box): boolean =>
  Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 1 &&
  Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 1

/** Each selector's (first) element is on screen, whole inside the window, and overlaps none of the others. */
export async function expectLaidOut(page: Page, selectors: string[]): Promise<Record<string, Box>> {
  const size = page.viewportSize()!
  const boxes: Record<string, Box> = {}
  for (const s of selectors) {
    const b = await page.locator(s).first().boundingBox()
    expect(b, `${s} is on screen`).not.toBeNull()
    expect(b!.width * b!.height, `${s} has an area`).toBeGreaterThan(0)
    expect(
      b!.x >= -0.5 && b!.y >= -0.5 && b!.x + b!.width <= size.width + 0.5 && b!.y + b!.height <= size.height + 0.5,
      `${s} ${JSON.stringify(b)} lies inside the ${size.width}×${size.height} window`
    ).toBe(true)
    boxes[s] = b!
  }
  for (let i = 0; i < selectors.length; i++)
    for (let j = i + 1; j < selectors.length; j++)
      expect(overlap(boxes[selectors[i]!]!, boxes[selectors[j]!]!), `${selectors[i]} overlaps ${selectors[j]}`).toBe(
        false
      )
  return boxes
}

/** b lies inside a (give or take a pixel). */
export function inside(a: Box, b: Box): boolean {
  return b.x >= a.x - 1 && b.y >= a.y - 1 && b.x + b.width <= a.x + a.width + 1 && b.y + b.height <= a.y + a.height + 1
}

/** Writes the files every test here opens (again: each spec file removes them when it ends). */
export function makeFiles(): { tensors: number } {
  fs.mkdirSync(dir, { recursive: true })
  return py(`
import os
from safetensors import serialize_file, TensorSpec
a = np.ones((60, 80), '<f4'); b = a.copy()
b[7, 9] = 1.25   # |A - B| = 0.25, / |B| = 0.2
b[30, 2] = 0.5   # |A - B| = 0.5 (the largest), / |B| = 1.0 (the largest)
np.save(${JSON.stringify(A)}, a); np.save(${JSON.stringify(B)}, b)
# a 3-shard checkpoint whose tensors are named as a llama's are, placed in shards out of name order
d = ${JSON.stringify(dir)}
weight_map = {}
keep = []
layers = [list(range(15, 22)), list(range(0, 8)), list(range(8, 15))]
for k, ls in enumerate(layers):
    name = f'model-{k+1:05d}-of-00003.safetensors'
    tensors = {}
    for layer in ls:
        for part in ('q_proj', 'k_proj'):
            w = np.full((4, 6), layer, np.float32)
            keep.append(w)
            tensors[f'model.layers.{layer}.self_attn.{part}.weight'] = TensorSpec(dtype='float32', shape=w.shape, data_ptr=w.ctypes.data, data_len=w.nbytes)
    serialize_file(tensors, os.path.join(d, name))
    for n in tensors: weight_map[n] = name
json.dump({'metadata': {}, 'weight_map': weight_map}, open(${JSON.stringify(INDEX)}, 'w'))
import h5py
with h5py.File(${JSON.stringify(H5)}, 'w') as f:
    g = f.create_group('raw')
    d = g.create_dataset('temperature', data=np.arange(12, dtype='<f4').reshape(3, 4))
    d.attrs['units'] = 'K'
    d.attrs['long_name'] = 'air temperature'
    d.attrs['scale'] = np.float32(1e-5)
    g.create_dataset('chunked', data=np.arange(400, dtype='<f8').reshape(20, 20), chunks=(5, 5), compression='gzip')
    f.attrs['title'] = 'a run'
print(json.dumps({'tensors': len(weight_map)}))`)
}

/** Opens the first entry the sidebar's filter finds for name. */
export async function openEntry(page: Page, name: string): Promise<void> {
  const panel = page.getByTestId('container-panel')
  await panel.locator('input[name="container-filter"]').fill(name)
  await panel.locator(`[data-testid="container-entry"][data-name="${name}"]`).click()
  await expect(page.getByRole('tab', { selected: true })).toContainText(name)
  await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
}
