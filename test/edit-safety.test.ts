// Edits never land where the user cannot see them, and closing keeps its word: in r+ the path must still name
// the mapped file before each edit and flush (a file replaced or deleted within the watcher's 2 s refuses
// instead of writing into the orphan); Discard puts back every byte written since the last flush (the file's
// checksum proves it), Flush keeps them, and mode c never touches the file. ArrayService on real files.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { rejection } from './helpers/errors'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const sha = (p: string): string => createHash('sha256').update(fs.readFileSync(p)).digest('hex')
const LAYOUT = { dtype: '<f8', shape: [100, 50], offset: 0, order: 'C' as const }

function fixture(name: string): string {
  const file = path.join(tmp.dir, name)
  py(`np.random.default_rng(5).standard_normal((100, 50)).tofile(${JSON.stringify(file)}); print(1)`)
  return file
}

async function opened(mode: 'r+' | 'c', file: string): Promise<{ s: ArrayService; id: string }> {
  const s = new ArrayService({ watchIntervalMs: 0 })
  const info = await s.handle('session:open', { path: file, layout: LAYOUT, mode })
  return { s, id: info.session }
}

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b)

describe('the path must still name the mapped file (r+)', () => {
  it('a file replaced by a rename refuses edits, undo and flush; neither file changes', async () => {
    const file = fixture('replaced.bin')
    const { s, id } = await opened('r+', file)
    await s.handle('edit:apply', { session: id, writes: [{ offset: 0, bytes: bytes(1, 2, 3) }] })
    // another program saves a new version the usual way: write a temporary file, rename it over the old one
    const replacement = path.join(tmp.dir, 'replacement.tmp')
    fs.writeFileSync(replacement, Buffer.alloc(40000, 7))
    fs.renameSync(replacement, file)
    const after = sha(file)
    for (const [channel, request] of [
      ['edit:apply', { session: id, writes: [{ offset: 8, bytes: bytes(9) }] }],
      ['edit:undo', { session: id }],
      ['edit:flush', { session: id }]
    ] as const) {
      const e = await rejection(s.handle(channel, request))
      expect([channel, e.code]).toEqual([channel, 'changed'])
      expect(e.message).toMatch(/was replaced by another file since it was opened: edits would go to the old file/)
    }
    expect(sha(file)).toBe(after)
    s.closeAll()
  })

  it('a deleted file refuses edits too', async () => {
    const file = fixture('deleted.bin')
    const { s, id } = await opened('r+', file)
    fs.rmSync(file)
    const e = await rejection(s.handle('edit:apply', { session: id, writes: [{ offset: 0, bytes: bytes(1) }] }))
    expect(e.code).toBe('changed')
    expect(e.message).toMatch(/was deleted or renamed since it was opened/)
    expect(fs.existsSync(file)).toBe(false)
    s.closeAll()
  })

  it('the same file under another name (a hard link) is still the file', async () => {
    const file = fixture('linked.bin')
    const { s, id } = await opened('r+', file)
    fs.linkSync(file, path.join(tmp.dir, 'linked-too.bin'))
    await s.handle('edit:apply', { session: id, writes: [{ offset: 0, bytes: bytes(1) }] })
    await s.handle('edit:flush', { session: id })
    expect(fs.readFileSync(file)[0]).toBe(1)
    s.closeAll()
  })

  it('checkForChanges reports a replaced file even with the same size and mtime', async () => {
    const file = fixture('same-size.bin')
    const events: string[] = []
    const s = new ArrayService({ watchIntervalMs: 0, emit: (name) => events.push(name) })
    await s.handle('session:open', { path: file, layout: LAYOUT, mode: 'r' })
    const st = fs.statSync(file)
    const copy = path.join(tmp.dir, 'same-size.tmp')
    fs.copyFileSync(file, copy)
    fs.utimesSync(copy, st.atime, st.mtime)
    fs.renameSync(copy, file)
    s.checkForChanges()
    expect(events).toEqual(['session:changed'])
    s.closeAll()
  })
})

