// A compressed member inflated into a temporary copy (an np.savez_compressed member, a .nii.gz) describes its
// container, not the copy: statistics name the archive's version (size, time), and another program rewriting the
// archive is reported as a change of the session (the copy itself never changes).
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

describe('an inflated member', () => {
  it('is watched through its archive: statistics name the archive, a rewrite of it is a change', async () => {
    const file = path.join(tmp.dir, 'pack.npz')
    py(`np.savez_compressed(${JSON.stringify(file)}, x=np.arange(5000, dtype='<f4').reshape(50, 100)); print(1)`)
    const events: [string, unknown][] = []
    const s = new ArrayService({ watchIntervalMs: 0, emit: (name, payload) => events.push([name, payload]) })
    try {
      const info = await s.handle('session:open', { path: file, layout: null, array: 'x', mode: 'r' })
      const st = await s.handle('scan:stats', { session: info.session, scanId: 's1' })
      const archive = fs.statSync(file)
      // the version is the archive's (its size is not the inflated member's 20,128 bytes)
      expect(st.version).toEqual({ size: archive.size, mtimeMs: archive.mtimeMs })
      py(`np.savez_compressed(${JSON.stringify(file)}, x=np.ones((50, 100), dtype='<f4'), y=np.zeros(7)); print(1)`)
      fs.utimesSync(file, new Date(), new Date(Date.now() + 5000))
      s.checkForChanges()
      const changed = events.find(([n]) => n === 'session:changed')?.[1]
      expect(changed).toMatchObject({ session: info.session, size: fs.statSync(file).size })
    } finally {
      s.closeAll()
    }
  })
})
