// Statistics of remote arrays streamed over the network (remote-scan.ts) against a real nginx on 127.0.0.1: the
// ranges are scanned as they arrive and merged, so the results must equal those of the same file read locally
// (counts, min, max and histograms exactly; mean and std to rounding), nothing is written to the object's copy,
// bytes a window already fetched are not fetched again, progress reaches the total and cancel stops the pass.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { remoteStats } from '../src/main/service/remote-fetch'
import { rawPool, rawRange, rawStats } from '../src/main/service/remote-raw'
import { runCli } from './helpers/cli'
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy'
import { startNginx, type Nginx } from './helpers/nginx'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
let web: Nginx
let proxy: FaultProxy
const BIG = 18 << 20 // five 16 MiB-ish pieces over four lanes: a lane scans twice into its slot
const f4 = { dtype: '<f4', shape: null, offset: 0, order: 'C' } as const

beforeAll(async () => {
  py(`
import os
d = ${JSON.stringify(tmp.dir)}
rng = np.random.default_rng(31)
a = (rng.standard_normal(${BIG}) * 3 + 1).astype('<f4')
a[::1_000_003] = np.nan; a[5::2_000_003] = np.inf; a[7::3_000_017] = -np.inf
a.tofile(os.path.join(d, 'big.f32'))
b = rng.standard_normal(1_500_000).astype('>f4'); b[10] = np.nan
b.tofile(os.path.join(d, 'be.f32'))
print(1)`)
  web = await startNginx(tmp.dir)
  proxy = await startFaultProxy(web.url)
}, 60_000)

afterAll(async () => {
  await proxy?.stop()
  await web?.stop()
  tmp.cleanup()
})

type Json = {
  count: number
  min: number
  max: number
  mean: number
  std: number
  nan: number
  posinf: number
  neginf: number
  histogram?: { counts: number[]; edges: number[] }
}

async function statsJson(file: string, extra: string[]): Promise<Json> {
  const r = await runCli(['stats', file, ...extra, '--json'])
  expect(r.stderr).toBe('')
  return JSON.parse(r.stdout) as Json
}

function expectSame(remote: Json, local: Json): void {
  const { mean, std, ...exact } = remote
  const { mean: m, std: s, ...localExact } = local
  expect(exact).toEqual(localExact)
  expect(mean).toBeCloseTo(m, 9)
  expect(std).toBeCloseTo(s, 9)
}

