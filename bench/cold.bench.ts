// Whole-file passes on a file that is not in memory (its pages evicted before each timed run) and warm, side by
// side in one run with the disk limit (`cat FILE > /dev/null`), numpy (min()+max(), tofile) and `grep -c`.
// Targets (cold): statistics ≤ 1.3× cat and ≤ numpy min()+max(); find ≤ 1.3× cat; raw export ≤ numpy tofile.
// The disk here is shared and its speed varies run to run, so every figure is the median of REPEAT runs taken
// in turns (cat, numpy, ArrayScope, …), and the ratios are of those medians.
//
// Opt-in, not in CI: ARRAYSCOPE_BENCH_BIG=32 also makes a 32 GiB file (larger than this machine's memory;
// ARRAYSCOPE_BENCH_BIG_DIR picks the folder) and prints GB/s, the RSS of both processes and the latency of
// table windows requested while the statistics pass runs.
import { execFileSync, execSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { resolveLayout } from '../src/shared/layout'
import { ArrayService } from '../src/main/service/array-service'
import { exportView } from '../src/main/service/export'
import { runCondition } from '../src/main/service/along'
import { runFind } from '../src/main/service/find'
import { native } from '../src/main/service/native'
import { runBlocks, runBuckets, runStats } from '../src/main/service/scan'
import { benchDir, coldWarm, py, summary, timed, type BenchRow } from './helpers'
import { evict } from '../test/helpers/page-cache'
import { pythonPath } from '../test/helpers/python'

const REPEAT = Number(process.env.ARRAYSCOPE_BENCH_REPEAT ?? 3)
const GiB = 2 ** 30

/** numpy's time for one operation on the file (measured inside python, without its start-up). */
function numpy(file: string, op: 'minmax' | 'tofile', out = ''): number {
  return py<number>(`
a = np.memmap(${JSON.stringify(file)}, dtype='<f4', mode='r')
t0 = time.perf_counter()
${op === 'minmax' ? 'a.min(); a.max()' : `a.tofile(${JSON.stringify(out)})`}
print(json.dumps((time.perf_counter() - t0) * 1e3))`)
}

function makeFile(file: string, bytes: number): void {
  if (fs.existsSync(file) && fs.statSync(file).size === bytes) return
  console.log(`  (writing ${bytes / GiB} GiB of float32 noise to ${file}…)`)
  py(`
rng = np.random.default_rng(1)
with open(${JSON.stringify(file + '.part')}, 'wb') as f:
    for k in range(${bytes / GiB}):
        rng.standard_normal(2**28, dtype=np.float32).tofile(f)
print(1)`)
  fs.renameSync(file + '.part', file)
}

const NEEDLE = 'ArrayScope-needle-not-there'

async function main(): Promise<void> {
  const dir = benchDir()
  const file = path.join(dir, 'cold-4GiB.f4')
  makeFile(file, 4 * GiB)
  const size = fs.statSync(file).size
  const n = size / 4
  const flat = resolveLayout({ dtype: '<f4', shape: null, offset: 0, order: 'C' }, size)
  const square = resolveLayout({ dtype: '<f4', shape: [32768, 32768], offset: 0, order: 'C' }, size)
  const out = path.join(dir, 'cold-export')
  const m = new (native().Mapping)(file, 'r')
  m.advise('random') // as the app maps files for browsing
  const settle = (): void => {
    for (const f of ['.bin', '.np.bin', '.cp.bin']) fs.rmSync(out + f, { force: true })
    execSync('sync')
  }

  const rows: BenchRow[] = [
    { name: 'cat FILE > /dev/null', run: () => execSync(`cat ${JSON.stringify(file)} > /dev/null`) },
    { name: 'numpy min()+max()', run: () => undefined, ms: () => numpy(file, 'minmax') },
    { name: 'stats pass', run: () => runStats(m, flat).promise },
    {
      name: 'stats + 256-bin histogram, one pass',
      run: () => runStats(m, flat, { bins: 256, range: [-6, 6] }).promise
    },
    { name: 'line plot, 2000 min/max buckets', run: () => runBuckets(m, flat, 0, n, 2000).promise },
    { name: 'heatmap blocks 400×800 of 32768²', run: () => runBlocks(m, square, 400, 800, 'mean').promise },
    {
      name: 'statistics of an F-order 32768² view',
      run: () => runStats(m, { ...square, strides: [4, 4 * 32768] }).promise
    },
    {
      name: 'find > 1e30 in F-order 32768² view',
      run: () =>
        runCondition(
          { mapping: m },
          { ...square, strides: [4, 4 * 32768] },
          { condition: 'gt', value: 1e30, start: 0, backwards: false }
        ).promise
    },
    {
      name: 'find text (no match)',
      run: () => runFind(m, flat, { kind: 'text', text: NEEDLE, start: 0, backwards: false }).promise
    },
    {
      name: 'grep -c -F (no match)',
      run: () => spawnSync('grep', ['-c', '-a', '-F', NEEDLE, file], { env: { ...process.env, LC_ALL: 'C' } })
    },
    { name: 'raw export', run: () => exportView(m, flat, { as: 'raw', out: out + '.bin' }) },
    { name: 'numpy tofile', run: () => undefined, ms: () => numpy(file, 'tofile', out + '.np.bin') },
    // the kernel's own copy (coreutils cp: copy_file_range), what copying the file costs on this disk
    { name: 'cp FILE (export limit)', run: () => execFileSync('cp', [file, out + '.cp.bin']) }
  ]
  const only = process.env.ARRAYSCOPE_BENCH_ONLY?.split(',')
  if (only)
    rows.splice(0, rows.length, ...rows.filter((r) => r.name.startsWith('cat') || only.some((o) => r.name.includes(o))))
  const times = await coldWarm(rows, REPEAT, {
    cold: () => evict(file, m),
    warm: () => execSync(`cat ${JSON.stringify(file)} > /dev/null`), // every page in memory
    before: (row) => {
      if (['export', 'tofile', 'cp '].some((w) => row.name.includes(w))) settle()
    }
  })
  settle()
  m.close()

  const sec = (x: number): string => `${(x / 1000).toFixed(2)} s`
  const gbs = (x: number): string => `${(size / (x / 1000) / 1e9).toFixed(2)} GB/s`
  console.log(`4 GiB float32 (${n} values), median of ${REPEAT} runs taken in turns; cold = pages evicted first`)
  console.log(`  ${'operation'.padEnd(40)} ${'cold'.padStart(9)} ${'(rate)'.padStart(11)} ${'warm'.padStart(9)}`)
  for (const row of rows) {
    const c = times.cold(row.name)
    const w = times.warm(row.name)
    if (Number.isNaN(c)) continue
    console.log(`  ${row.name.padEnd(40)} ${sec(c).padStart(9)} ${gbs(c).padStart(11)} ${sec(w).padStart(9)}`)
  }
  const cat = times.cold('cat FILE > /dev/null')
  const ratio = (a: string, b: number, target: string): string => `${(times.cold(a) / b).toFixed(2)}× (${target})`
  console.log('  cold ratios:')
  console.log(`    stats pass / cat:                     ${ratio('stats pass', cat, 'target ≤ 1.3×')}`)
  console.log(
    `    stats pass / numpy min()+max():       ${ratio('stats pass', times.cold('numpy min()+max()'), 'target ≤ 1.0×')}`
  )
  console.log(
    `    stats + histogram (1 pass) / cat:     ${ratio('stats + 256-bin histogram, one pass', cat, 'target ≤ 1.3×')}`
  )
  console.log(
    `    line-plot buckets / cat:              ${ratio('line plot, 2000 min/max buckets', cat, 'whole-file pass')}`
  )
  console.log(
    `    heatmap blocks / cat:                 ${ratio('heatmap blocks 400×800 of 32768²', cat, 'whole-file pass')}`
  )
  console.log(
    `    F-order statistics / cat:             ${ratio('statistics of an F-order 32768² view', cat, 'file order')}`
  )
  console.log(
    `    F-order find by condition / cat:      ${ratio('find > 1e30 in F-order 32768² view', cat, 'file order')}`
  )
  console.log(`    find / cat:                           ${ratio('find text (no match)', cat, 'target ≤ 1.3×')}`)
  console.log(
    `    find / grep -c:                       ${ratio('find text (no match)', times.cold('grep -c -F (no match)'), 'peer')}`
  )
  console.log(
    `    raw export / numpy tofile:            ${ratio('raw export', times.cold('numpy tofile'), 'target ≤ 1.0×')}`
  )
  console.log(
    `    raw export / cp:                      ${ratio('raw export', times.cold('cp FILE (export limit)'), 'copy limit')}`
  )
  const wr = (a: string, b: string): string => (times.warm(a) / times.warm(b)).toFixed(2)
  console.log('  warm ratios (same run):')
  console.log(`    stats pass / numpy min()+max():       ${wr('stats pass', 'numpy min()+max()')}×`)
  console.log(
    `    stats + histogram / numpy min()+max(): ${wr('stats + 256-bin histogram, one pass', 'numpy min()+max()')}×`
  )
  console.log(`    raw export / numpy tofile:            ${wr('raw export', 'numpy tofile')}×`)
  console.log(`    raw export / cp:                      ${wr('raw export', 'cp FILE (export limit)')}×`)

  const big = Number(process.env.ARRAYSCOPE_BENCH_BIG ?? 0)
  if (big > 0) await bigFile(big)
}

/** A file larger than memory: one cold statistics pass with windows requested meanwhile; RSS of both sides. */
async function bigFile(gib: number): Promise<void> {
  const dir = process.env.ARRAYSCOPE_BENCH_BIG_DIR ?? benchDir()
  const file = path.join(dir, `cold-${gib}GiB.f4`)
  makeFile(file, gib * GiB)
  const size = fs.statSync(file).size
  const memTotal = Number(/MemTotal:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024
  console.log(`\n${gib} GiB float32 file (this machine has ${(memTotal / GiB).toFixed(1)} GiB of memory), cold`)
  const service = new ArrayService({ watchIntervalMs: 0 })
  const s = await service.handle('session:open', {
    path: file,
    mode: 'r',
    layout: { dtype: '<f4', shape: [size / 4 / 4096, 4096], offset: 0, order: 'C' }
  })
  const windowAt = { session: s.session, view: { rowAxis: 0, colAxis: 1, index: [0, 0] }, row0: 1000, col0: 0 }
  const window = (): Promise<unknown> =>
    service.handle('window:get', { ...windowAt, rows: 60, cols: 30, generation: 1 })
  evict(file)
  await window() // the table on screen: its pages are in memory before the pass
  const cat0 = Date.now()
  execSync(`cat ${JSON.stringify(file)} > /dev/null`)
  const catMs = Date.now() - cat0
  evict(file)
  await window()
  const latencies: number[] = []
  let rssMax = 0
  let running = true
  const poll = (async () => {
    while (running) {
      latencies.push(await timed(window))
      rssMax = Math.max(rssMax, process.memoryUsage().rss)
      await new Promise((r) => setTimeout(r, 100))
    }
  })()
  const t = await timed(() => service.handle('scan:stats', { session: s.session, scanId: 'big', bins: 256 }))
  running = false
  await poll
  const lat = summary(latencies)
  const cached = Number(/^Cached:\s+(\d+)/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024
  console.log(`  cat: ${(catMs / 1000).toFixed(1)} s = ${(size / (catMs / 1000) / 1e9).toFixed(2)} GB/s`)
  console.log(
    `  ArrayScope statistics + histogram (2 passes): ${(t / 1000).toFixed(1)} s = ${((2 * size) / (t / 1000) / 1e9).toFixed(2)} GB/s read; RSS max ${(rssMax / 2 ** 20).toFixed(0)} MiB; page cache after: ${(cached / GiB).toFixed(1)} GiB`
  )
  console.log(
    `  a 60×30 window during the pass: p50 ${lat.p50.toFixed(2)} ms, p99 ${lat.p99.toFixed(2)} ms over ${latencies.length} requests (target < 5 ms)`
  )
  service.closeAll()
  evict(file)
  const np = execFileSync(pythonPath(), [
    '-c',
    `import numpy as np, time, resource, json
a = np.memmap(${JSON.stringify(file)}, dtype='<f4', mode='r')
t0 = time.perf_counter(); a.min(); a.max(); t = time.perf_counter() - t0
print(json.dumps([t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024]))`
  ])
  const [npT, npRss] = JSON.parse(String(np)) as [number, number]
  console.log(
    `  numpy min()+max(): ${npT.toFixed(1)} s = ${((2 * size) / npT / 1e9).toFixed(2)} GB/s read; RSS max ${(npRss / 2 ** 20).toFixed(0)} MiB`
  )
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
