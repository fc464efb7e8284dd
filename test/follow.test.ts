// Follow mode (issue 32) in the service: a read-only session asked to follow its file shows another program's
// writes — bytes rewritten in place re-read, an inferred axis grown, an .npy rewritten with a new shape — and
// reports a version it cannot open as a change; sessions that can be edited never follow.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import type { EditState } from '../src/shared/contract'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const f32 = (values: number[]): Buffer => Buffer.from(new Float32Array(values).buffer)

function service(): { s: ArrayService; events: [string, unknown][]; next: (name: string) => Promise<unknown> } {
  const events: [string, unknown][] = []
  const s = new ArrayService({ watchIntervalMs: 0, emit: (name, payload) => events.push([name, payload]) })
  const next = async (name: string): Promise<unknown> => {
    const seen = events.length
    s.checkForChanges()
    const end = Date.now() + 5000
    for (;;) {
      const hit = events.slice(seen).find(([n]) => n === name)
      if (hit) return hit[1]
      if (Date.now() > end) throw new Error(`no ${name}; got ${JSON.stringify(events.slice(seen).map(([n]) => n))}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }
  return { s, events, next }
}

async function rows(s: ArrayService, session: string, n: number, cols: number): Promise<number[]> {
  const w = await s.handle('window:get', {
    session,
    generation: 0,
    view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
    row0: 0,
    rows: n,
    col0: 0,
    cols
  })
  return [...new Float32Array(w.bytes.slice().buffer)]
}

describe('follow mode', () => {
  it('re-reads bytes rewritten in place and grows an inferred axis with the file', async () => {
    const file = path.join(tmp.dir, 'grow.f4')
    fs.writeFileSync(file, f32([0, 1, 2, 3]))
    const { s, next } = service()
    const layout = { dtype: '<f4', shape: [-1, 2], offset: 0, order: 'C' as const }
    const info = await s.handle('session:open', { path: file, layout, mode: 'r', follow: true })
    expect(info.following).toBe(true)
    const fd = fs.openSync(file, 'r+')
    fs.writeSync(fd, f32([7]), 0, 4, 0)
    fs.closeSync(fd)
    const edited = (await next('session:edited')) as EditState
    expect(edited.changed).toEqual([{ offset: 0, length: 16 }])
    expect(edited.info).toBeUndefined()
    expect(await rows(s, info.session, 2, 2)).toEqual([7, 1, 2, 3])
    fs.appendFileSync(file, f32([4, 5, 6, 7]))
    const grown = (await next('session:edited')) as EditState
    expect(grown.info?.layout.shape).toEqual([4, 2])
    expect(grown.info?.session).toBe(info.session)
    expect(await rows(s, info.session, 4, 2)).toEqual([7, 1, 2, 3, 4, 5, 6, 7])
    s.closeAll()
  })

  it('shows the complete rows of a file a producer appends to in blocks that end inside a row', async () => {
    // a logger's stdio writes 4096-byte blocks: most versions end inside a row of the inferred axis
    const file = path.join(tmp.dir, 'blocks.f8')
    fs.writeFileSync(file, Buffer.from(new Float64Array([0, 1, 2]).buffer))
    const { s, events, next } = service()
    const layout = { dtype: '<f8', shape: [-1, 3], offset: 0, order: 'C' as const }
    const info = await s.handle('session:open', { path: file, layout, mode: 'r', follow: true })
    const more = Buffer.from(new Float64Array([3, 4, 5, 6, 7, 8, 9]).buffer)
    // two rows and a third's first value
    fs.appendFileSync(file, more)
    const e = (await next('session:edited')) as EditState
    expect(e.info?.layout.shape).toEqual([3, 3])
    expect(events.some(([n]) => n === 'session:changed')).toBe(false)
    const w = await s.handle('window:get', {
      session: info.session,
      generation: 0,
      view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
      row0: 0,
      rows: 3,
      col0: 0,
      cols: 3
    })
    expect([...new Float64Array(w.bytes.slice().buffer)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
    // the row completed: four rows
    fs.appendFileSync(file, Buffer.from(new Float64Array([10, 11]).buffer))
    expect(((await next('session:edited')) as EditState).info?.layout.shape).toEqual([4, 3])
    s.closeAll()
  })

  it('follows an .npy the producer saves again with another shape', async () => {
    const file = path.join(tmp.dir, 'steps.npy')
    py(`np.save(${JSON.stringify(file)}, np.arange(4, dtype='<f4').reshape(2, 2)); print(1)`)
    const { s, next } = service()
    const info = await s.handle('session:open', { path: file, layout: null, mode: 'r', follow: true })
    py(`np.save(${JSON.stringify(file)}, np.arange(6, dtype='<f4').reshape(3, 2) * 10); print(1)`)
    const e = (await next('session:edited')) as EditState
    expect(e.info?.layout.shape).toEqual([3, 2])
    expect(await rows(s, info.session, 3, 2)).toEqual([0, 10, 20, 30, 40, 50])
    s.closeAll()
  })

  it('reports a version it cannot open as a change, and follows the next one', async () => {
    const file = path.join(tmp.dir, 'fixed.f4')
    fs.writeFileSync(file, f32([1, 2, 3, 4]))
    const { s, next } = service()
    const layout = { dtype: '<f4', shape: [2, 2], offset: 0, order: 'C' as const }
    const info = await s.handle('session:open', { path: file, layout, mode: 'r', follow: true })
    fs.truncateSync(file, 8)
    expect(await next('session:changed')).toMatchObject({ session: info.session, size: 8 })
    fs.writeFileSync(file, f32([5, 6, 7, 8]))
    expect(((await next('session:edited')) as EditState).info?.layout.shape).toEqual([2, 2])
    expect(await rows(s, info.session, 2, 2)).toEqual([5, 6, 7, 8])
    s.closeAll()
  })

  it('never follows a session that can be edited, nor without being asked', async () => {
    const file = path.join(tmp.dir, 'edit.f4')
    fs.writeFileSync(file, f32([1, 2, 3, 4]))
    const { s, next } = service()
    const layout = { dtype: '<f4', shape: null, offset: 0, order: 'C' as const }
    const rw = await s.handle('session:open', { path: file, layout, mode: 'r+', follow: true })
    expect(rw.following).toBeUndefined()
    await expect(s.handle('session:follow', { session: rw.session, follow: true })).rejects.toThrow(
      /follow mode is for files open read-only/
    )
    const plain = await s.handle('session:open', { path: file, layout, mode: 'r' })
    expect(plain.following).toBeUndefined()
    fs.appendFileSync(file, f32([5]))
    expect(await next('session:changed')).toMatchObject({ size: 20 })
    // turned on later, it follows the next version
    expect(await s.handle('session:follow', { session: plain.session, follow: true })).toEqual({
      session: plain.session,
      following: true
    })
    fs.appendFileSync(file, f32([6]))
    expect(((await next('session:edited')) as EditState).info?.layout.shape).toEqual([6])
    s.closeAll()
  })
})