describe('remote statistics streamed over the network', () => {
  it('equal those of the local file, little and big endian, with a histogram over a given range', async () => {
    const local = path.join(tmp.dir, 'big.f32')
    const flags = ['--dtype', '<f4', '--bins', '24', '--range', '-8,10']
    expectSame(await statsJson(`${web.url}/big.f32`, flags), await statsJson(local, flags))
    expectSame(await statsJson(`${web.url}/big.f32`, ['--dtype', '<f4']), await statsJson(local, ['--dtype', '<f4']))
    // through Node's HTTP client instead of raw sockets (ARRAYSCOPE_REMOTE_RAW=0): the same
    process.env.ARRAYSCOPE_REMOTE_RAW = '0'
    const raw = rawStats.done
    try {
      const viaHttp = await statsJson(`${web.url}/big.f32?node-http`, ['--dtype', '<f4'])
      expectSame(viaHttp, await statsJson(local, ['--dtype', '<f4']))
      expect(rawStats.done).toBe(raw)
    } finally {
      delete process.env.ARRAYSCOPE_REMOTE_RAW
    }
    const be = ['--dtype', '>f4']
    expectSame(await statsJson(`${web.url}/be.f32`, be), await statsJson(path.join(tmp.dir, 'be.f32'), be))
  })

  it('with a histogram of its own range, over an object larger than the temporary copy may grow: two streamed passes', async () => {
    const flags = ['--dtype', '<f4', '--bins', '16']
    const local = await statsJson(path.join(tmp.dir, 'big.f32'), flags)
    const saved = process.env.ARRAYSCOPE_TEMP_MAX
    process.env.ARRAYSCOPE_TEMP_MAX = '8M'
    try {
      // a new URL: a new object, whose copy takes the cap of now
      expectSame(await statsJson(`${web.url}/big.f32?capped`, flags), local)
    } finally {
      if (saved === undefined) delete process.env.ARRAYSCOPE_TEMP_MAX
      else process.env.ARRAYSCOPE_TEMP_MAX = saved
    }
  })

  it('read past the copy: nothing written to it, what a window fetched not fetched again, progress to the end', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: `${web.url}/big.f32`, layout: f4, mode: 'r' })
      const store = s.session(info.session).source.remoteObject!
      const size = BIG * 4
      // a table window in the middle fetches its block into the copy
      await s.handle('window:get', {
        session: info.session,
        view: { rowAxis: 0, colAxis: null, index: [0] },
        row0: 9_000_000,
        col0: 0,
        rows: 40,
        cols: 1,
        generation: 1
      })
      const held = size - store.missingBytes(0, size)
      expect(held).toBeGreaterThan(0)
      const before = remoteStats.bytes
      const seen: [number, number][] = []
      // the scratch the ranges land in is unlinked once mapped: nothing a killed process could leave behind
      const named: string[] = []
      const scratch = (): string[] =>
        ['/dev/shm', os.tmpdir()].flatMap((d) =>
          fs.existsSync(d) ? fs.readdirSync(d).filter((n) => n.startsWith(`arrayscope-scan-${process.pid}-`)) : []
        )
      const stats = await s.statsOf(info.session, s.session(info.session).layout, {
        onProgress: (d, t) => {
          seen.push([d, t])
          named.push(...scratch())
        }
      }).promise
      expect(named).toEqual([])
      expect(remoteStats.bytes - before).toBe(size - held)
      // streamed: the copy holds what the window put there, no more
      expect(size - store.missingBytes(0, size)).toBe(held)
      expect(seen.at(-1)).toEqual([BIG, BIG])
      expect(seen.every(([d], k) => k === 0 || d > seen[k - 1]![0])).toBe(true)
      const local = await statsJson(path.join(tmp.dir, 'big.f32'), ['--dtype', '<f4'])
      const { count, min, max, mean, std, nan, posinf, neginf } = stats
      expectSame({ count, min, max, mean, std, nan, posinf, neginf } as Json, local)
    } finally {
      s.closeAll()
    }
  })

  it('a pass cancelled while ranges arrive ends as cancelled, and the next one completes', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', { path: `${proxy.url}/delay-50/big.f32`, layout: f4, mode: 'r' })
      const ref: { job?: ReturnType<ArrayService['statsOf']> } = {}
      const job = s.statsOf(info.session, s.session(info.session).layout, { onProgress: () => ref.job?.cancel() })
      ref.job = job
      await expect(job.promise).rejects.toMatchObject({ code: 'cancelled' })
      const again = await s.statsOf(info.session, s.session(info.session).layout).promise
      expect(again.count).toBe(BIG)
    } finally {
      s.closeAll()
    }
  })

  it('a range dropped mid-body or never answered in the middle of a streamed pass is read again', async () => {
    const local = await statsJson(path.join(tmp.dir, 'big.f32'), ['--dtype', '<f4'])
    const raw = rawStats.done
    // the 1st request opens the object, the next ones are the pass's ranges: the 3rd is cut off halfway
    expectSame(await statsJson(`${proxy.url}/dropnth-3/big.f32`, ['--dtype', '<f4']), local)
    // the pass's ranges went over raw sockets (remote-raw.ts), the one cut off too when read again
    expect(rawStats.done - raw).toBe(5)
    expect(await proxy.count('/dropnth-3/big.f32')).toBeGreaterThanOrEqual(7)
    process.env.ARRAYSCOPE_REMOTE_TIMEOUT_MS = '400'
    try {
      expectSame(await statsJson(`${proxy.url}/stallnth-4/big.f32`, ['--dtype', '<f4']), local)
      expect(await proxy.count('/stallnth-4/big.f32')).toBeGreaterThanOrEqual(7)
    } finally {
      delete process.env.ARRAYSCOPE_REMOTE_TIMEOUT_MS
    }
  })

  it('a raw range lands whole in its target: the bytes read with the headers copied, the rest read in place', async () => {
    const file = fs.readFileSync(path.join(tmp.dir, 'big.f32'))
    // several MiB past the connection's 64 KiB header buffer, at an odd offset, into a view inside a larger array
    const offset = 1001
    const length = (3 << 20) + 5
    const outer = new Uint8Array(length + 100).fill(0xa5)
    const target = outer.subarray(50, 50 + length)
    const copied = rawStats.copied
    const r = await rawRange({
      url: new URL(`${web.url}/big.f32`),
      headers: { range: `bytes=${offset}-${offset + length - 1}` },
      offset,
      length,
      current: () => true,
      target,
      signal: undefined
    })
    expect(r).toBe('done')
    expect(Buffer.from(target).equals(file.subarray(offset, offset + length))).toBe(true)
    // nothing written outside the target
    expect(outer.subarray(0, 50).every((b) => b === 0xa5)).toBe(true)
    expect(outer.subarray(50 + length).every((b) => b === 0xa5)).toBe(true)
    // only what came in the headers' read (at most the 64 KiB header buffer) was copied
    expect(rawStats.copied - copied).toBeLessThanOrEqual(64 << 10)
  })

  it('a kept socket taken again is not dropped by the idle timer of its earlier rest', async () => {
    const saved = rawPool.idleMs
    rawPool.idleMs = 300
    const read = (url: string): Promise<'done' | 'other'> =>
      rawRange({
        url: new URL(url),
        headers: { range: 'bytes=0-4095' },
        offset: 0,
        length: 4096,
        current: () => true,
        target: new Uint8Array(4096),
        signal: undefined
      })
    try {
      expect(await read(`${proxy.url}/be.f32`)).toBe('done')
      // the same socket (same host and port), answered after 600 ms: the first rest's timer fires meanwhile
      expect(await read(`${proxy.url}/delay-600/be.f32`)).toBe('done')
      expect(await proxy.count('/delay-600/be.f32')).toBe(1)
    } finally {
      rawPool.idleMs = saved
    }
  })
})
