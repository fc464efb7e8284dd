// The layout solver's shapes on the files a new user hit (issue 26): raw RGB/RGBA photos, named "WxH" either way
// round, and headerless float32 dumps whose rows are 8192 or 65536 wide (too wide for a sample from the middle
// of the file), smooth, noise, and a table of sines with a trend down the rows.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { proposeLayouts, type Candidate } from '../src/shared/solver'
import { squarishShapes } from '../src/shared/solver-shapes'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

/** Proposals for a file read the way the service reads it: only the bytes asked for. */
function solve(file: string): Candidate[] {
  const fd = fs.openSync(file, 'r')
  try {
    const size = fs.fstatSync(fd).size
    return proposeLayouts({
      fileSize: size,
      fileName: path.basename(file),
      read: (o, n) => {
        const b = new Uint8Array(Math.max(0, Math.min(n, size - o)))
        fs.readSync(fd, b, 0, b.length, o)
        return b
      }
    })
  } finally {
    fs.closeSync(fd)
  }
}

const PHOTO = `
from scipy.ndimage import gaussian_filter
rng = np.random.default_rng(3)
def photo(h, w, c):
    # a shared luminance (large blobs and finer texture) plus a slow colour cast per channel, and sensor noise
    lum = gaussian_filter(rng.standard_normal((h, w)), 6) * 900 + gaussian_filter(rng.standard_normal((h, w)), 1.5) * 60
    chans = [lum + gaussian_filter(rng.standard_normal((h, w)), 10) * 300 + 128 for _ in range(c)]
    return np.clip(np.stack(chans, -1) + rng.normal(0, 3, (h, w, c)), 0, 255).astype('u1')
`

describe('raw photos: u1 pixels with interleaved channels', () => {
  it('a 512×768 RGB photo with no hints is |u1 (512, 768, 3), not int16 pairs or one wide row', () => {
    const f = path.join(tmp.dir, 'photo.raw')
    py(`${PHOTO}\nphoto(512, 768, 3).tofile(${JSON.stringify(f)}); print(1)`)
    const c = solve(f)
    expect(c[0]).toMatchObject({ dtype: '|u1', shape: [512, 768, 3], offset: 0 })
    expect(c[0]!.reasons.join('; ')).toContain('3 interleaved channels')
  })

  it('"768x512x3" and "512x768x3" over 512 rows of 768 RGB pixels are both (512, 768, 3)', () => {
    for (const name of ['img_768x512x3.raw', 'img_512x768x3.raw']) {
      const f = path.join(tmp.dir, name)
      py(`${PHOTO}\nphoto(512, 768, 3).tofile(${JSON.stringify(f)}); print(1)`)
      expect(solve(f)[0], name).toMatchObject({ dtype: '|u1', shape: [512, 768, 3], offset: 0 })
    }
  })

  it('an RGBA 300×400 image with no hints is |u1 (300, 400, 4)', () => {
    const f = path.join(tmp.dir, 'overlay.bin')
    py(`${PHOTO}\nphoto(300, 400, 4).tofile(${JSON.stringify(f)}); print(1)`)
    expect(solve(f)[0]).toMatchObject({ dtype: '|u1', shape: [300, 400, 4], offset: 0 })
  })

  it('photo_768x512_rgb.raw ("W×H", 512 rows of 768 pixels) is (512, 768, 3), not planes (3, 768, 512)', () => {
    const f = path.join(tmp.dir, 'photo_768x512_rgb.raw')
    py(`${PHOTO}\nphoto(512, 768, 3).tofile(${JSON.stringify(f)}); print(1)`)
    const best = solve(f)[0]!
    expect(best).toMatchObject({ dtype: '|u1', shape: [512, 768, 3], offset: 0 })
    expect(best.reasons.join('; ')).not.toContain('of them')
  })

  it('the same name over 768 rows of 512 pixels ("H×W") is (768, 512, 3): the rows decide', () => {
    const f = path.join(tmp.dir, 'portrait_768x512_rgb.raw')
    py(`${PHOTO}\nphoto(768, 512, 3).tofile(${JSON.stringify(f)}); print(1)`)
    expect(solve(f)[0]).toMatchObject({ dtype: '|u1', shape: [768, 512, 3], offset: 0 })
  })
})

