// A remote Zarr array (a folder of objects on a real nginx, and on s3rver) whose metadata document or chunks are replaced under
// an open session reports 'session:changed', as a remote object does; one left alone does not. Each case opens
// its own service (a session's checks are 5 s apart; the first runs at once).
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventName } from '../src/shared/contract'
import { ArrayService } from '../src/main/service/array-service'
import { startNginx, type Nginx } from './helpers/nginx'
import { tempDir } from './helpers/numpy'
import { startS3, type S3Server } from './helpers/s3'

const tmp = tempDir()
let web: Nginx
let s3: S3Server

/** A v2 array of 4×4 float32 in chunks of 2×4, uncompressed (chunks '0.0' and '1.0'), without chunk 1.0 if asked. */
function writeStore(name: string, withSecond = true): string {
  const dir = path.join(tmp.dir, name)
  fs.mkdirSync(dir, { recursive: true })
  const meta = { zarr_format: 2, shape: [4, 4], chunks: [2, 4], dtype: '<f4', compressor: null, fill_value: -1 }
  fs.writeFileSync(path.join(dir, '.zarray'), JSON.stringify({ ...meta, order: 'C', filters: null }))
  fs.writeFileSync(path.join(dir, '0.0'), new Float32Array(8).fill(1))
  if (withSecond) fs.writeFileSync(path.join(dir, '1.0'), new Float32Array(8).fill(2))
  return dir
}

/** Replaces a file as a writer would (a new file renamed over it, a later time: a new ETag). */
function replace(file: string, bytes: NodeJS.ArrayBufferView | string): void {
  fs.writeFileSync(`${file}.new`, bytes)
  fs.renameSync(`${file}.new`, file)
  const later = new Date(Date.now() + 60_000)
  fs.utimesSync(file, later, later)
}

beforeAll(async () => {
  for (const n of ['same.zarr', 'chunk.zarr', 'meta.zarr']) writeStore(n)
  writeStore('absent.zarr', false)
  web = await startNginx(tmp.dir)
  s3 = await startS3('zc-bucket')
  const dir = writeStore('s3.zarr')
  for (const k of ['.zarray', '0.0', '1.0']) await s3.putFile(`stores/w.zarr/${k}`, path.join(dir, k))
}, 60_000)

afterAll(async () => {
  await s3?.stop()
  await web?.stop()
  tmp.cleanup()
})

/** Opens a store's array, reads all of it (its chunks fetched), changes it, checks once: the events told. */
async function checkAfter(
  name: string,
  change: (dir: string) => void | Promise<void>,
  url = `${web.url}/${name}`
): Promise<EventName[]> {
  const events: EventName[] = []
  const s = new ArrayService({ watchIntervalMs: 0, emit: (e) => events.push(e) })
  try {
    const info = await s.handle('session:open', { path: url, layout: null, mode: 'r' })
    const win = await s.handle('window:get', {
      session: info.session,
      view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
      row0: 0,
      col0: 0,
      rows: 4,
      cols: 4,
      generation: 1
    })
    const second = name === 'absent.zarr' ? -1 : 2
    expect(Array.from(new Float32Array(win.bytes.slice().buffer))).toEqual([
      ...Array(8).fill(1),
      ...Array(8).fill(second)
    ])
    await change(path.join(tmp.dir, name))
    s.checkForChanges()
    // the check is a request or three in the background: told within a few seconds, or not at all
    for (let i = 0; i < 30 && !events.includes('session:changed'); i++) await new Promise((r) => setTimeout(r, 100))
    return events
  } finally {
    s.closeAll()
  }
}

describe('remote Zarr arrays checked for changes', () => {
  it('an array left alone is not reported changed', async () => {
    expect(await checkAfter('same.zarr', () => undefined)).not.toContain('session:changed')
  })

  it('a chunk replaced on the server is a change', async () => {
    const events = await checkAfter('chunk.zarr', (dir) => replace(path.join(dir, '1.0'), new Float32Array(8).fill(5)))
    expect(events).toContain('session:changed')
  })

  it('the metadata document replaced is a change', async () => {
    const events = await checkAfter('meta.zarr', (dir) => {
      const meta = JSON.parse(fs.readFileSync(path.join(dir, '.zarray'), 'utf8')) as Record<string, unknown>
      replace(path.join(dir, '.zarray'), JSON.stringify({ ...meta, fill_value: 7 }))
    })
    expect(events).toContain('session:changed')
  })

  it('a chunk written where there was none (the fill value shown) is a change', async () => {
    const events = await checkAfter('absent.zarr', (dir) => replace(path.join(dir, '1.0'), new Float32Array(8).fill(3)))
    expect(events).toContain('session:changed')
  })

  it('over S3 (s3rver): a chunk put again with other bytes (a new ETag) is a change', async () => {
    const url = 's3://zc-bucket/stores/w.zarr'
    expect(await checkAfter('s3.zarr', () => undefined, url)).not.toContain('session:changed')
    const events = await checkAfter(
      's3.zarr',
      () => s3.put('stores/w.zarr/1.0', new Uint8Array(new Float32Array(8).fill(9).buffer)),
      url
    )
    expect(events).toContain('session:changed')
  })
})
