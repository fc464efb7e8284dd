// A .fits.gz typed into the open form (serve --root, Chromium): offered as a FITS container, its HDUs listed from
// the decompressed copy, an HDU opened with astropy's scaled values, read-only.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
const GZ = path.join(dir, 'sky.fits.gz')
const BIG = path.join(dir, 'big.fits.gz')
let ref: string[][]

test.beforeAll(() => {
  ref = py(`
from astropy.io import fits
import gzip
h = fits.PrimaryHDU(np.arange(24, dtype='>i2').reshape(4, 6))
h.header['BSCALE'] = 0.5
h.header['BZERO'] = 10.0
with gzip.open(${JSON.stringify(GZ)}, 'wb') as f:
    fits.HDUList([h, fits.ImageHDU(np.ones((2, 2), '>f8'), name='SCI')]).writeto(f)
# 400 MB of a pattern gzip squeezes well: decompressing it takes long enough to see it and cancel it
with gzip.open(${JSON.stringify(BIG)}, 'wb', compresslevel=1) as f:
    fits.PrimaryHDU(np.tile(np.arange(1000, dtype='>f8'), 50_000).reshape(500, 100, 1000)).writeto(f)
with fits.open(${JSON.stringify(GZ)}) as hd:
    v = hd[0].data
print(json.dumps([[str(x) for x in row] for row in v[:3, :4]]))`)
})
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const temps = (): string[] => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('arrayscope-fitsgz-'))

test('a .fits.gz opens from the open form as a FITS container; an HDU shows astropy’s values', async ({ page }) => {
  const served = await serve(['--root', dir])
  try {
    await page.goto(served.url)
    await page.locator('input[name="path"]').fill(GZ)
    await expect(page.getByTestId('container-notice')).toContainText('FITS')
    // gzip's bytes have no layout to propose: no raw proposals beside the notice
    await expect(page.getByTestId('probe')).toContainText('bytes')
    await expect(page.locator('[data-testid="proposals"], .muted:has-text("Proposing layouts")')).toHaveCount(0)
    // nor a line pointing at proposals that are not there
    await expect(page.getByTestId('validation')).toHaveText(
      'its bytes are compressed: Open as container lists its arrays'
    )
    await page.getByRole('button', { name: 'Open as container' }).click()
    const panel = page.getByTestId('container-panel')
    await expect(panel.getByTestId('container-summary')).toHaveText(/FITS · 2 arrays/)
    await panel.locator('[data-testid="container-entry"][data-name="0"]').click()
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) {
        await expect(page.locator(`.cell[data-row="${i}"][data-col="${j}"]`)).toHaveText(ref[i]![j]!)
      }
    }
    await expect(page.getByTestId('status-array')).toContainText('0 · decompressed copy')
    // a large one: listing it decompresses it, with progress and Cancel; cancelled, no copy is left behind
    const before = temps()
    await page.getByRole('button', { name: '+ Open' }).click()
    await page.locator('input[name="path"]').fill(BIG)
    await expect(page.getByTestId('container-notice')).toContainText('FITS')
    await page.getByRole('button', { name: 'Open as container' }).click()
    const listing = page.getByTestId('container-listing')
    await expect(listing).toBeVisible()
    await listing.getByRole('button', { name: 'Cancel' }).click()
    await expect(page.getByRole('alert')).toContainText('cancelled')
    await expect.poll(() => temps()).toEqual(before)
  } finally {
    await served.stop()
  }
})
