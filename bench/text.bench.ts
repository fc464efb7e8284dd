// Issue 33: a CSV of float64 values (ARRAYSCOPE_BENCH_TEXT_MB, default 256 MB; the figure is 2 GB) read
// cold (its pages evicted first) and warm, beside `cat`, np.loadtxt and np.fromfile(sep=…) on the same text:
// - first window: session:open with early + one 60 × 8 window (target < 200 ms, before the pass ends);
// - the pass (index + copy) alone: the native parse of the whole text (target ≥ 0.5× cat's speed cold);
// - statistics of every column: open (the whole pass) + one stats pass (target ≤ 0.3× numpy fromfile's time);
// - conversion to .npy: `export --as npy` of the whole text, one pass into the .npy (target ≤ 0.3× np.loadtxt +
//   np.save).
// Medians of ARRAYSCOPE_BENCH_REPEAT runs (default 3), taken in turns.
import { execSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { ArrayService } from '../src/main/service/array-service'
import { native } from '../src/main/service/native'
import { evict } from '../test/helpers/page-cache'
import { benchDir, coldWarm, py, type BenchRow } from './helpers'

const MB = Number(process.env.ARRAYSCOPE_BENCH_TEXT_MB ?? 256)
const REPEAT = Number(process.env.ARRAYSCOPE_BENCH_REPEAT ?? 3)
const COLS = 8

/** Milliseconds numpy takes for one job on the text (its own clock, python's start-up excluded). */
function numpy(file: string, job: 'loadtxt+save' | 'fromfile' | 'loadtxt', out = ''): number {
  return py<number>(`
t0 = time.perf_counter()
if ${JSON.stringify(job)} == 'fromfile':
    a = np.fromfile(${JSON.stringify(file.replace(/\.csv$/, '.ws.txt'))}, sep=' ')
    a.min(); a.max()
else:
    a = np.loadtxt(${JSON.stringify(file)}, delimiter=',', skiprows=1)
    if ${JSON.stringify(job)} == 'loadtxt+save': np.save(${JSON.stringify(out)}, a)
print(json.dumps((time.perf_counter() - t0) * 1e3))`)
}

async function main(): Promise<void> {
  const dir = benchDir()
  const file = path.join(dir, `text-${MB}MB.csv`)
  const ws = file.replace(/\.csv$/, '.ws.txt')
  if (!fs.existsSync(file) || !fs.existsSync(ws)) {
    console.log(`  writing ${file} (${MB} MB of %.9g float64, ${COLS} columns, a header row)…`)
    py(`
rng = np.random.default_rng(33)
rows = ${MB} * 1_000_000 // (${COLS} * 16)
with open(${JSON.stringify(file + '.part')}, 'w') as f, open(${JSON.stringify(ws + '.part')}, 'w') as g:
    f.write(','.join('c%d' % k for k in range(${COLS})) + '\\n')
    for i in range(0, rows, 100_000):
        a = rng.standard_normal((min(100_000, rows - i), ${COLS}))
        np.savetxt(f, a, delimiter=',', fmt='%.9g')
        np.savetxt(g, a, delimiter=' ', fmt='%.9g')
print(1)`)
    fs.renameSync(file + '.part', file)
    fs.renameSync(ws + '.part', ws)
  }
  const size = fs.statSync(file).size
  const out = path.join(dir, 'text-out.npy')
  const layout = { dtype: '<f8', shape: null, offset: 0, order: 'C' as const, text: { sep: ',', skip: 1 } }
  let firstWindowRows = 0
  const service = new ArrayService({ watchIntervalMs: 0 })
  const rows: BenchRow[] = [
    { name: 'cat FILE > /dev/null', run: () => execSync(`cat ${JSON.stringify(file)} > /dev/null`) },
    {
      name: 'first window (open early + 60×8)',
      run: async () => {
        const info = await service.handle('session:open', { path: file, layout, mode: 'r', early: true })
        await service.handle('window:get', {
          session: info.session,
          generation: 0,
          view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
          row0: 0,
          rows: 60,
          col0: 0,
          cols: COLS
        })
        firstWindowRows = info.layout.shape[0]!
        service.close(info.session) // cancels the pass
      }
    },
    {
      name: 'text pass (index + copy)',
      run: async () => {
        fs.writeFileSync(out + '.bin', '')
        await native().parseText({
          path: file,
          out: out + '.bin',
          elem: 'f8',
          swap: false,
          sep: ',',
          table: true,
          skip: 1,
          comments: '#'
        }).promise
      }
    },
    {
      name: 'open + stats of every value',
      run: async () => {
        const info = await service.handle('session:open', { path: file, layout, mode: 'r' })
        await service.handle('scan:stats', { session: info.session, scanId: 's' })
        service.close(info.session)
      }
    },
    { name: 'np.fromfile(sep=" ") + min/max', run: () => undefined, ms: () => numpy(file, 'fromfile') },
    {
      // what `arrayscope export FILE.csv --sep , --skip-rows 1 --out FILE.npy` runs: one pass into the .npy
      name: 'export --as npy (one pass)',
      run: async () => {
        await service.exportText(
          { path: file, layout, mode: 'r' },
          { as: 'npy', out },
          { overwrite: true, howToReplace: '' }
        ).promise
      }
    },
    { name: 'np.loadtxt + np.save', run: () => undefined, ms: () => numpy(file, 'loadtxt+save', out) }
  ]
  const times = await coldWarm(rows, REPEAT, {
    cold: () => {
      evict(file)
      evict(ws)
    },
    warm: () => execSync(`cat ${JSON.stringify(file)} ${JSON.stringify(ws)} > /dev/null`)
  })
  service.closeAll()
  fs.rmSync(out, { force: true })
  fs.rmSync(out + '.bin', { force: true })
  const rate = (x: number): string => `${(size / (x / 1000) / 1e6).toFixed(0)} MB/s`
  console.log(`text: a ${(size / 1e6).toFixed(0)} MB CSV, medians of ${REPEAT}; cold = pages evicted first`)
  for (const r of rows) {
    const c = times.cold(r.name)
    const w = times.warm(r.name)
    console.log(
      `  ${r.name.padEnd(36)} cold ${c.toFixed(0).padStart(7)} ms (${rate(c)})  warm ${w.toFixed(0).padStart(7)} ms`
    )
  }
  const ratio = (a: string, b: string, t: 'cold' | 'warm'): string => (times[t](a) / times[t](b)).toFixed(2)
  console.log(
    `  first window: ${times.cold('first window (open early + 60×8)').toFixed(0)} ms cold (${firstWindowRows} rows parsed by then), target < 200 ms`
  )
  console.log(
    `  pass speed / cat speed, cold: ${ratio('cat FILE > /dev/null', 'text pass (index + copy)', 'cold')} (target ≥ 0.5)`
  )
  console.log(
    `  stats / numpy fromfile, warm: ${ratio('open + stats of every value', 'np.fromfile(sep=" ") + min/max', 'warm')} (target ≤ 0.3)`
  )
  console.log(
    `  .npy / (loadtxt + save), warm: ${ratio('export --as npy (one pass)', 'np.loadtxt + np.save', 'warm')} (target ≤ 0.3)`
  )
}

void main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
