// The optional disk cache of remote objects (ARRAYSCOPE_REMOTE_CACHE): a second run on the same URL fetches only
// the first block (to learn the object's validator) and reads the rest from the cached copy; an object replaced
// on the server starts a new copy, whose values are the new ones. Through a counting proxy in front of nginx.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeRemotes } from '../src/main/service/remote-sources'
import { runCli } from './helpers/cli'
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy'
import { startNginx, type Nginx } from './helpers/nginx'
import { tempDir } from './helpers/numpy'

const tmp = tempDir()
const cache = tempDir()
let web: Nginx
let proxy: FaultProxy

beforeAll(async () => {
  fs.writeFileSync(path.join(tmp.dir, 'x.f32'), new Float32Array(1_000_000).fill(2))
  web = await startNginx(tmp.dir)
  proxy = await startFaultProxy(web.url)
  process.env.ARRAYSCOPE_REMOTE_CACHE = cache.dir
}, 60_000)

afterAll(async () => {
  delete process.env.ARRAYSCOPE_REMOTE_CACHE
  closeRemotes()
  await proxy?.stop()
  await web?.stop()
  tmp.cleanup()
  cache.cleanup()
})

const mean = async (url: string): Promise<number> => {
  const r = await runCli(['stats', url, '--dtype', '<f4', '--json'])
  expect(r.stderr).toBe('')
  return (JSON.parse(r.stdout) as { mean: number }).mean
}

describe('ARRAYSCOPE_REMOTE_CACHE', () => {
  it('a second run reads the cached copy; a replaced object starts anew', async () => {
    const url = `${proxy.url}/delay-0/x.f32`
    expect(await mean(url)).toBe(2)
    const first = await proxy.count('/delay-0/x.f32')
    expect(first).toBeGreaterThan(1)
    // as a new process would find it: nothing open, the cache on disk
    closeRemotes()
    expect(await mean(url)).toBe(2)
    expect(await proxy.count('/delay-0/x.f32')).toBe(first + 1)
    closeRemotes()
    // replaced on the server (a new ETag): read again, the new values
    const file = path.join(tmp.dir, 'x.f32')
    fs.writeFileSync(`${file}.new`, new Float32Array(1_000_000).fill(3))
    fs.renameSync(`${file}.new`, file)
    fs.utimesSync(file, new Date(), new Date(Date.now() + 10_000))
    expect(await mean(url)).toBe(3)
    expect(await proxy.count('/delay-0/x.f32')).toBeGreaterThan(first + 2)
  })
})
