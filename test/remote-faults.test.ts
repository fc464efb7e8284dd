// What networks do to remote reads, through a fault proxy of our own in front of a real nginx: 503s and dropped
// connections are retried (with backoff) and the values still equal numpy's; a server that keeps failing ends
// in a clear error, not a hang; added latency leaves a table window at ≤ 2 range requests; a scan's fill is
// cancelled by its handle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { runCli } from './helpers/cli'
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy'
import { startNginx, type Nginx } from './helpers/nginx'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
let web: Nginx
let proxy: FaultProxy
let ref: { tail: number[]; sum: number }

beforeAll(async () => {
  ref = py(`
import os
a = (np.arange(1_500_000) % 1000).astype('<f4')
for name in ['a', 'b', 'c', 'd', 'e']:
    a.tofile(os.path.join(${JSON.stringify(tmp.dir)}, name + '.f32'))
print(json.dumps({'tail': a[-4:].tolist(), 'sum': float(a.astype(np.float64).sum())}))`)
  web = await startNginx(tmp.dir)
  proxy = await startFaultProxy(web.url)
}, 60_000)

afterAll(async () => {
  await proxy?.stop()
  await web?.stop()
  tmp.cleanup()
})

const stats = async (url: string) => {
  const r = await runCli(['stats', url, '--dtype', '<f4', '--json'])
  return { ...r, s: r.code === 0 ? (JSON.parse(r.stdout) as { count: number; mean: number }) : null }
}

describe('remote reads through faults', () => {
  it('503s are retried: the statistics equal numpy', async () => {
    const r = await stats(`${proxy.url}/503-2/a.f32`)
    expect(r.stderr).toBe('')
    expect(r.s!.count).toBe(1_500_000)
    expect(r.s!.mean * 1_500_000).toBeCloseTo(ref.sum, 3)
    // the two refused requests were asked again
    expect(await proxy.count('/503-2/a.f32')).toBeGreaterThan(2)
  })

  it('a connection dropped mid-body is retried, synchronously too (show)', async () => {
    const r = await stats(`${proxy.url}/drop-1/b.f32`)
    expect(r.stderr).toBe('')
    expect(r.s!.count).toBe(1_500_000)
    const show = await runCli(['show', `${proxy.url}/drop-2/c.f32`, '--dtype', '<f4', '--slice', '-4:', '--json'])
    expect(show.stderr).toBe('')
    expect(JSON.parse(show.stdout)).toEqual(ref.tail)
  })

  it('a request that never answers is dropped after the timeout and tried again', async () => {
    process.env.ARRAYSCOPE_REMOTE_TIMEOUT_MS = '400'
    try {
      const show = await runCli(['show', `${proxy.url}/stall-1/c.f32`, '--dtype', '<f4', '--slice', '-4:', '--json'])
      expect(show.stderr).toBe('')
      expect(JSON.parse(show.stdout)).toEqual(ref.tail)
      expect(await proxy.count('/stall-1/c.f32')).toBeGreaterThanOrEqual(2)
    } finally {
      delete process.env.ARRAYSCOPE_REMOTE_TIMEOUT_MS
    }
  })

  it('a server that keeps failing ends in a clear error after bounded retries', async () => {
    const t0 = Date.now()
    const r = await stats(`${proxy.url}/503-1000/d.f32`)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/did not answer after 5 tries \(HTTP 503/)
    expect(Date.now() - t0).toBeLessThan(10_000)
  })

  it('with 50 ms of latency a window takes ≤ 2 range requests; a scan is cancelled by its handle', async () => {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const url = `${proxy.url}/delay-50/e.f32`
      const info = await s.handle('session:open', {
        path: url,
        layout: { dtype: '<f4', shape: [1500, 1000], offset: 0, order: 'C' },
        mode: 'r'
      })
      const before = await proxy.count('/delay-50/e.f32')
      const t0 = Date.now()
      const w = await s.handle('window:get', {
        session: info.session,
        view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
        row0: 1200,
        col0: 100,
        rows: 40,
        cols: 20,
        generation: 1
      })
      const ms = Date.now() - t0
      expect(await proxy.count('/delay-50/e.f32')).toBeLessThanOrEqual(before + 2)
      expect(ms).toBeLessThan(300)
      expect(Array.from(new Float32Array(w.bytes.slice().buffer)).slice(0, 3)).toEqual([100, 101, 102])
      const job = s.statsOf(info.session, s.session(info.session).layout)
      job.cancel()
      await expect(job.promise).rejects.toMatchObject({ code: 'cancelled' })
    } finally {
      s.closeAll()
    }
  })
})
