// Scientific containers in the app (serve mode, Chromium): an HDF5 file's group tree is browsed to a nested
// dataset and its attributes; a chunked, gzip-compressed dataset opens (read through the HDF5 library) and its
// statistics show a progress bar while its chunks are read, then equal numpy's. A FITS file's HDUs are listed;
// the scaled primary image shows astropy's values, the toggle shows the stored integers and back.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
const H5 = path.join(dir, 'experiment.h5')
const FITS = path.join(dir, 'image.fits')
let ref: {
  deep: string[][]
  /** numpy's str() of the float32 extremes: statistics print in the array's type */
  min: string
  max: string
  count: number
  scaled: string[][]
  stored: string[][]
}

test.beforeAll(() => {
  ref = py(`
import h5py
from astropy.io import fits
rng = np.random.default_rng(12)
with h5py.File(${JSON.stringify(H5)}, 'w') as f:
    f.attrs['experiment'] = 'e2e'
    deep = f.create_group('run1/detector').create_dataset('frames', data=rng.standard_normal((6, 5)).astype('<f4'))
    deep.attrs['units'] = 'counts'
    # about 40 MB of random float32 in gzip chunks: reading it takes long enough to see the progress
    big = f.create_dataset('raw/chunked', shape=(2500, 4000), dtype='<f4', chunks=(250, 500), compression='gzip', shuffle=True)
    for i in range(0, 2500, 250):
        big[i:i + 250] = rng.standard_normal((250, 4000)).astype('<f4')
    a = big[()]
    f['labels'] = np.arange(10, dtype=np.int16)
data = rng.integers(-2000, 2000, (4, 6)).astype('>i2')
h = fits.PrimaryHDU(data)
h.header['BSCALE'] = 0.25
h.header['BZERO'] = 100.0
fits.HDUList([h, fits.ImageHDU(np.ones((2, 2), '>f8'), name='SCI')]).writeto(${JSON.stringify(FITS)})
with fits.open(${JSON.stringify(FITS)}) as hd:
    scaled = hd[0].data
with h5py.File(${JSON.stringify(H5)}, 'r') as f:
    deep = f['run1/detector/frames'][()]
print(json.dumps({'deep': [[str(v) for v in row] for row in deep[:3, :4]],
                  'min': str(a.min()), 'max': str(a.max()), 'count': int(a.size),
                  'scaled': [[str(v) for v in row] for row in scaled[:3, :4]],
                  'stored': [[str(v) for v in row] for row in data[:3, :4]]}))`)
})
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('HDF5: browse the group tree, open a chunked dataset, statistics with a progress bar', async ({ page }) => {
  const served = await serve([H5])
  try {
    await page.goto(served.url)
    const panel = page.getByTestId('container-panel')
    await expect(panel.getByTestId('container-summary')).toHaveText(/HDF5 · 3 arrays/)
    await panel.locator('[data-testid="container-folder"][data-folder="run1"]').click()
    await panel.locator('[data-testid="container-folder"][data-folder="run1.detector"]').click()
    const frames = panel.locator('[data-testid="container-entry"][data-name="/run1/detector/frames"]')
    await expect(frames).toContainText('f4')
    await expect(frames).toContainText('(6, 5)')
    // its attributes
    await panel.getByRole('button', { name: 'attributes of /run1/detector/frames' }).click()
    await expect(panel.getByTestId('entry-metadata')).toContainText('"units": "counts"')
    await frames.click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) {
        await expect(page.locator(`.cell[data-row="${i}"][data-col="${j}"]`)).toHaveText(ref.deep[i]![j]!)
      }
    }
    // the chunked dataset
    await panel.locator('[data-testid="container-folder"][data-folder="raw"]').click()
    const chunked = panel.locator('[data-testid="container-entry"][data-name="/raw/chunked"]')
    await expect(chunked).toContainText('(chunked)')
    await chunked.click()
    await expect(page.getByRole('tab', { selected: true })).toContainText('/raw/chunked (chunked)')
    await expect(page.getByTestId('status-array')).toHaveText('/raw/chunked · chunked (shuffle + gzip)')
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await page.getByRole('button', { name: 'Analysis' }).click()
    await page.getByRole('button', { name: 'Compute statistics' }).click()
    await expect(page.getByTestId('stats-progress')).toBeVisible()
    await expect(page.getByTestId('stats-progress-text')).toContainText('%')
    await expect(page.getByTestId('stats-count')).toHaveText(String(ref.count), { timeout: 60_000 })
    await expect(page.getByTestId('stats-min')).toHaveText(ref.min)
    await expect(page.getByTestId('stats-max')).toHaveText(ref.max)
    await expect(page.getByTestId('stats-progress')).toHaveCount(0)
  } finally {
    await served.stop()
  }
})

test('FITS: the HDUs, scaled values, the stored integers a toggle away', async ({ page }) => {
  const served = await serve([FITS, '--array', '0'])
  try {
    await page.goto(served.url)
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    const panel = page.getByTestId('container-panel')
    await expect(panel.getByTestId('container-summary')).toHaveText(/FITS · 2 arrays/)
    await expect(panel.locator('[data-testid="container-entry"][data-name="0"]')).toContainText('i2→f4')
    await expect(panel.locator('[data-testid="container-entry"][data-name="1"]')).toContainText('>f8')
    const cells = async (want: string[][]): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 4; j++) {
          await expect(page.locator(`.cell[data-row="${i}"][data-col="${j}"]`)).toHaveText(want[i]![j]!)
        }
      }
    }
    await cells(ref.scaled)
    const toggle = page.getByTestId('values-toggle')
    // the button names what it does, the status bar what is shown
    await expect(toggle).toHaveText('Show stored values')
    await expect(page.getByTestId('status-array')).toContainText('scaled (BSCALE = 0.25, BZERO = 100)')
    await toggle.click()
    await expect(toggle).toHaveText('Show scaled values')
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await cells(ref.stored)
    await expect(page.getByTestId('status-array')).toContainText('stored >i2')
    await toggle.click()
    await expect(toggle).toHaveText('Show stored values')
    await cells(ref.scaled)
  } finally {
    await served.stop()
  }
})
