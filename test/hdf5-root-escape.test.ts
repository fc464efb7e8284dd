// --root read escape through HDF5 links (issue 25, item 1). A chunked dataset's link name patched by one byte to
// "g/d": the header parser listed it as a chunked dataset, and the HDF5 library, opening the path "/g/d", walked
// the soft link g → /r to /r/d, whose data lives in an external file outside the root (or walked an external
// link g into another file). Now a link name that is not a path is listed as unmappable, and the library is made
// to open only a path whose every part is a hard link, to a dataset with the header's chunks and shape.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { ChunkedDataset } from '../src/main/service/hdf5-chunked'
import { parseDType } from '../src/shared/structured'
import { rejection } from './helpers/errors'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const root = path.join(tmp.dir, 'root')
const outside = path.join(tmp.dir, 'outside')
const SECRET = 'SECRET!!'

beforeAll(() => {
  fs.mkdirSync(root)
  fs.mkdirSync(outside)
  py(`
import h5py, os
root, out = ${JSON.stringify(root)}, ${JSON.stringify(outside)}
secret = os.path.join(out, 'secret.bin')
open(secret, 'wb').write(b${JSON.stringify(SECRET)} * 1024)
with h5py.File(os.path.join(out, 'other.h5'), 'w') as f:
    f.create_dataset('r/d', data=np.frombuffer(b${JSON.stringify(SECRET)} * 128, 'u1').reshape(16, 64), chunks=(4, 64))
def attack(name, link):
    fn = os.path.join(root, name)
    with h5py.File(fn, 'w') as f:
        f.create_group('r')
        # contiguous storage in an external file anywhere on disk (opened directly, it is refused)
        f['r'].create_dataset('d', shape=(16, 64), dtype='u1', external=[(secret, 0, 16 * 64)])
        f['g'] = link
        f.create_dataset('g_d', data=np.zeros((16, 64), 'u1'), chunks=(4, 64), compression='gzip')
    b = bytearray(open(fn, 'rb').read())
    assert b.count(b'g_d') == 1
    b[b.index(b'g_d') + 1] = ord('/')
    open(fn, 'wb').write(b)
    with h5py.File(fn, 'r') as f:  # what the library reads under "g/d": the outside bytes
        assert f['g/d'][0, :8].tobytes() == b${JSON.stringify(SECRET)}, f['g/d'][0, :8]
attack('soft.h5', h5py.SoftLink('/r'))
attack('external.h5', h5py.ExternalLink(os.path.join(out, 'other.h5'), '/r'))
print(1)`)
})

/** Everything a token holder could get out of /g/d: a window, stats and an export, or the refusal. */
async function tryToRead(s: ArrayService, file: string): Promise<{ bytes: Buffer; error?: string }> {
  const got: Buffer[] = []
  try {
    const info = await s.handle('session:open', { path: file, layout: null, mode: 'r', array: '/g/d' })
    const w = await s.handle('window:get', {
      session: info.session,
      generation: 1,
      view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
      row0: 0,
      col0: 0,
      rows: 16,
      cols: 64
    })
    got.push(Buffer.from(w.bytes))
    const st = await s.handle('scan:stats', { session: info.session, scanId: `s-${path.basename(file)}` })
    got.push(Buffer.from(JSON.stringify(st)))
    const out = path.join(root, `${path.basename(file)}.bin`)
    await s.handle('export:run', { session: info.session, scanId: `e-${path.basename(file)}`, out, as: 'raw' })
    got.push(fs.readFileSync(out))
    return { bytes: Buffer.concat(got) }
  } catch (e) {
    return { bytes: Buffer.concat(got), error: (e as Error).message }
  }
}

