// Stored bytes ↔ values (src/shared/byte-map.ts), as the hex view's selection and go-to use them, on the sessions
// the service really opens: a GGUF Q8_0 tensor (blocks of 32 values in 34 bytes), a FITS image with BSCALE
// (int16 stored, float32 values: ratio 2), and a raw file.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storedBytes, valueOffset } from '../src/shared/byte-map'
import { ArrayService } from '../src/main/service/array-service'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
const service = new ArrayService({ watchIntervalMs: 0 })
afterAll(() => {
  service.closeAll()
  tmp.cleanup()
})
const d = tmp.dir

beforeAll(() => {
  py(`
import gguf
from gguf.quants import quantize
from astropy.io import fits
w = gguf.GGUFWriter('${d}/q.gguf', 'llama')
w.add_tensor('q', quantize(np.linspace(-1, 1, 128, dtype=np.float32).reshape(2, 64), gguf.GGMLQuantizationType.Q8_0), raw_dtype=gguf.GGMLQuantizationType.Q8_0)
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
h = fits.PrimaryHDU(np.arange(12, dtype='>i2').reshape(3, 4)); h.header['BSCALE'] = 0.5; h.header['BZERO'] = 1.0
h.writeto('${d}/s.fits', overwrite=True)
np.arange(10, dtype='<f8').tofile('${d}/r.bin')
print(1)`)
})

describe('stored bytes of a value and back', () => {
  it('a quantized tensor: the block that holds a value, and a block byte to its first value', async () => {
    const s = await service.handle('session:open', {
      path: path.join(d, 'q.gguf'),
      layout: null,
      array: 'q',
      mode: 'r'
    })
    const start = s.array!.stored.offset
    // value 33 (row 0, column 33) is in the second block of 34 bytes
    expect(storedBytes(s, 33 * 4)).toEqual({ offset: start + 34, length: 34 })
    expect(valueOffset(s, start + 34 + 5)).toBe(32 * 4)
    // a byte outside the tensor is left as it is
    expect(valueOffset(s, 3)).toBe(3)
  })

  it('scaled values: offsets divide by the ratio of the itemsizes', async () => {
    const s = await service.handle('session:open', {
      path: path.join(d, 's.fits'),
      layout: null,
      array: '0',
      mode: 'r'
    })
    expect(s.array!.scaling!.ratio).toBe(2)
    const value = s.layout.offset + 5 * s.layout.itemsize
    expect(storedBytes(s, value)).toEqual({ offset: value / 2, length: 2 })
    expect(valueOffset(s, value / 2)).toBe(value)
  })

  it('a raw file: the bytes are the values', async () => {
    const layout = { dtype: '<f8', shape: null, offset: 0, order: 'C' as const }
    const s = await service.handle('session:open', { path: path.join(d, 'r.bin'), layout, mode: 'r' })
    expect(storedBytes(s, 16)).toEqual({ offset: 16, length: 8 })
    expect(valueOffset(s, 17)).toBe(17)
  })
})
