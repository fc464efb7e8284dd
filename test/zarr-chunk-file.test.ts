// Zarr chunk files read, decoded and written into the copy by one native call (zarr-chunk-file.ts,
// native/src/chunk_file.cc): blosc, gzip, zlib and uncompressed chunks of a folder store. The values equal zarr-python's and
// the JS path's (ARRAYSCOPE_ZARR_JS_CHUNKS) for edge chunks, a missing chunk with a fill value and all-zero chunk
// rows; the scan and the CLI's blocking reader both use it; a damaged chunk — not blosc, cut short, grown, gone —
// is an error naming its key; the copy's budget still counts what the addon wrote.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { zarrStats } from '../src/main/service/zarr-fill'
import { runCli } from './helpers/cli'
import { rejection } from './helpers/errors'
import { tempDir } from './helpers/numpy'
import { zpy } from './helpers/zarr'

const tmp = tempDir()
const STORE = path.join(tmp.dir, 'direct.zarr')
const WINDOW = { generation: 0, row0: 0, col0: 0 }
let ref: Record<string, number[]>

beforeAll(() => {
  ref = zpy<Record<string, number[]>>(`
g = zarr.open_group(${JSON.stringify(STORE)}, mode='w')
x = (np.arange(37 * 23).reshape(37, 23) * 0.5 - 100).astype('<f8')
x[8:16] = 0  # a row of chunks all zeros: written as holes
g.create_dataset('edges', data=x, chunks=(8, 5), compressor=numcodecs.Blosc('lz4', 5, 1))
g.create_dataset('wide', data=np.arange(9 * 4 * 6, dtype='<i2').reshape(9, 4, 6), chunks=(2, 4, 6),
                 compressor=numcodecs.Blosc('zstd', 3, 2))
r = g.create_dataset('raw', shape=(11, 7), chunks=(4, 3), dtype='>u4', compressor=None, fill_value=7)
r[0:8] = np.arange(8 * 7).reshape(8, 7)  # chunks of rows 8.. never written: the fill value
g.create_dataset('gz', data=x, chunks=(8, 5), compressor=numcodecs.GZip(5))
g.create_dataset('zl', data=x, chunks=(6, 7), compressor=numcodecs.Zlib(1))
o = zarr.open_group(${JSON.stringify(STORE)}, mode='r')
print(json.dumps({k: o[k][...].astype(float).ravel().tolist() for k in ['edges', 'wide', 'raw', 'gz', 'zl']}))`)
})

afterAll(() => tmp.cleanup())

async function values(name: string, env: Record<string, string> = {}): Promise<{ all: number[]; min: number }> {
  const old = { ...process.env }
  Object.assign(process.env, env)
  const s = new ArrayService({ watchIntervalMs: 0 })
  try {
    const info = await s.handle('session:open', { path: STORE, array: name, layout: null, mode: 'r' })
    const st = await s.handle('scan:stats', { session: info.session, scanId: name })
    const shape = info.layout.shape
    const rows = shape[0]!
    const cols = shape.slice(1).reduce((a, b) => a * b, 1)
    const view = { rowAxis: 0, colAxis: 1, index: shape.map(() => 0) }
    const all: number[] = []
    for (let z = 0; z < (shape[2] ?? 1); z++) {
      const w = await s.handle('window:get', {
        ...WINDOW,
        session: info.session,
        view: { ...view, index: shape.map((_, k) => (k === 2 ? z : 0)) },
        rows,
        cols: shape[1]!
      })
      all.push(...decode(name, w.bytes))
    }
    expect(all.length).toBe(rows * cols)
    return { all: shape.length === 3 ? reorder(all, shape) : all, min: st.min ?? NaN }
  } finally {
    s.closeAll()
    process.env = old
  }
}

function decode(name: string, b: Uint8Array): number[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  if (name === 'edges' || name === 'gz' || name === 'zl')
    return Array.from({ length: b.length / 8 }, (_, i) => v.getFloat64(8 * i, true))
  if (name === 'wide') return Array.from({ length: b.length / 2 }, (_, i) => v.getInt16(2 * i, true))
  return Array.from({ length: b.length / 4 }, (_, i) => v.getUint32(4 * i, false))
}

/** Windows taken per index of axis 2 (rows × axis 1 each), back into C order. */
function reorder(perZ: number[], shape: number[]): number[] {
  const [a, b, c] = shape as [number, number, number]
  const out = new Array<number>(a * b * c)
  for (let z = 0; z < c; z++) for (let i = 0; i < a * b; i++) out[i * c + z] = perZ[z * a * b + i]!
  return out
}

