// .npz against numpy: np.savez (stored members mapped in place: Fortran order, big-endian, 0-d, empty, records,
// names with folders), np.savez_compressed (deflated members through a temporary decompressed copy), and a
// >4 GiB member written by np.savez into a sparse file (ZIP64: placeholders in the local header, sizes in the
// central directory's extra field). Keys and shapes equal np.load's; values equal np.load's.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'
import { rejection } from './helpers/errors'

const tmp = tempDir()
const STORED = path.join(tmp.dir, 'stored.npz')
const DEFLATED = path.join(tmp.dir, 'deflated.npz')
const BIG = path.join(tmp.dir, 'big.npz')

const MEMBERS = `
rng = np.random.default_rng(3)
members = {
  'a': rng.standard_normal((3, 4)),
  'fortran': np.asfortranarray(np.arange(12, dtype=np.int16).reshape(3, 4)),
  'big_endian': (np.arange(5) * 1.5).astype('>f4'),
  'scalar': np.array(7, dtype='>i8'),
  'empty': np.zeros((0, 3), np.float32),
  'odd': np.arange(13, dtype=np.uint8),
  'rec': np.array([(1.5, 2), (3.5, -4)], dtype=[('x', '<f4'), ('n', '<i2')]),
  'dir/inner': np.arange(6, dtype=np.float64).reshape(2, 3),
}
def js(a):
    a = np.asarray(a)
    if a.dtype.names: return [{n: js(r[n]) for n in a.dtype.names} for r in a] if a.ndim else {n: js(a[n]) for n in a.dtype.names}
    if a.dtype.kind == 'f':
        return [js(x) for x in a] if a.ndim else ('nan' if np.isnan(a) else float(a))
    return a.tolist()
`

let ref: { keys: string[]; shapes: Record<string, number[]>; values: Record<string, unknown> }
beforeAll(() => {
  ref = py(`
${MEMBERS}
np.savez(${JSON.stringify(STORED)}, **members)
np.savez_compressed(${JSON.stringify(DEFLATED)}, **members)
f = np.load(${JSON.stringify(STORED)})
print(json.dumps({'keys': f.files, 'shapes': {k: list(f[k].shape) for k in f.files}, 'values': {k: js(f[k]) for k in f.files}}))`)
})
afterAll(() => tmp.cleanup())

describe('np.savez (stored members, mapped in place)', () => {
  it('ls lists np.load keys and shapes in archive order, each with its dtype and order', async () => {
    const listed = JSON.parse((await runCli(['ls', STORED, '--json'])).stdout) as {
      name: string
      shape: number[]
      dtype: string
      order: string
    }[]
    expect(listed.map((e) => e.name)).toEqual(ref.keys)
    for (const e of listed) expect(e.shape, e.name).toEqual(ref.shapes[e.name])
    expect(listed.find((e) => e.name === 'fortran')!.order).toBe('F')
    expect(listed.find((e) => e.name === 'big_endian')!.dtype).toBe('>f4')
  })

  it('show --json of every member equals np.load', async () => {
    for (const k of ref.keys) {
      const r = await runCli(['show', STORED, '--array', k, '--json'])
      expect(r.stderr, k).toBe('')
      expect(JSON.parse(r.stdout), k).toEqual(ref.values[k])
    }
  })

  it('the mapped offset is where the member data is in the archive (its bytes are the array)', async () => {
    const info = JSON.parse((await runCli(['info', STORED, '--array', 'odd'])).stdout)
    const bytes = fs.readFileSync(STORED).subarray(info.offset, info.offset + 13)
    expect([...bytes]).toEqual([...Array(13).keys()])
  })

  it('r+ is refused (it would break the CRC-32 np.load checks); mode c edits a private copy', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const e = await rejection(s.handle('session:open', { path: STORED, layout: null, mode: 'r+', array: 'a' }))
      expect(e.code).toBe('readonly')
      expect(e.message).toMatch(/would break the archive's CRC-32 check/)
      const info = await s.handle('session:open', { path: STORED, layout: null, mode: 'c', array: 'a' })
      await s.handle('edit:apply', {
        session: info.session,
        writes: [{ offset: info.layout.offset, bytes: new Uint8Array(8) }]
      })
    } finally {
      s.closeAll()
    }
    expect(py<number>(`print(json.dumps(float(np.load(${JSON.stringify(STORED)})['a'][0, 0])))`)).toBe(
      (ref.values.a as number[][])[0]![0]
    )
  })
})

