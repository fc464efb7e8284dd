// Serve mode's --remote policy against real servers: without --remote no URL is read; with it, only URLs under
// its prefixes, and a redirect from inside to outside them is not followed. The built server prints the policy
// at start, as it does --root's.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { runCli } from './helpers/cli'
import { startNginx, type Nginx } from './helpers/nginx'
import { tempDir } from './helpers/numpy'
import { connect, startServed } from './helpers/served'

const tmp = tempDir()
const other = tempDir()
let web: Nginx
let outside: Nginx

beforeAll(async () => {
  fs.mkdirSync(path.join(tmp.dir, 'data'))
  const f32 = new Float32Array([1.5, -2, 3.25, 4])
  fs.writeFileSync(path.join(tmp.dir, 'data', 'a.f32'), f32)
  fs.writeFileSync(path.join(tmp.dir, 'secret.f32'), f32)
  fs.writeFileSync(path.join(other.dir, 'x.f32'), f32)
  outside = await startNginx(other.dir)
  web = await startNginx(
    tmp.dir,
    `location = /data/hop.f32 { return 302 ${outside.url}/x.f32; }
    location = /data/inside.f32 { return 302 /data/a.f32; }`
  )
}, 60_000)

afterAll(async () => {
  await web?.stop()
  await outside?.stop()
  tmp.cleanup()
  other.cleanup()
})

const layout = { dtype: '<f4', shape: null, offset: 0, order: 'C' as const }

describe('serve --remote', () => {
  it('refuses every URL without --remote, and URLs outside its prefixes with it', async () => {
    const none = new ArrayService({ watchIntervalMs: 0, remote: [] })
    const some = new ArrayService({ watchIntervalMs: 0, remote: [`${web.url}/data/`] })
    try {
      await expect(none.handle('file:probe', { path: `${web.url}/data/a.f32` })).rejects.toMatchObject({
        code: 'permission',
        message: expect.stringMatching(/reads no remote objects; start it with --remote PREFIX/)
      })
      await expect(some.handle('file:probe', { path: `${web.url}/secret.f32` })).rejects.toMatchObject({
        code: 'permission',
        message: expect.stringMatching(/not under a prefix this server may read/)
      })
      // a prefix is a folder: /data/ does not allow /database
      await expect(some.handle('file:probe', { path: `${web.url}/data-other/a.f32` })).rejects.toMatchObject({
        code: 'permission'
      })
      const p = await some.handle('file:probe', { path: `${web.url}/data/a.f32` })
      expect(p.size).toBe(16)
      const info = await some.handle('session:open', { path: `${web.url}/data/a.f32`, layout, mode: 'r' })
      expect(info.path).toBe(`${web.url}/data/a.f32`)
    } finally {
      none.closeAll()
      some.closeAll()
    }
  })

  it('follows a redirect only inside the allowed prefixes', async () => {
    const s = new ArrayService({ watchIntervalMs: 0, remote: [`${web.url}/data/`] })
    try {
      await expect(s.handle('file:probe', { path: `${web.url}/data/hop.f32` })).rejects.toMatchObject({
        code: 'permission',
        message: expect.stringMatching(/redirects to http:\/\/127\.0\.0\.1:\d+\/x\.f32, outside the prefixes/)
      })
      const p = await s.handle('file:probe', { path: `${web.url}/data/inside.f32` })
      expect(p.size).toBe(16)
    } finally {
      s.closeAll()
    }
    // the CLI and the desktop app follow any redirect (no policy)
    const r = await runCli(['show', `${web.url}/data/hop.f32`, '--dtype', '<f4', '--json'])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual([1.5, -2, 3.25, 4])
  })

  it('the built server prints the policy, refuses a URL FILE outside it, and reads one inside it', async () => {
    const refused = await runCli(['serve', `${web.url}/data/a.f32`, '--dtype', '<f4'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/is not under a --remote prefix: allow it with --remote PREFIX/)
    const served = await startServed(['--remote', `${web.url}/data/`, '--remote', 's3://bucket/models/'])
    try {
      expect(served.stdout).toContain(`Remote objects: only under ${web.url}/data/, s3://bucket/models/`)
      const c = await connect(served)
      const bad = await c.call('file:probe', { path: `${web.url}/secret.f32` })
      expect(JSON.stringify(bad)).toMatch(/not under a prefix this server may read/)
      const info = (await c.call('session:open', { path: `${web.url}/data/a.f32`, layout, mode: 'r' })) as {
        result?: { session: string }
      }
      expect(JSON.stringify(info)).toContain('"format":"raw"')
      await c.close()
    } finally {
      await served.stop()
    }
  })
})
