// Seeded mutations of TIFF files tifffile writes (classic and BigTIFF, both byte orders, strips and tiles,
// compressed, planar, OME, ImageJ, a SubIFD pyramid), parsed in process: each parse lists its series or throws one
// ContainerError with a message — never another exception — and quickly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { parseMutant, type MutantCounts } from './helpers/container-fuzz'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const files: Record<string, Buffer> = {}

beforeAll(() => {
  py(`
import tifffile
d = ${JSON.stringify(tmp.dir)}
a = np.arange(2 * 3 * 24 * 20, dtype='<u2').reshape(2, 3, 24, 20)
tifffile.imwrite(f'{d}/shaped.tif', a)
tifffile.imwrite(f'{d}/big-be.tif', a.astype('>f4'), bigtiff=True, byteorder='>', tile=(16, 16), compression='zlib', predictor=3)
tifffile.imwrite(f'{d}/lzw-planar.tif', a[0], photometric='rgb', planarconfig='separate', rowsperstrip=5, compression='lzw', predictor=2)
tifffile.imwrite(f'{d}/pb-rgb.tif', np.arange(24 * 20 * 3, dtype='u1').reshape(24, 20, 3), photometric='rgb', compression='packbits')
tifffile.imwrite(f'{d}/o.ome.tif', a, ome=True, metadata={'axes': 'TCYX'})
tifffile.imwrite(f'{d}/ij.tif', a, imagej=True, metadata={'axes': 'TCYX'})
with tifffile.TiffWriter(f'{d}/pyr.tif') as w:
    w.write(a[0, 0], subifds=1, tile=(16, 16))
    w.write(a[0, 0, ::2, ::2], subfiletype=1)
print(1)`)
  for (const n of fs.readdirSync(tmp.dir)) files[n] = fs.readFileSync(path.join(tmp.dir, n))
})

describe('seeded fuzz over TIFF files', () => {
  it('7000 mutations: each parse lists its series or throws one ContainerError, quickly', () => {
    const names = Object.keys(files).sort()
    expect(names).toHaveLength(7)
    let state = 31
    const rand = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      return state % n
    }
    const counts: MutantCounts = new Map()
    for (let k = 0; k < 7000; k++) {
      const name = names[k % names.length]!
      let b = Buffer.from(files[name]!)
      const kind = rand(5)
      if (kind === 0) b = b.subarray(0, rand(b.length))
      else {
        for (let f = 1 + rand(8); f > 0; f--) {
          // the header and first IFD, anywhere (IFDs follow the data), or the end (the last IFDs)
          const at =
            kind === 1
              ? rand(Math.min(512, b.length))
              : kind === 2
                ? rand(b.length)
                : b.length - 1 - rand(Math.min(400, b.length))
          b[at] = kind === 3 ? [0x00, 0xff, 0x7f, 0x80][rand(4)]! : rand(256)
        }
      }
      parseMutant(counts, name, b, k)
    }
    for (const [name, c] of counts) {
      expect(c.ok + c.err, name).toBe(1000)
      expect(c.err, name).toBeGreaterThan(10)
    }
  })
})
