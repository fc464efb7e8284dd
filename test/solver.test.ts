// The layout solver on numpy-generated dumps whose layouts we know.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { nameHints, proposeLayouts, textHeaderEnd } from '../src/shared/solver'
import { ArrayService } from '../src/main/service/array-service'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

function solve(file: string): ReturnType<typeof proposeLayouts> {
  const bytes = fs.readFileSync(file)
  return proposeLayouts({
    fileSize: bytes.length,
    fileName: path.basename(file),
    read: (o, n) => new Uint8Array(bytes.buffer, bytes.byteOffset + o, Math.min(n, bytes.length - o))
  })
}

describe('name hints', () => {
  it('reads ImageJ-style dimensions, types and byte orders', () => {
    expect(nameHints('vol_64x128x96_be_i16.raw')).toEqual({ shape: [64, 128, 96], type: 'i2', order: '>' })
    expect(nameHints('/data/img-512x512-f32-le.bin')).toEqual({ shape: [512, 512], type: 'f4', order: '<' })
    expect(nameHints('dump.dat')).toEqual({ shape: null, type: null, order: null })
  })
  it('finds the end of a text header', () => {
    expect(textHeaderEnd(new TextEncoder().encode('P5\n512 512\n255\n\x00\x01\x02'))).toBe(15)
    expect(textHeaderEnd(new Uint8Array([0, 1, 2, 10]))).toBe(0)
  })
})

describe('proposeLayouts ranks the true layout first', () => {
  it('a smooth 2-D float32 image with no hints: dtype and row width from the data', () => {
    const f = path.join(tmp.dir, 'scan.raw')
    py(`
y, x = np.mgrid[0:300, 0:457]
a = (np.sin(x / 17.0) * np.cos(y / 23.0) * 50 + 100 + np.random.default_rng(1).normal(0, 0.5, (300, 457))).astype('<f4')
a.tofile(${JSON.stringify(f)}); print(1)`)
    const best = solve(f)[0]!
    expect(best).toMatchObject({ dtype: '<f4', shape: [300, 457], offset: 0 })
  })

  it('big-endian float64 with a 64-byte binary header', () => {
    const f = path.join(tmp.dir, 'signal.dat')
    py(`
t = np.arange(200_000)
a = (np.sin(t / 500.0) * 3.0 + np.cos(t / 77.0)).astype('>f8')
with open(${JSON.stringify(f)}, 'wb') as fh:
    fh.write(np.random.default_rng(2).integers(0, 256, 64, dtype=np.uint8).tobytes()); fh.write(a.tobytes())
print(1)`)
    const best = solve(f)[0]!
    expect(best.dtype).toBe('>f8')
    expect(best.offset).toBe(64)
    expect(best.shape.reduce((a, b) => a * b, 1)).toBe(200_000)
  })

  it('file-name hints give shape, type and byte order', () => {
    const f = path.join(tmp.dir, 'vol_64x128x96_be_i16.raw')
    py(`np.arange(64*128*96, dtype='>i2').reshape(64,128,96).tofile(${JSON.stringify(f)}); print(1)`)
    expect(solve(f)[0]).toMatchObject({ dtype: '>i2', shape: [64, 128, 96], offset: 0 })
  })

  it('a text header (PGM-like) is skipped', () => {
    const f = path.join(tmp.dir, 'image.pgm')
    py(`
y, x = np.mgrid[0:200, 0:320]
a = ((np.sin(x / 9.0) + np.cos(y / 13.0)) * 60 + 128).astype('u1')
with open(${JSON.stringify(f)}, 'wb') as fh:
    fh.write(b'P5\\n320 200\\n255\\n'); fh.write(a.tobytes())
print(1)`)
    expect(solve(f)[0]).toMatchObject({ dtype: '|u1', shape: [200, 320], offset: 15 })
  })

  it('the service proposes from the mapped file, a .npy header first', async () => {
    const f = path.join(tmp.dir, 'x.npy')
    py(`np.save(${JSON.stringify(f)}, np.zeros((7, 9), '<u2')); print(1)`)
    const service = new ArrayService({ watchIntervalMs: 0 })
    const r = await service.handle('file:propose', { path: f })
    expect(r.candidates[0]).toMatchObject({ dtype: '<u2', shape: [7, 9], offset: 128, reasons: ['.npy header'] })
    service.closeAll()
  })
})

