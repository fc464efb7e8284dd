// A TIFF's own pyramid (SubIFDs) as the image view's overview levels: a deflate-tiled 1000 × 1500 image with its
// levels reduced 2× and 4× (as tifffile writes a pyramid). An overview tile at level L is read from the level
// reduced by the largest 2^k ≤ 2^L — equal to the tile at level L − k of that level's own session — without
// decoding a strip of the full image; level 0 and a slice of the base still read the base itself. The reduced
// images close with the session.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
const FILE = path.join(tmp.dir, 'slide.tif')
const service = new ArrayService({ watchIntervalMs: 0 })
afterAll(() => {
  service.closeAll()
  tmp.cleanup()
})

beforeAll(() => {
  py(`
import tifffile
rng = np.random.default_rng(5)
base = rng.integers(0, 60000, (2, 1000, 1500), dtype=np.uint16)
with tifffile.TiffWriter(${JSON.stringify(FILE)}) as w:
    w.write(base, subifds=2, tile=(128, 128), compression='zlib', metadata={'axes': 'CYX'})
    w.write(base[:, ::2, ::2], subfiletype=1, tile=(128, 128), compression='zlib')
    w.write(base[:, ::4, ::4], subfiletype=1, tile=(128, 128), compression='zlib')
print(1)`)
})

type Tile = { rows: number; cols: number; pixels: Uint8Array }

async function tile(session: string, level: number, ty: number, tx: number, fixed?: number[]): Promise<Tile> {
  return (await service.handle('scan:tile', {
    session,
    level,
    ty,
    tx,
    ...(fixed ? { fixed: [...fixed, null, null] } : {})
  })) as Tile
}

describe('a TIFF pyramid feeds the image overview', () => {
  it('overview tiles come from the reduced levels, equal to their own tiles, no base strip decoded', async () => {
    const list = await service.handle('container:list', { path: FILE })
    expect(list.entries.map((e) => [e.name, e.shape])).toEqual([
      ['series0', [2, 1000, 1500]],
      ['series0.level1', [2, 500, 750]],
      ['series0.level2', [2, 250, 375]]
    ])
    const base = await service.handle('session:open', { path: FILE, layout: null, mode: 'r', array: 'series0' })
    const l1 = await service.handle('session:open', { path: FILE, layout: null, mode: 'r', array: 'series0.level1' })
    const l2 = await service.handle('session:open', { path: FILE, layout: null, mode: 'r', array: 'series0.level2' })
    const grid = service.session(base.session).source.chunkGrid!
    // level 1 (2×2 blocks) from level1 at 0; level 2 from level2 at 0; level 3 from level2 at 1 — channel 1
    for (const [level, from, there] of [
      [1, l1.session, 0],
      [2, l2.session, 0],
      [3, l2.session, 1]
    ] as const) {
      for (const [ty, tx] of [
        [0, 0],
        [0, 1],
        [1, 0]
      ] as const) {
        const span = 256 * 2 ** level
        if (ty * span >= 1000 || tx * span >= 1500) continue
        const got = await tile(base.session, level, ty, tx, [1])
        const want = await tile(from, there, ty, tx, [1])
        expect([level, ty, tx, got.rows, got.cols]).toEqual([level, ty, tx, want.rows, want.cols])
        expect(Buffer.from(got.pixels).equals(Buffer.from(want.pixels))).toBe(true)
      }
    }
    expect(grid.chunksRead).toBe(0)
    // level 0 reads the base image: its tiles under the tile are decoded
    await tile(base.session, 0, 0, 0, [0])
    expect(grid.chunksRead).toBeGreaterThan(0)
    for (const s of [base, l1, l2]) await service.handle('session:close', { session: s.session })
  })

  it('a view that is not the whole image (a slice) reads the base', async () => {
    const base = await service.handle('session:open', { path: FILE, layout: null, mode: 'r', array: 'series0' })
    const grid = service.session(base.session).source.chunkGrid!
    await service.handle('scan:tile', { session: base.session, slice: '0, 100:900, :', level: 2, ty: 0, tx: 0 })
    expect(grid.chunksRead).toBeGreaterThan(0)
    await service.handle('session:close', { session: base.session })
  })
})