describe('chunk files through the addon', () => {
  it.each(['edges', 'wide', 'raw', 'gz', 'zl'])(
    '%s: values equal zarr-python and the JS path; the addon read them',
    async (name) => {
      const before = zarrStats.direct
      const ours = await values(name)
      expect(zarrStats.direct).toBeGreaterThan(before)
      expect(ours.all).toEqual(ref[name])
      expect(ours.min).toBe(Math.min(...ref[name]!))
      const direct = zarrStats.direct
      const js = await values(name, { ARRAYSCOPE_ZARR_JS_CHUNKS: '1' })
      expect(zarrStats.direct).toBe(direct)
      expect(js.all).toEqual(ours.all)
    }
  )

  it.each(['gz', 'edges'])(
    "%s: a window, then statistics: the fill's chunks through the background call, the same values",
    async (name) => {
      const s = new ArrayService({ watchIntervalMs: 0 })
      try {
        const info = await s.handle('session:open', { path: STORE, array: name, layout: null, mode: 'r' })
        const [rows, cols] = info.layout.shape as [number, number]
        const view = { rowAxis: 0, colAxis: 1, index: [0, 0] }
        const at = { ...WINDOW, session: info.session, view }
        await s.handle('window:get', { ...at, rows: 1, cols: 1 })
        const before = zarrStats.background
        const st = await s.handle('scan:stats', { session: info.session, scanId: name })
        // every chunk but the window's went through the addon's background threads
        expect(zarrStats.background - before).toBe(Math.ceil(rows / 8) * Math.ceil(cols / 5) - 1)
        const w = await s.handle('window:get', { ...at, rows, cols })
        expect(decode(name, w.bytes)).toEqual(ref[name])
        expect(st.min).toBe(Math.min(...ref[name]!))
      } finally {
        s.closeAll()
      }
    }
  )

  it('the CLI (its blocking reader) prints the same values', async () => {
    const r = await runCli(['show', STORE, '--array', 'edges', '--json'])
    expect(r.code).toBe(0)
    expect((JSON.parse(r.stdout) as number[][]).flat()).toEqual(ref.edges)
  })
})

describe('damaged chunk files', () => {
  const cases: [string, (f: string) => void, RegExp][] = [
    ['not blosc', (f) => fs.writeFileSync(f, Buffer.alloc(64, 0x55)), /is not a blosc frame \(version byte 85\)/],
    [
      'cut short',
      (f) => fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 40)),
      /its blosc header says \d+ compressed bytes, the chunk has 40/
    ],
    ['grown', (f) => fs.writeFileSync(f, Buffer.alloc(1 << 20, 2)), /is 1048576 bytes, more than a chunk of 320/],
    ['gone after the listing', (f) => fs.rmSync(f), /cannot be read \(open: No such file or directory\)/]
  ]
  it.each(cases)('a chunk %s: the scan and the CLI name its key', async (what, damage, why) => {
    const bad = path.join(tmp.dir, `bad-${what.replace(/ /g, '-')}.zarr`)
    fs.cpSync(STORE, bad, { recursive: true })
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: bad, array: 'edges', layout: null, mode: 'r' })
      // a window first (the window-first path); the scan's fill decodes in the background, failures worded the same
      const view = { rowAxis: 0, colAxis: 1, index: [0, 0] }
      await s.handle('window:get', { ...WINDOW, session: info.session, view, rows: 1, cols: 1 })
      damage(path.join(bad, 'edges', '2.3'))
      const e = await rejection(s.handle('scan:stats', { session: info.session, scanId: 'bad' }))
      expect(e.message).toMatch(/the chunk edges\/2\.3 of 'edges'/)
      expect(e.message).toMatch(why)
    } finally {
      s.closeAll()
    }
    if (what === 'gone after the listing') return // the CLI lists the store after the damage: a missing chunk
    const r = await runCli(['show', bad, '--array', 'edges', '--slice', '16:24'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/the chunk edges\/2\.3 of 'edges'/)
    expect(r.stderr).toMatch(why)
  })

  it('an uncompressed chunk of the wrong size says what it decodes to', async () => {
    const bad = path.join(tmp.dir, 'bad-raw.zarr')
    fs.cpSync(STORE, bad, { recursive: true })
    fs.writeFileSync(path.join(bad, 'raw', '0.1'), Buffer.alloc(40))
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: bad, array: 'raw', layout: null, mode: 'r' })
      const e = await rejection(s.handle('scan:stats', { session: info.session, scanId: 'bad' }))
      expect(e.message).toMatch(/the chunk raw\/0\.1 of 'raw' decodes to 40 bytes, a chunk holds 48/)
    } finally {
      s.closeAll()
    }
  })

  it("the copy's budget counts what the addon wrote", async () => {
    const old = process.env.ARRAYSCOPE_TEMP_MAX
    process.env.ARRAYSCOPE_TEMP_MAX = '1K'
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: STORE, array: 'edges', layout: null, mode: 'r' })
      const e = await rejection(s.handle('scan:stats', { session: info.session, scanId: 'big' }))
      expect(e.message).toMatch(/would write more than 1024 bytes of values/)
    } finally {
      s.closeAll()
      if (old === undefined) delete process.env.ARRAYSCOPE_TEMP_MAX
      else process.env.ARRAYSCOPE_TEMP_MAX = old
    }
  })

  it('a session closed while chunks are in flight: nothing is written after, the next session reads right', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: STORE, array: 'edges', layout: null, mode: 'r' })
      const pending = s.handle('scan:stats', { session: info.session, scanId: 'c' }).catch((e: Error) => e)
      await s.handle('session:close', { session: info.session })
      await pending
      const again = await s.handle('session:open', { path: STORE, array: 'edges', layout: null, mode: 'r' })
      const st = await s.handle('scan:stats', { session: again.session, scanId: 'd' })
      expect(st.max).toBe(Math.max(...ref.edges!))
    } finally {
      s.closeAll()
    }
  })
})
