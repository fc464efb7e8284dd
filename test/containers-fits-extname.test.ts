// A FITS file's HDUs in the container tree: labelled by number and EXTNAME ("1 · SCI", as astropy's info()
// names them), and the filter finds an HDU by its EXTNAME, which --array already took (the new user's hour:
// filtering for "SCI" gave "no array matches").
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

describe('FITS HDUs by EXTNAME in the tree', () => {
  it('labels name the EXTNAME; the filter matches it; the name stays the HDU number', async () => {
    const file = path.join(tmp.dir, 'sci.fits')
    py(`
from astropy.io import fits
fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(np.zeros((2, 3), '>f4'), name='SCI'),
              fits.ImageHDU(np.ones(4, '>i2'), name='ERR')]).writeto(${JSON.stringify(file)}); print(1)`)
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const all = await s.handle('container:list', { path: file, folder: [], filter: '', limit: 100 })
      expect(all.entries.map((e) => [e.name, e.label])).toEqual([
        ['0', '0'],
        ['1', '1 · SCI'],
        ['2', '2 · ERR']
      ])
      const sci = await s.handle('container:list', { path: file, folder: [], filter: 'sci', limit: 100 })
      expect(sci.entries.map((e) => [e.name, e.label])).toEqual([['1', '1 · SCI']])
    } finally {
      s.closeAll()
    }
  })
})
