// An OME-Zarr image's stored pyramid as the image view's overview levels (issue 29, item 4): NGFF 0.4 in a zarr v2
// store written by zarr-python, a 2 × 1000 × 1500 (c, y, x) image with levels reduced 2× and 4× whose values are
// not any reduction of the base (each level its own random range), so a tile tells which array it came from. An
// overview tile at level L is the tile at level L − k of the level reduced by the largest 2^k ≤ 2^L, for the
// channel the view fixes, and decodes no chunk of the base; level 0 reads the base. A level rounded down (1001 →
// 500) serves its inner tiles, its edge tile is read from the base; a 3× level and a level whose scale
// contradicts its shape are not used.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { tempDir } from './helpers/numpy'
import { zpy } from './helpers/zarr'

const tmp = tempDir()
const STORE = path.join(tmp.dir, 'slide.ome.zarr')
const service = new ArrayService({ watchIntervalMs: 0 })
afterAll(() => {
  service.closeAll()
  tmp.cleanup()
})

beforeAll(() => {
  zpy(`
rng = np.random.default_rng(29)
g = zarr.open_group(${JSON.stringify(STORE)}, mode='w')
cyx = [{'name': 'c', 'type': 'channel'}, {'name': 'y', 'type': 'space'}, {'name': 'x', 'type': 'space'}]
yx = cyx[1:]
def image(name, axes, levels):
    img = g.create_group(name)
    datasets = []
    for k, (scale, shape) in enumerate(levels):
        # level k's values in [10000 k, 10000 k + 1000): no mean or subsample of another level
        x = rng.integers(10000 * k, 10000 * k + 1000, shape, dtype=np.uint16)
        img.create_dataset(str(k), data=x, chunks=(1,) * (len(shape) - 2) + (128, 128), compressor=numcodecs.Blosc())
        datasets.append({'path': str(k), 'coordinateTransformations': [{'type': 'scale', 'scale': scale}]})
    img.attrs['multiscales'] = [{'version': '0.4', 'name': name, 'axes': axes, 'datasets': datasets}]
image('cells', cyx, [([1, 0.5, 0.5], (2, 1000, 1500)), ([1, 1, 1], (2, 500, 750)), ([1, 2, 2], (2, 250, 375))])
image('odd', yx, [([1, 1], (1001, 1501)), ([2, 2], (500, 750)), ([3, 3], (334, 501))])
image('lies', yx, [([1, 1], (1000, 1500)), ([4, 4], (500, 750))])
print(1)`)
})

type Tile = { rows: number; cols: number; pixels: Uint8Array; stored?: number }

async function open(array: string): Promise<string> {
  return (await service.handle('session:open', { path: STORE, layout: null, mode: 'r', array })).session
}

async function tile(session: string, level: number, ty: number, tx: number, fixed?: number[]): Promise<Tile> {
  return (await service.handle('scan:tile', {
    session,
    level,
    ty,
    tx,
    ...(fixed ? { fixed: [...fixed, null, null] } : {})
  })) as Tile
}

/** The smallest finite minimum of a tile's pixels (min, max, mean, flags as float32 each). */
function smallest(t: Tile): number {
  const px = new Float32Array(t.pixels.buffer, t.pixels.byteOffset, t.pixels.byteLength / 4)
  let m = Infinity
  for (let i = 0; i < px.length; i += 4) if (Number.isFinite(px[i]!)) m = Math.min(m, px[i]!)
  return m
}

const chunksRead = (session: string): number => service.session(session).source.chunkGrid!.chunksRead

describe('an OME-Zarr pyramid feeds the image overview', () => {
  it('overview tiles are the stored levels’ tiles, for the fixed channel, no base chunk decoded', async () => {
    const base = await open('cells/0')
    const l1 = await open('cells/1')
    const l2 = await open('cells/2')
    for (const [level, from, there, k] of [
      [1, l1, 0, 1],
      [2, l2, 0, 2],
      [3, l2, 1, 2]
    ] as const) {
      for (const [ty, tx] of [
        [0, 0],
        [0, 1],
        [1, 0]
      ] as const) {
        const span = 256 * 2 ** level
        if (ty * span >= 1000 || tx * span >= 1500) continue
        const got = await tile(base, level, ty, tx, [1])
        const want = await tile(from, there, ty, tx, [1])
        expect([level, ty, tx, got.rows, got.cols]).toEqual([level, ty, tx, want.rows, want.cols])
        expect(Buffer.from(got.pixels).equals(Buffer.from(want.pixels))).toBe(true)
        expect(smallest(got)).toBeGreaterThanOrEqual(10000 * k)
        // said to come from the stored level (its values, not the base's block statistics)
        expect(got.stored).toBe(2 ** k)
      }
    }
    // channel 0 of the base is channel 0 of the level, not channel 1
    const c0 = await tile(base, 1, 0, 0, [0])
    expect(Buffer.from(c0.pixels).equals(Buffer.from((await tile(l1, 0, 0, 0, [0])).pixels))).toBe(true)
    expect(Buffer.from(c0.pixels).equals(Buffer.from((await tile(l1, 0, 0, 0, [1])).pixels))).toBe(false)
    expect(chunksRead(base)).toBe(0)
    // level 0 reads the base's chunks
    const own = await tile(base, 0, 0, 0, [1])
    expect(own.stored).toBeUndefined()
    expect(chunksRead(base)).toBeGreaterThan(0)
    expect(smallest(own)).toBeLessThan(1000)
    for (const s of [base, l1, l2]) await service.handle('session:close', { session: s })
  })

  it('a level rounded down serves its inner tiles; a 3× level and a contradicting scale are not used', async () => {
    const odd = await open('odd/0')
    const l1 = await open('odd/1')
    const inner = await tile(odd, 1, 0, 0)
    expect(Buffer.from(inner.pixels).equals(Buffer.from((await tile(l1, 0, 0, 0)).pixels))).toBe(true)
    expect(chunksRead(odd)).toBe(0)
    // the edge tile covers row 1000, which the 500-row level lacks: the base's own
    const edge = await tile(odd, 1, 1, 0)
    expect([edge.rows, smallest(edge) < 1000]).toEqual([245, true])
    expect(chunksRead(odd)).toBeGreaterThan(0)
    // at level 2 a tile spans all 1001 rows (an edge tile of level 1) and the 3× level is no 2^k: the base
    expect(smallest(await tile(odd, 2, 0, 0))).toBeLessThan(1000)
    const lies = await open('lies/0')
    expect(smallest(await tile(lies, 1, 0, 0))).toBeLessThan(1000)
    expect(chunksRead(lies)).toBeGreaterThan(0)
    for (const s of [odd, l1, lies]) await service.handle('session:close', { session: s })
  })
})