describe('np.savez_compressed (deflated members)', () => {
  it('ls lists them from their inflated .npy headers, marked compressed', async () => {
    const listed = JSON.parse((await runCli(['ls', DEFLATED, '--json'])).stdout) as {
      name: string
      shape: number[]
      compressed?: string
    }[]
    expect(listed.map((e) => e.name)).toEqual(ref.keys)
    for (const e of listed) {
      expect(e.shape).toEqual(ref.shapes[e.name])
      expect(e.compressed).toMatch(/deflate/)
    }
  })

  it('show --json equals np.load; the temporary copy is gone afterwards', async () => {
    const before = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('arrayscope-npz-')).length
    for (const k of ref.keys) {
      const r = await runCli(['show', DEFLATED, '--array', k, '--json'])
      expect(r.stderr, k).toBe('')
      expect(JSON.parse(r.stdout), k).toEqual(ref.values[k])
    }
    expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('arrayscope-npz-')).length).toBe(before)
  })

  it('info names the archive, not the temporary copy that is gone when the command ends', async () => {
    const k = ref.keys[0]!
    const info = JSON.parse((await runCli(['info', DEFLATED, '--array', k])).stdout) as Record<string, unknown>
    expect(info).toMatchObject({ path: DEFLATED, fileSize: fs.statSync(DEFLATED).size, decompressed: true })
    expect(info.shape).toEqual(ref.shapes[k])
    expect(info).not.toHaveProperty('offset')
  })

  it('opens read-only with progress; edits are refused with the reason; close removes the copy', async () => {
    const events: { done: number; total: number }[] = []
    const s = new ArrayService({
      watchIntervalMs: 0,
      emit: (e, p) => e === 'scan:progress' && events.push(p as { done: number; total: number })
    })
    try {
      const refused = await rejection(s.handle('session:open', { path: DEFLATED, layout: null, mode: 'c', array: 'a' }))
      expect(refused.message).toMatch(/opens read-only \(mode r\): it is a temporary decompressed copy/)
      const info = await s.handle('session:open', { path: DEFLATED, layout: null, mode: 'r', array: 'a', scanId: 'z' })
      expect(info.array).toMatchObject({ decompressed: true, name: 'a' })
      expect(fs.existsSync(info.path)).toBe(true)
      expect(events.at(-1)).toEqual({ scanId: 'z', done: info.fileSize, total: info.fileSize })
      const e = await rejection(
        s.handle('edit:apply', { session: info.session, writes: [{ offset: 200, bytes: new Uint8Array(1) }] })
      )
      expect(e.code).toBe('readonly')
      expect(e.message).toMatch(/edits would never reach the archive/)
      await s.handle('session:close', { session: info.session })
      expect(fs.existsSync(info.path)).toBe(false)
    } finally {
      s.closeAll()
    }
  })

  it('a corrupt deflated member fails its CRC-32 check with a clear error', async () => {
    const bad = path.join(tmp.dir, 'corrupt.npz')
    const { offset } = py<{ offset: number }>(`
import zipfile, shutil
shutil.copy(${JSON.stringify(DEFLATED)}, ${JSON.stringify(bad)})
z = zipfile.ZipFile(${JSON.stringify(bad)})
i = z.getinfo('a.npy')
print(json.dumps({'offset': i.header_offset}))`)
    // flip the stored CRC in the central directory entry of a.npy
    const buf = fs.readFileSync(bad)
    const cd = buf.lastIndexOf(Buffer.from('a.npy')) - 46
    expect(buf.readUInt32LE(cd)).toBe(0x02014b50)
    expect(buf.readUInt32LE(cd + 42)).toBe(offset)
    buf.writeUInt32LE((buf.readUInt32LE(cd + 16) ^ 1) >>> 0, cd + 16)
    fs.writeFileSync(bad, buf)
    const r = await runCli(['show', bad, '--array', 'a'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/member 'a' fails its CRC-32 check: the archive is corrupt/)
  })
})

describe('a >4 GiB member (ZIP64), written by np.savez into a sparse file', () => {
  const N = 2 ** 32 / 8 + 1000 // float64 elements: 4 GiB + 8000 bytes
  beforeAll(() => {
    // np.savez writes through this file object, which seeks over blocks of zeros instead of writing them
    py(`
class Sparse:
    def __init__(self, f): self.f = f
    def write(self, b):
        b = memoryview(b).cast('B')
        if b.nbytes > 4096 and not any(b[::4096]) and bytes(b).count(0) == b.nbytes:
            self.f.seek(b.nbytes, 1)
        else:
            self.f.write(b)
        return b.nbytes
    def __getattr__(self, k): return getattr(self.f, k)
a = np.zeros(${N}, np.float64)
a[0] = 1.5; a[-1] = -2.25; a[${N} // 2] = 3.0
with open(${JSON.stringify(BIG)}, 'wb') as f:
    np.savez(Sparse(f), small=np.arange(3, dtype=np.int8), big=a, after=np.array([9, 8], np.uint16))
print(1)`)
  }, 300_000)

  it('lists np.load keys with the >4 GiB size, and reads values at the start, middle and end', async () => {
    const ref = py<{ keys: string[]; sizes: number[] }>(`
import zipfile
z = zipfile.ZipFile(${JSON.stringify(BIG)})
print(json.dumps({'keys': [i.filename[:-4] for i in z.infolist()], 'sizes': [i.file_size for i in z.infolist()]}))`)
    expect(ref.sizes[1]).toBeGreaterThan(2 ** 32)
    const listed = JSON.parse((await runCli(['ls', BIG, '--json'])).stdout) as { name: string; shape: number[] }[]
    expect(listed.map((e) => e.name)).toEqual(ref.keys)
    expect(listed[1]!.shape).toEqual([N])
    const show = async (slice: string): Promise<unknown> =>
      JSON.parse((await runCli(['show', BIG, '--array', 'big', '--slice', slice, '--json'])).stdout)
    expect(await show('0:2')).toEqual([1.5, 0])
    expect(await show(`${Math.floor(N / 2)}`)).toBe(3)
    expect(await show('-2:')).toEqual([0, -2.25])
    // the member after the big one (its local header offset is in the ZIP64 extra field)
    expect(JSON.parse((await runCli(['show', BIG, '--array', 'after', '--json'])).stdout)).toEqual([9, 8])
    expect(fs.statSync(BIG).blocks * 512).toBeLessThan(1 << 26) // still sparse
  })
})