describe("the guesses a new user hit (issue #16), on files shaped like the issue's", () => {
  it('"big" in a name is a word, not a byte order: big_volume.raw of little-endian float32', () => {
    expect(nameHints('big_volume.raw').order).toBeNull()
    expect(nameHints('scan_big-endian.raw').order).toBe('>')
    expect(nameHints('little_one.raw').order).toBeNull()
    const f = path.join(tmp.dir, 'big_volume.raw')
    py(`
z, y, x = np.mgrid[0:20, 0:60, 0:80]
a = (np.sin(x / 7.0) * np.cos(y / 11.0) + z * 0.1 + 5).astype('<f4')
a.tofile(${JSON.stringify(f)}); print(1)`)
    expect(solve(f)[0]!.dtype).toBe('<f4')
  })

  it('frames_u16_640x480.raw: little-endian uint16 frames of 480 rows of 640', () => {
    const f = path.join(tmp.dir, 'frames_u16_640x480.raw')
    py(`
rng = np.random.default_rng(5)
y, x = np.mgrid[0:480, 0:640]
frames = np.stack([(np.sin(x / 31.0 + k) * np.cos(y / 17.0) * 1500 + 2048 + rng.normal(0, 20, (480, 640))) for k in range(5)])
frames.astype('<u2').tofile(${JSON.stringify(f)}); print(1)`)
    const best = solve(f)[0]!
    expect(best).toMatchObject({ dtype: '<u2', shape: [5, 480, 640], offset: 0 })
    expect(best.reasons.join('; ')).toContain('5 of them')
  })

  it('a float16 dump ranks <f2 above >f2', () => {
    const f = path.join(tmp.dir, 'activations_f16.bin')
    py(`np.random.default_rng(6).standard_normal(300_000).astype('<f2').tofile(${JSON.stringify(f)}); print(1)`)
    const c = solve(f)
    expect(c[0]!.dtype).toBe('<f2')
    const other = c.find((x) => x.dtype === '>f2')
    expect(other === undefined || other.score < c[0]!.score - 1).toBe(true)
  })

  it('a text header saying shape=256,512,512 gives the shape (and its type words the dtype)', () => {
    const f = path.join(tmp.dir, 'volume.raw')
    const header = '# CT volume\nshape=16,32,48\ndtype=float32\n'
    py(`
z, y, x = np.mgrid[0:16, 0:32, 0:48]
a = (np.sin(x / 5.0) + np.cos(y / 7.0) + z).astype('<f4')
with open(${JSON.stringify(f)}, 'wb') as fh:
    fh.write(${JSON.stringify(header)}.encode()); fh.write(a.tobytes())
print(1)`)
    const best = solve(f)[0]!
    expect(best).toMatchObject({ dtype: '<f4', shape: [16, 32, 48], offset: header.length })
    expect(best.reasons.join('; ')).toContain('shape 16×32×48 from the text header')
  })

  it('little-endian float32 noise is <f4, not <f8 (the halves read as float32)', () => {
    const f = path.join(tmp.dir, 'noise.bin')
    py(`np.random.default_rng(7).standard_normal(1 << 18).astype('<f4').tofile(${JSON.stringify(f)}); print(1)`)
    const c = solve(f)
    expect(c[0]!.dtype).toBe('<f4')
    const f8 = c.find((x) => x.dtype === '<f8')
    expect(f8 === undefined || f8.reasons.some((r) => r.includes('pairs of float32'))).toBe(true)
  })

  it('real float64 noise stays <f8 (its low halves are uniform mantissa bits)', () => {
    const f = path.join(tmp.dir, 'noise64.bin')
    py(`np.random.default_rng(8).standard_normal(1 << 17).astype('<f8').tofile(${JSON.stringify(f)}); print(1)`)
    expect(solve(f)[0]!.dtype).toBe('<f8')
  })
})
