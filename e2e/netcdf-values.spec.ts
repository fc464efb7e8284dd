// A CF-packed NetCDF-4 variable opens with the values netCDF4-python shows by default (scale_factor and
// add_offset applied, _FillValue as NaN); the toggle names the action that gives the stored integers (issue 26).
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { py, serve, tempDir } from './helpers/serve'

const dir = tempDir()
test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('NetCDF-4: scaled values first, as netCDF4-python; "Show stored values" gives the integers', async ({ page }) => {
  const nc = path.join(dir, 'sst.nc')
  const ref = py<{ scaled: string[]; stored: string[] }>(`
import netCDF4
with netCDF4.Dataset(${JSON.stringify(nc)}, 'w', format='NETCDF4') as ds:
    ds.createDimension('y', 3); ds.createDimension('x', 4)
    v = ds.createVariable('sst', 'i2', ('y', 'x'), fill_value=-32767)
    v.scale_factor = np.float32(0.01); v.add_offset = np.float32(20)
    v.set_auto_maskandscale(False)
    v[:] = np.array([[-2123, 0, 15, 300], [7, -8, 9, 10], [11, 12, 13, -32767]], 'i2')
with netCDF4.Dataset(${JSON.stringify(nc)}) as ds:
    scaled = ds['sst'][:]          # the library's default: scaled and masked
    ds['sst'].set_auto_maskandscale(False)
    stored = ds['sst'][:]
    print(json.dumps({'scaled': [str(x) for x in scaled[0, :3]], 'stored': [str(x) for x in stored[0, :3]]}))`)
  const served = await serve([nc, '--array', 'sst'])
  try {
    await page.goto(served.url)
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    const row0 = async (want: string[]): Promise<void> => {
      for (let j = 0; j < 3; j++) {
        await expect(page.locator(`.cell[data-row="0"][data-col="${j}"]`)).toHaveText(want[j]!)
      }
    }
    await row0(ref.scaled)
    const toggle = page.getByTestId('values-toggle')
    await expect(toggle).toHaveText('Show stored values')
    await toggle.click()
    await expect(toggle).toHaveText('Show scaled values')
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await row0(ref.stored)
    // the toolbar keeps every button inside the window, none over another, with the longer label
    for (const size of [
      { width: 1400, height: 900 },
      { width: 1024, height: 768 }
    ]) {
      await page.setViewportSize(size)
      const boxes = []
      for (const b of await page.locator('.toolbar button:visible').all()) boxes.push((await b.boundingBox())!)
      expect(boxes.length).toBeGreaterThan(3)
      for (const [i, b] of boxes.entries()) {
        expect(b.x).toBeGreaterThanOrEqual(0)
        expect(b.x + b.width).toBeLessThanOrEqual(size.width)
        for (const o of boxes.slice(i + 1)) {
          const apart =
            b.x + b.width <= o.x + 0.5 || o.x + o.width <= b.x + 0.5 || b.y + b.height <= o.y || o.y + o.height <= b.y
          expect(apart, `toolbar buttons overlap at ${size.width}×${size.height}`).toBe(true)
        }
      }
    }
  } finally {
    await served.stop()
  }
})
