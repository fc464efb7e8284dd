// Following a text another program appends to (issue 33): lines added after a complete last line are parsed
// alone and appended to the session's copy (the table gains rows; the text is not parsed again); a last line
// still being written, or a rewritten file, is opened again whole — values as np.loadtxt reads the text then.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import type { SessionInfo } from '../src/shared/contract'
import { ArrayService } from '../src/main/service/array-service'
import { tempDir } from './helpers/numpy'

const { dir, cleanup } = tempDir()
afterAll(cleanup)

async function values(s: ArrayService, info: SessionInfo): Promise<number[]> {
  const [rows, cols] = info.layout.shape as [number, number]
  const w = await s.handle('window:get', {
    session: info.session,
    generation: 1,
    view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
    row0: 0,
    rows,
    col0: 0,
    cols
  })
  return Array.from(new Float64Array(w.bytes.slice().buffer))
}

/** Checks for changes until the session's info differs from before (follow mode works in the background). */
async function changed(s: ArrayService, id: string, before: SessionInfo): Promise<SessionInfo> {
  for (let k = 0; k < 200; k++) {
    s.checkForChanges()
    await new Promise((r) => setTimeout(r, 10))
    const now = s.session(id).info
    if (now !== before && !now.text?.loading) return now
  }
  throw new Error('the session did not change')
}

test('lines appended to a followed CSV are appended to its copy; a half-written line is read again whole', async () => {
  const csv = path.join(dir, 'log.csv')
  fs.writeFileSync(csv, 'a,b\n1,2\n3,4\n')
  const s = new ArrayService({ watchIntervalMs: 0 })
  try {
    const layout = { dtype: '<f8', shape: null, offset: 0, order: 'C' as const, text: { sep: ',', skip: 1 } }
    let info = await s.handle('session:open', { path: csv, layout, mode: 'r', follow: true })
    expect(info.layout.shape).toEqual([2, 2])
    const copy = s.session(info.session).source.store.path
    // the producer adds two whole lines: they are appended, the copy kept
    fs.appendFileSync(csv, '5,6\n7,8\n')
    info = await changed(s, info.session, info)
    expect(info.layout.shape).toEqual([4, 2])
    expect(await values(s, info)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(s.session(info.session).source.store.path).toBe(copy)
    expect(info.text?.found).toMatchObject({ values: 8, rows: 4, cols: 2 })
    // a line without its newline yet is read as it is; once the producer finishes it, the text is read again
    fs.appendFileSync(csv, '9,1')
    info = await changed(s, info.session, info)
    expect(await values(s, info)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 1])
    fs.appendFileSync(csv, '0\n11,12\n')
    info = await changed(s, info.session, info)
    expect(await values(s, info)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    expect(s.session(info.session).source.store.path).not.toBe(copy)
    // many lines at once: the copy outgrows its first mapping
    const copy2 = s.session(info.session).source.store.path
    let more = ''
    for (let i = 13; i < 20_013; i += 2) more += `${i},${i + 1}\n`
    fs.appendFileSync(csv, more)
    info = await changed(s, info.session, info)
    expect(info.layout.shape).toEqual([10_006, 2])
    expect(s.session(info.session).source.store.path).toBe(copy2)
    const all = await values(s, { ...info, layout: { ...info.layout, shape: [4096, 2] } })
    expect(all.slice(0, 14)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
    const w = await s.handle('window:get', {
      session: info.session,
      generation: 2,
      view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
      row0: 10_005,
      rows: 1,
      col0: 0,
      cols: 2
    })
    expect(Array.from(new Float64Array(w.bytes.slice().buffer))).toEqual([20_011, 20_012])
  } finally {
    s.closeAll()
  }
})
