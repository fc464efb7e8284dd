// HDF5 chunks read, decoded and written into the copy by one call to the addon (chunk_file.cc, the same call
// Zarr's chunk files use): the copy equals the one the JS path (read, decodeChunk, write from JS) makes, byte
// for byte; a file cut short after the dataset opened names the chunk whose stored bytes end early, as the JS
// path does; and the call is the one used (no JS-side decode counted).
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const file = path.join(tmp.dir, 'direct.h5')
let chunk3: { at: number; offsets: number[] }

beforeAll(() => {
  chunk3 = py(`
import h5py
rng = np.random.default_rng(5)
with h5py.File(${JSON.stringify(file)}, 'w') as f:
    f.create_dataset('a', data=np.round(rng.standard_normal((300, 257)), 3).astype('<f4'), chunks=(64, 100),
                     compression='gzip', shuffle=True, fletcher32=True)
    f.create_dataset('b', data=np.arange(5000, dtype='>i8').reshape(50, 100), chunks=(7, 30), compression='gzip')
with h5py.File(${JSON.stringify(file)}, 'r') as f:
    n = f['a'].id.get_num_chunks()
    last = max((f['a'].id.get_chunk_info(k) for k in range(n)), key=lambda i: i.byte_offset)
print(json.dumps({'at': last.byte_offset + 10, 'offsets': list(last.chunk_offset)}))`)
}, 60_000)

const sha = (p: string): string => createHash('sha256').update(fs.readFileSync(p)).digest('hex')

async function copy(array: string, js: boolean): Promise<string> {
  const s = new ArrayService({ watchIntervalMs: 0 })
  if (js) process.env.ARRAYSCOPE_HDF5_JS_CHUNKS = '1'
  try {
    const info = await s.handle('session:open', { path: file, layout: null, mode: 'r', array })
    await s.handle('scan:stats', { session: info.session, scanId: array })
    return sha(s.session(info.session).source.chunkGrid!.file)
  } finally {
    delete process.env.ARRAYSCOPE_HDF5_JS_CHUNKS
    s.closeAll()
  }
}

describe('HDF5 chunks through the addon in one call', () => {
  it('make the copy the JS path makes, byte for byte (shuffle + fletcher32, big-endian, edge chunks)', async () => {
    for (const a of ['/a', '/b']) expect(await copy(a, false), a).toBe(await copy(a, true))
  }, 60_000)

  it('a file cut short after the open names the chunk whose stored bytes end early', async () => {
    const cut = path.join(tmp.dir, 'cut.h5')
    fs.copyFileSync(file, cut)
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: cut, layout: null, mode: 'r', array: '/a' })
      fs.truncateSync(cut, chunk3.at)
      await expect(s.handle('scan:stats', { session: info.session, scanId: 'cut' })).rejects.toThrow(
        new RegExp(`/a: the chunk at offsets \\(${chunk3.offsets.join(', ')}\\) .*its stored bytes end early`)
      )
    } finally {
      s.closeAll()
    }
  }, 60_000)
})
