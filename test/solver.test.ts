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
