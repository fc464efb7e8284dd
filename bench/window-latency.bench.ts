// Window latency: a 60×30 window at random positions of a 64 GiB sparse file and of a 1 GiB real file,
// through the service and round trip over serve mode (WebSocket, binary frames); numpy's
// np.asarray(memmap[r:r+60, c:c+30]) side by side. Target
// (docs/architecture.md#performance-targets): < 1 ms in the service, < 5 ms round trip.
import fs from 'node:fs'
import path from 'node:path'
import WebSocket from 'ws'
import { ArrayService } from '../src/main/service/array-service'
import { startServer } from '../src/main/serve/server'
import { decodeFrame, encodeFrame } from '../src/shared/wire'
import { benchDir, ms, py, summary } from './helpers'

const ROWS = 60
const COLS = 30
const SAMPLES = 3000

interface FileCase {
  name: string
  path: string
  shape: [number, number]
}

function makeFiles(): FileCase[] {
  const dir = benchDir()
  const sparse = path.join(dir, 'sparse-64GiB.f4')
  const cols64 = 4096
  const rows64 = (64 * 2 ** 30) / 4 / cols64
  if (!fs.existsSync(sparse) || fs.statSync(sparse).size !== 64 * 2 ** 30) {
    const fd = fs.openSync(sparse, 'w')
    fs.ftruncateSync(fd, 64 * 2 ** 30)
    fs.closeSync(fd)
  }
  const real = path.join(dir, 'real-1GiB.f4')
  const cols1 = 1024
  const rows1 = 2 ** 30 / 4 / cols1
  if (!fs.existsSync(real) || fs.statSync(real).size !== 2 ** 30) {
    py(
      `np.random.default_rng(0).standard_normal(${rows1 * cols1}, dtype=np.float32).tofile(${JSON.stringify(real)}); print(1)`
    )
  }
  return [
    { name: '64 GiB sparse <f4 (4194304 × 4096)', path: sparse, shape: [rows64, cols64] },
    { name: '1 GiB real <f4 (262144 × 1024)', path: real, shape: [rows1, cols1] }
  ]
}

function positions(shape: [number, number], n: number, seed: number): [number, number][] {
  let s = seed
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648
    return s / 2147483648
  }
  return Array.from({ length: n }, () => [
    Math.floor(rand() * (shape[0] - ROWS)),
    Math.floor(rand() * (shape[1] - COLS))
  ])
}

async function main(): Promise<void> {
  const files = makeFiles()
  const service = new ArrayService({ watchIntervalMs: 0 })
  const server = await startServer({ service, rendererDir: path.join(__dirname, '..', '..', 'out', 'renderer') })
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`)
  await new Promise((r) => ws.once('open', r))
  const pending = new Map<number, () => void>()
  ws.on('message', (data: Buffer) => {
    const msg = decodeFrame(new Uint8Array(data)) as { id: number; ok: boolean }
    if (!msg.ok) throw new Error(JSON.stringify(msg))
    pending.get(msg.id)?.()
    pending.delete(msg.id)
  })
  let nextId = 1
  for (const f of files) {
    const s = await service.handle('session:open', {
      path: f.path,
      layout: { dtype: '<f4', shape: f.shape, offset: 0, order: 'C' },
      mode: 'r'
    })
    const view = { rowAxis: 0, colAxis: 1, index: [0, 0] }
    const request = (row0: number, col0: number, generation: number) => ({
      session: s.session,
      generation,
      view,
      row0,
      rows: ROWS,
      col0,
      cols: COLS
    })
    const pos = positions(f.shape, SAMPLES, 42)
    // first touch: pages never read since the file was opened (a fresh region of a huge file)
    const cold: number[] = []
    for (const [k, [r, c]] of pos.entries()) {
      const t0 = process.hrtime.bigint()
      await service.handle('window:get', request(r + ROWS, c, k))
      cold.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    // warm: the same positions again (page cache and JIT warm, as when scrolling back)
    for (const [r, c] of pos) await service.handle('window:get', request(r, c, 0))
    const local: number[] = []
    for (const [k, [r, c]] of pos.entries()) {
      const t0 = process.hrtime.bigint()
      await service.handle('window:get', request(r, c, k))
      local.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    const remote: number[] = []
    for (const [k, [r, c]] of pos.entries()) {
      const id = nextId++
      const t0 = process.hrtime.bigint()
      await new Promise<void>((resolve) => {
        pending.set(id, resolve)
        ws.send(encodeFrame({ id, channel: 'window:get', request: request(r, c, k) }))
      })
      remote.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    const np = py<number[]>(`
m = np.memmap(${JSON.stringify(f.path)}, dtype='<f4', mode='r', shape=(${f.shape[0]}, ${f.shape[1]}))
pos = ${JSON.stringify(pos)}
for r, c in pos[:200]: np.asarray(m[r:r+${ROWS}, c:c+${COLS}]).copy()
out = []
for r, c in pos:
    t0 = time.perf_counter(); np.asarray(m[r:r+${ROWS}, c:c+${COLS}]).copy(); out.append((time.perf_counter() - t0) * 1e3)
print(json.dumps(out))`)
    const z = summary(cold)
    const a = summary(local)
    const b = summary(remote)
    const n = summary(np)
    console.log(`${f.name}, ${SAMPLES} windows of ${ROWS}×${COLS}`)
    console.log(`  service, first touch: p50 ${ms(z.p50)}  p99 ${ms(z.p99)}   (pages never read before)`)
    console.log(`  service:             p50 ${ms(a.p50)}  p99 ${ms(a.p99)}   (target < 1 ms)`)
    console.log(`  serve round trip:    p50 ${ms(b.p50)}  p99 ${ms(b.p99)}   (target < 5 ms)`)
    console.log(`  numpy memmap slice:  p50 ${ms(n.p50)}  p99 ${ms(n.p99)}`)
    console.log(`  ratio service/numpy: p50 ${(a.p50 / n.p50).toFixed(2)}×  p99 ${(a.p99 / n.p99).toFixed(2)}×`)
    await service.handle('session:close', { session: s.session })
  }
  console.log(`Node RSS after the run: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`)
  ws.close()
  await server.close()
  service.closeAll()
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
