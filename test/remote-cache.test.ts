// The optional disk cache of remote objects (ARRAYSCOPE_REMOTE_CACHE): a second run on the same URL fetches only
// the first block (to learn the object's validator) and reads the rest from the cached copy; an object replaced
// on the server starts a new copy, whose values are the new ones; ARRAYSCOPE_REMOTE_CACHE_MAX bounds the folder,
// removing the least recently used blocks. Through a counting proxy in front of nginx.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { closeRemotes } from '../src/main/service/remote-sources'
import { runCli } from './helpers/cli'
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy'
import { startNginx, type Nginx } from './helpers/nginx'
import { tempDir } from './helpers/numpy'

const tmp = tempDir()
const cache = tempDir()
const bounded = tempDir()
let web: Nginx
let proxy: FaultProxy

beforeAll(async () => {
  fs.writeFileSync(path.join(tmp.dir, 'x.f32'), new Float32Array(1_000_000).fill(2))
  // 8 blocks of 1 MiB, block b holding the value b
  const y = new Float32Array(8 * BLOCK_ELEMS)
  for (let b = 0; b < 8; b++) y.fill(b, b * BLOCK_ELEMS, (b + 1) * BLOCK_ELEMS)
  fs.writeFileSync(path.join(tmp.dir, 'y.f32'), y)
  web = await startNginx(tmp.dir)
  proxy = await startFaultProxy(web.url)
  process.env.ARRAYSCOPE_REMOTE_CACHE = cache.dir
}, 60_000)

afterAll(async () => {
  delete process.env.ARRAYSCOPE_REMOTE_CACHE
  delete process.env.ARRAYSCOPE_REMOTE_CACHE_MAX
  closeRemotes()
  await proxy?.stop()
  await web?.stop()
  tmp.cleanup()
  cache.cleanup()
  bounded.cleanup()
})

const BLOCK_ELEMS = (1 << 20) / 4

/** The disk a folder's files use (holes of a sparse file not counted). */
const cacheUse = (dir: string): number =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .reduce((a, d) => a + fs.statSync(path.join(d.parentPath, d.name)).blocks * 512, 0)

const mean = async (url: string, slice?: string): Promise<number> => {
  const r = await runCli(['stats', url, '--dtype', '<f4', '--json', ...(slice ? ['--slice', slice] : [])])
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
    // a pass over cached blocks counts them as fetched: its progress reaches its total, and no request but the first
    const events: { scanId: string; done: number; total: number }[] = []
    const s = new ArrayService({
      watchIntervalMs: 0,
      emit: (e, p) => void (e === 'scan:progress' && events.push(p as (typeof events)[number]))
    })
    try {
      const layout = { dtype: '<f4', shape: null, offset: 0, order: 'C' as const }
      const info = await s.handle('session:open', { path: url, layout, mode: 'r' })
      const st = await s.handle('scan:stats', { session: info.session, scanId: 'c1' })
      expect(st.mean).toBe(2)
      const last = events.filter((e) => e.scanId === 'c1').at(-1)
      expect(last && last.total > 0 && last.done === last.total).toBe(true)
      expect(await proxy.count('/delay-0/x.f32')).toBe(first + 2)
    } finally {
      s.closeAll()
      closeRemotes()
    }
    // replaced on the server (a new ETag): read again, the new values
    const file = path.join(tmp.dir, 'x.f32')
    fs.writeFileSync(`${file}.new`, new Float32Array(1_000_000).fill(3))
    fs.renameSync(`${file}.new`, file)
    fs.utimesSync(file, new Date(), new Date(Date.now() + 10_000))
    expect(await mean(url)).toBe(3)
    expect(await proxy.count('/delay-0/x.f32')).toBeGreaterThan(first + 3)
  })

  it('ARRAYSCOPE_REMOTE_CACHE_MAX bounds the folder: least recently used blocks leave first', async () => {
    process.env.ARRAYSCOPE_REMOTE_CACHE = bounded.dir
    process.env.ARRAYSCOPE_REMOTE_CACHE_MAX = '3M'
    const url = `${proxy.url}/delay-0/y.f32`
    const block = (b: number): string => `${b * BLOCK_ELEMS}:${(b + 1) * BLOCK_ELEMS}`
    const requests = (): Promise<number> => proxy.count('/delay-0/y.f32')
    try {
      // an 8 MiB object read whole through a 3 MiB cache: right values, the folder never over its bound
      expect(await mean(url)).toBe(3.5)
      expect(cacheUse(bounded.dir)).toBeLessThanOrEqual(3 << 20)
      expect(cacheUse(bounded.dir)).toBeGreaterThan(0)
      closeRemotes()
      // the last blocks read are kept: a new run reads them without a request (its first block is the one)
      let n = await requests()
      expect(await mean(url, block(7))).toBe(7)
      expect(await mean(url, block(6))).toBe(6)
      expect(await requests()).toBe(n + 1)
      // block 1 is fetched and makes room: block 7, used before 6, leaves; 6 stays
      expect(await mean(url, block(1))).toBe(1)
      expect(cacheUse(bounded.dir)).toBeLessThanOrEqual(3 << 20)
      closeRemotes()
      n = await requests()
      expect(await mean(url, block(6))).toBe(6)
      expect(await requests()).toBe(n + 1)
      expect(await mean(url, block(7))).toBe(7)
      expect(await requests()).toBe(n + 2)
      closeRemotes()
      process.env.ARRAYSCOPE_REMOTE_CACHE_MAX = 'lots'
      const r = await runCli(['stats', url, '--dtype', '<f4'])
      expect(r.stderr).toMatch(/ARRAYSCOPE_REMOTE_CACHE_MAX=lots is not a size/)
    } finally {
      process.env.ARRAYSCOPE_REMOTE_CACHE = cache.dir
      delete process.env.ARRAYSCOPE_REMOTE_CACHE_MAX
      closeRemotes()
    }
  })

  it('memory and the cache folder stay bounded whatever the object size: statistics of 512 MiB through a 16 MiB cache', async () => {
    // sparse on the server's disk: 512 MiB of zeros on no disk, with a few values at its end
    const file = path.join(tmp.dir, 'big.f32')
    fs.writeFileSync(file, '')
    fs.truncateSync(file, 512 << 20)
    const fd = fs.openSync(file, 'r+')
    fs.writeSync(fd, new Float32Array([4, 4, 4, 4]), 0, 16, (512 << 20) - 16)
    fs.closeSync(fd)
    process.env.ARRAYSCOPE_REMOTE_CACHE = bounded.dir
    process.env.ARRAYSCOPE_REMOTE_CACHE_MAX = '16M'
    let peak = 0
    const base = process.memoryUsage().arrayBuffers
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)), 5)
    try {
      const r = await runCli(['stats', `${web.url}/big.f32`, '--dtype', '<f4', '--json'])
      expect(r.stderr).toBe('')
      expect((JSON.parse(r.stdout) as { max: number }).max).toBe(4)
      // the fetched bytes went to the object's copy and the cache's files, not to memory: at most the requests
      // in flight (6 of 8 MiB) and what the collector has not freed yet (~90 MiB measured for 256 and 512 MiB)
      expect(peak).toBeLessThan(200 << 20)
      expect(cacheUse(bounded.dir)).toBeLessThanOrEqual(16 << 20)
    } finally {
      clearInterval(sample)
      process.env.ARRAYSCOPE_REMOTE_CACHE = cache.dir
      delete process.env.ARRAYSCOPE_REMOTE_CACHE_MAX
      closeRemotes()
      fs.rmSync(file)
    }
  })
})