describe.each([
  ['soft.h5', 'a soft link g → /r'],
  ['external.h5', 'an external link g → other.h5:/r']
])('%s: a chunked dataset renamed "g/d" beside %s', (name) => {
  const file = (): string => path.join(root, name)

  it('serve --root: no byte from outside the root in a window, stats or an export', async () => {
    const s = new ArrayService({ watchIntervalMs: 0, root })
    try {
      const r = await tryToRead(s, file())
      expect(r.bytes.includes(SECRET)).toBe(false)
      // it is listed, as a link that is not a path, and refused with that reason
      expect(r.error).toMatch(/a link that is not a path: its link name "g\/d" contains "\/"/)
      const list = await s.handle('container:list', { path: file() })
      const e = list.entries.find((x) => x.name === '/g/d')!
      expect(e.unmappable).toMatch(/contains "\/", which the HDF5 library reads as a path through other groups/)
      // the real path of the outside data is refused as before
      const direct = await rejection(s.handle('session:open', { path: file(), layout: null, mode: 'r', array: '/r/d' }))
      expect(direct.message).not.toMatch(SECRET)
    } finally {
      s.closeAll()
    }
  })

  it('the library itself refuses a path through a link that is not hard, before reading', async () => {
    const err = await rejection(ChunkedDataset.open(file(), '/g/d', [16, 64], [4, 64], parseDType('|u1')))
    expect(err.message).toMatch(
      name === 'soft.h5'
        ? /\/g\/d is not read through the HDF5 library: to the library, \/g is a soft link to \/r/
        : /\/g\/d is not read through the HDF5 library: to the library, \/g is an external link to .*other\.h5/
    )
  })
})

describe('the library check on ordinary files', () => {
  it('a chunked dataset whose shape or chunks differ from what the header says is refused', async () => {
    const f = path.join(root, 'plain.h5')
    py(`
import h5py
with h5py.File(${JSON.stringify(f)}, 'w') as f:
    f.create_dataset('x', data=np.arange(64, dtype='<f4').reshape(8, 8), chunks=(4, 4), compression='gzip')
    f['r/d'] = np.arange(4.)
print(1)`)
    const ok = await ChunkedDataset.open(f, '/x', [8, 8], [4, 4], parseDType('<f4'))
    ok.close()
    const chunks = await rejection(ChunkedDataset.open(f, '/x', [8, 8], [8, 4], parseDType('<f4')))
    expect(chunks.message).toMatch(/to the library its chunks are 4×4, the header says 8×4/)
    const contiguous = await rejection(ChunkedDataset.open(f, '/r/d', [4], [4], parseDType('<f8')))
    expect(contiguous.message).toMatch(/its chunks are none \(contiguous storage\)/)
    const size = await rejection(ChunkedDataset.open(f, '/x', [8, 8], [4, 4], parseDType('<f8')))
    expect(size.message).toMatch(/an element has 4 bytes, the header's dtype 8/)
  })
})

describe('link names that are no path', () => {
  it('two links of a group under one name are listed as such, neither opened', async () => {
    const f = path.join(root, 'twice.h5')
    py(`
import h5py
with h5py.File(${JSON.stringify(f)}, 'w', libver='latest') as f:
    f.create_dataset('a1', data=np.zeros(4, 'u1'), chunks=(2,))
    f.create_dataset('a2', data=np.ones(4, 'u1'), chunks=(2,))
b = bytearray(open(${JSON.stringify(f)}, 'rb').read())
b[b.index(b'a2')+1] = ord('1')
open(${JSON.stringify(f)}, 'wb').write(b)
print(1)`)
    const s = new ArrayService({ watchIntervalMs: 0, root })
    try {
      const list = await s.handle('container:list', { path: f })
      const named = list.entries.filter((x) => x.name === '/a1')
      expect(named).toHaveLength(1)
      expect(named[0]!.unmappable).toMatch(/its group has 2 links named "a1": which one a reader opens is not defined/)
      const err = await rejection(s.handle('session:open', { path: f, layout: null, mode: 'r', array: '/a1' }))
      expect(err.message).toMatch(/2 links named "a1"/)
    } finally {
      s.closeAll()
    }
  })
})