describe('closing with unsaved edits', () => {
  it('Discard puts back every byte since the last flush: the checksum is the original', async () => {
    const file = fixture('discard.bin')
    const original = sha(file)
    const { s, id } = await opened('r+', file)
    // overlapping writes, within one edit and across edits, an undo and a redo
    const st1 = await s.handle('edit:apply', {
      session: id,
      writes: [
        { offset: 0, bytes: bytes(1, 1, 1, 1, 1, 1, 1, 1) },
        { offset: 4, bytes: bytes(2, 2, 2, 2, 2, 2, 2, 2) }
      ]
    })
    expect(st1).toMatchObject({ dirty: true, unsaved: true })
    await s.handle('edit:apply', { session: id, writes: [{ offset: 6, bytes: bytes(3, 3, 3, 3) }] })
    await s.handle('edit:apply', {
      session: id,
      writes: [{ offset: 39990, bytes: bytes(4, 4, 4, 4, 4, 4, 4, 4, 4, 4) }]
    })
    await s.handle('edit:undo', { session: id })
    await s.handle('edit:undo', { session: id })
    await s.handle('edit:redo', { session: id })
    await s.handle('edit:apply', { session: id, writes: [{ offset: 39995, bytes: bytes(5, 5, 5, 5, 5) }] })
    expect(sha(file)).not.toBe(original) // r+ writes the file's pages at once
    expect(await s.handle('session:close', { session: id, unflushed: 'discard' })).toEqual({ closed: true })
    expect(sha(file)).toBe(original)
  })

  it('Discard after a flush keeps what was flushed; the default close discards too', async () => {
    const file = fixture('discard-after-flush.bin')
    const { s, id } = await opened('r+', file)
    await s.handle('edit:apply', { session: id, writes: [{ offset: 100, bytes: bytes(1, 2, 3, 4) }] })
    const flushed = await s.handle('edit:flush', { session: id })
    expect(flushed).toMatchObject({ dirty: false, unsaved: false })
    const atFlush = sha(file)
    await s.handle('edit:apply', { session: id, writes: [{ offset: 102, bytes: bytes(9, 9, 9, 9) }] })
    await s.handle('edit:undo', { session: id })
    await s.handle('edit:undo', { session: id }) // undoes the flushed edit too: Discard restores it
    expect(sha(file)).not.toBe(atFlush)
    await s.handle('session:close', { session: id })
    expect(sha(file)).toBe(atFlush)
  })

  it('Flush keeps the edits, and numpy reads them', async () => {
    const file = fixture('flush-on-close.bin')
    const { s, id } = await opened('r+', file)
    const value = new Uint8Array(new Float64Array([42.5]).buffer)
    await s.handle('edit:apply', { session: id, writes: [{ offset: (3 * 50 + 7) * 8, bytes: value }] })
    await s.handle('session:close', { session: id, unflushed: 'flush' })
    expect(
      py<number>(`print(json.dumps(float(np.fromfile(${JSON.stringify(file)}, dtype='<f8').reshape(100, 50)[3, 7])))`)
    ).toBe(42.5)
  })

  it('a flush that cannot happen keeps the session open to choose again', async () => {
    const file = fixture('flush-refused.bin')
    const { s, id } = await opened('r+', file)
    await s.handle('edit:apply', { session: id, writes: [{ offset: 0, bytes: bytes(1) }] })
    fs.renameSync(file, `${file}.moved`)
    expect((await rejection(s.handle('session:close', { session: id, unflushed: 'flush' }))).code).toBe('changed')
    expect(await s.handle('bytes:get', { session: id, offset: 0, length: 1 })).toMatchObject({ bytes: bytes(1) })
    s.closeAll()
  })

  it('mode c: edits make the session unsaved, closing drops them, the file never changes', async () => {
    const file = fixture('copy.bin')
    const original = sha(file)
    const { s, id } = await opened('c', file)
    const st = await s.handle('edit:apply', { session: id, writes: [{ offset: 0, bytes: bytes(1, 2, 3) }] })
    expect(st).toMatchObject({ dirty: false, unsaved: true })
    expect(await s.handle('edit:undo', { session: id })).toMatchObject({ unsaved: false })
    expect(await s.handle('edit:redo', { session: id })).toMatchObject({ unsaved: true })
    await s.handle('session:close', { session: id, unflushed: 'discard' })
    expect(sha(file)).toBe(original)
  })
})
