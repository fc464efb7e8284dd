// A .nii.gz typed into the open form (serve mode, Chromium): it opens with nibabel's values, read through a
// temporary decompressed copy; a large one shows the decompression's progress, and Cancel stops it, leaving no
// temporary copy behind.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
const SMALL = path.join(dir, 'small.nii.gz')
const BIG = path.join(dir, 'big.nii.gz')
let ref: string[][]

test.beforeAll(() => {
  ref = py(`
import nibabel as nib
img = nib.Nifti1Image(np.arange(24, dtype=np.int16).reshape(4, 6), np.eye(4))
img.header.set_slope_inter(0.5, 10)
nib.save(img, ${JSON.stringify(SMALL)})
# 400 MB of a pattern gzip squeezes well: decompressing it takes long enough to see it and cancel it
nib.save(nib.Nifti1Image(np.tile(np.arange(1000, dtype='<f8'), 50_000).reshape(100, 100, 50, 100), np.eye(4)), ${JSON.stringify(BIG)})
v = np.asanyarray(nib.load(${JSON.stringify(SMALL)}).dataobj)
print(json.dumps([[str(x) for x in row] for row in v[:3, :4]]))`)
})
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const temps = (): string[] => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('arrayscope-gzip-'))

test('a .nii.gz opens from the open form; a large one shows its progress and Cancel stops it', async ({ page }) => {
  const served = await serve(['--root', dir])
  try {
    await page.setViewportSize({ width: 1280, height: 1100 })
    await page.goto(served.url)
    await page.fill('input[name=path]', SMALL)
    await expect(page.getByTestId('probe')).toBeVisible()
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) {
        await expect(page.locator(`.cell[data-row="${i}"][data-col="${j}"]`)).toHaveText(ref[i]![j]!)
      }
    }
    const before = temps()
    await page.getByRole('button', { name: '+ Open' }).click()
    await page.fill('input[name=path]', BIG)
    await expect(page.getByTestId('container-notice')).toContainText('NIfTI')
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    const busy = page.getByTestId('open-busy')
    await expect(busy).toBeVisible()
    await busy.getByRole('button', { name: 'Cancel' }).click()
    await expect(page.getByRole('alert')).toContainText('cancelled')
    await expect.poll(() => temps()).toEqual(before)
  } finally {
    await served.stop()
  }
})
