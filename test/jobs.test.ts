// Every long job of the service — scans, exports, an .npz member's decompression — runs in one registry and is
// cancelled the same way: its promise rejects with 'cancelled', its progress stops, nothing is left behind.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import type { Progress } from '../src/shared/contract'
import { ArrayService } from '../src/main/service/array-service'
import { rejection } from './helpers/errors'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

const events: [string, Progress][] = []
const service = new ArrayService({ watchIntervalMs: 0, emit: (e, p) => events.push([e, p as Progress]) })
afterAll(() => service.closeAll())

/** Waits until an event of this name reports progress for scanId. */
async function progressOf(event: string, scanId: string): Promise<void> {
  const end = Date.now() + 20_000
  while (!events.some(([e, p]) => e === event && p.scanId === scanId && p.done > 0)) {
    if (Date.now() > end) throw new Error(`no ${event} for ${scanId}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

it('an export is cancelled through export:cancel: rejected as cancelled, no file and no temporary left', async () => {
  const src = path.join(tmp.dir, 'big.f8')
  py(`np.arange(4_000_000, dtype='<f8').tofile(${JSON.stringify(src)}); print(1)`)
  const { session } = await service.handle('session:open', {
    path: src,
    layout: { dtype: '<f8', shape: null, offset: 0, order: 'C' },
    mode: 'r'
  })
  const outDir = fs.mkdtempSync(path.join(tmp.dir, 'out-'))
  const out = path.join(outDir, 'big.txt')
  // text: formatting 4 M numbers takes seconds, long enough to cancel it half-way
  const running = service.handle('export:run', { session, scanId: 'ex1', out, as: 'text', sep: ' ' })
  await progressOf('export:progress', 'ex1')
  expect(await service.handle('export:cancel', { scanId: 'ex1' })).toEqual({ cancelled: true })
  expect((await rejection(running)).code).toBe('cancelled')
  expect(fs.readdirSync(outDir)).toEqual([])
  // the job is gone from the registry: cancelling again finds nothing
  expect(await service.handle('export:cancel', { scanId: 'ex1' })).toEqual({ cancelled: false })
  // and an export of the same session still runs to the end
  const done = await service.handle('export:run', {
    session,
    scanId: 'ex2',
    out: path.join(outDir, 'b.bin'),
    as: 'raw'
  })
  expect(done.bytes).toBe(32_000_000)
})

it("a deflated .npz member's decompression is cancelled through scan:cancel, its temporary copy removed", async () => {
  const npz = path.join(tmp.dir, 'big.npz')
  // 400 MB of a pattern deflate squeezes well: decompressing it takes long enough to cancel
  py(`np.savez_compressed(${JSON.stringify(npz)}, a=np.tile(np.arange(1000, dtype='<f8'), 50_000)); print(1)`)
  const temps = (): string[] => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('arrayscope-npz-'))
  const before = temps()
  const running = service.handle('session:open', { path: npz, layout: null, mode: 'r', array: 'a', scanId: 'inf1' })
  await progressOf('scan:progress', 'inf1')
  expect(await service.handle('scan:cancel', { scanId: 'inf1' })).toEqual({ cancelled: true })
  expect((await rejection(running)).code).toBe('cancelled')
  expect(temps()).toEqual(before)
})