// Plane waves at random angles plus a brightness trend down the rows (a gradient the first row sits at the
// bottom of), written in slabs so no 256 MiB temporary is made.
const WAVES = `
rng = np.random.default_rng(4)
def waves(path, rows, cols, noise):
    m = np.memmap(path, 'f4', 'w+', shape=(rows, cols))
    k = rng.uniform(-0.05, 0.05, (4, 2)); ph = rng.uniform(0, 6.28, 4)
    x = np.arange(cols, dtype='f4')[None, :]
    for r in range(0, rows, 512):
        y = np.arange(r, min(rows, r + 512), dtype='f4')[:, None]
        a = 20 + y * (100.0 / rows)
        for (kx, ky), p in zip(k, ph):
            a = a + np.sin(kx * x + ky * y + p).astype('f4') * 5
        m[r:r + 512] = a + rng.normal(0, noise, (len(y), cols)).astype('f4')
    m.flush()
`

describe('headerless float32 dumps with wide rows', () => {
  const noHeader = (c: Candidate[]): void =>
    expect(
      c
        .slice(0, 6)
        .flatMap((x) => x.reasons)
        .filter((r) => r.includes('header'))
    ).toEqual([])

  it('8192×8192 smooth float32 with a trend: (8192, 8192) first, no "looks like a header"', () => {
    const f = path.join(tmp.dir, 'field.raw')
    py(`${WAVES}\nwaves(${JSON.stringify(f)}, 8192, 8192, 0.05); print(1)`)
    const c = solve(f)
    expect(c[0]).toMatchObject({ dtype: '<f4', shape: [8192, 8192], offset: 0 })
    noHeader(c)
    fs.rmSync(f)
  })

  it('a table of sines, 1024 rows of 65536 float32: (1024, 65536) first', () => {
    const f = path.join(tmp.dir, 'table.bin')
    py(`${WAVES}\nwaves(${JSON.stringify(f)}, 1024, 65536, 0.01); print(1)`)
    const c = solve(f)
    expect(c[0]).toMatchObject({ dtype: '<f4', shape: [1024, 65536], offset: 0 })
    noHeader(c)
    fs.rmSync(f)
  })

  it('rows that differ more from each other than along themselves (512 of 65536): (512, 65536)', () => {
    // a one-row shift changes little against a one-row-and-one-column shear here, and the evenly spaced
    // probes of a power-of-two file all fell at the end of a row: the old measure found 32 rows at a time
    const f = path.join(tmp.dir, 'sweep.bin')
    py(`
m = np.memmap(${JSON.stringify(f)}, 'f4', 'w+', shape=(512, 65536))
x = np.arange(65536, dtype='f4')[None, :]
for r in range(0, 512, 128):
    y = np.arange(r, r + 128, dtype='f4')[:, None]
    m[r:r + 128] = np.sin(x * 0.0007 + y * 0.004) * 3 + np.cos(x * 0.00031 - y * 0.0011) + y * 0.001
m.flush(); print(1)`)
    const c = solve(f)
    expect(c[0]).toMatchObject({ dtype: '<f4', shape: [512, 65536], offset: 0 })
    fs.rmSync(f)
  })

  it('8192×8192 float32 noise: rows cannot be measured, the square is offered first and 1-D beside it', () => {
    const f = path.join(tmp.dir, 'noise.raw')
    py(`
m = np.memmap(${JSON.stringify(f)}, 'f4', 'w+', shape=(8192, 8192))
rng = np.random.default_rng(9)
for r in range(0, 8192, 1024):
    m[r:r + 1024] = rng.standard_normal((1024, 8192), dtype='f4')
m.flush(); print(1)`)
    const c = solve(f)
    expect(c[0]).toMatchObject({ dtype: '<f4', shape: [8192, 8192], offset: 0 })
    expect(c[0]!.reasons.join('; ')).toContain('square')
    expect(c.some((x) => x.dtype === '<f4' && x.offset === 0 && x.shape.length === 1)).toBe(true)
    noHeader(c)
    fs.rmSync(f)
  })
})

describe('square shapes for rows that show nothing', () => {
  it('a square, else the two nearest-square factorisations; none for a small file', () => {
    expect(squarishShapes(8192 * 8192)).toEqual([[8192, 8192]])
    expect(squarishShapes(8192 * 65536)).toEqual([
      [16384, 32768],
      [32768, 16384]
    ])
    expect(squarishShapes(64)).toEqual([]) // a 64-byte file is no 8×8 image for want of evidence
    expect(squarishShapes(7919 * 2)).toEqual([]) // no factorisation near a square
  })
})
