// Whole-array scans on a 1 GiB float32 file, numpy side by side (warm page cache, same machine):
// all statistics vs numpy's min()+max() alone (target ≤ 1.0×) and vs numpy computing the same set;
// min/max decimation to 2000 buckets vs numpy's reshape-min/max (target ≤ 1.0×).
import fs from 'node:fs'
import path from 'node:path'
import { resolveLayout } from '../src/shared/layout'
import { native } from '../src/main/service/native'
import { runBuckets, runStats } from '../src/main/service/scan'
import { benchDir, py } from './helpers'

const REPEAT = 5

async function best(fn: () => Promise<unknown>): Promise<number> {
  let t = Infinity
  for (let k = 0; k < REPEAT; k++) {
    const t0 = process.hrtime.bigint()
    await fn()
    t = Math.min(t, Number(process.hrtime.bigint() - t0) / 1e6)
  }
  return t
}

async function main(): Promise<void> {
  const file = path.join(benchDir(), 'real-1GiB.f4')
  if (!fs.existsSync(file) || fs.statSync(file).size !== 2 ** 30) {
    py(`np.random.default_rng(0).standard_normal(2**28, dtype=np.float32).tofile(${JSON.stringify(file)}); print(1)`)
  }
  const layout = resolveLayout({ dtype: '<f4', shape: null, offset: 0, order: 'C' }, 2 ** 30)
  const m = new (native().Mapping)(file, 'r')
  const stats = await best(() => runStats(m, layout).promise)
  const all = await best(() => runStats(m, layout, { bins: 256 }).promise)
  const hist = await best(() => runStats(m, layout, { bins: 256, range: [-6, 6] }).promise)
  const buckets = await best(() => runBuckets(m, layout, 0, 2 ** 28, 2000).promise)
  // how soon a cancelled scan stops (target: within 100 ms)
  const stops: number[] = []
  for (let k = 0; k < 5; k++) {
    const job = runStats(m, layout, { bins: 256 })
    await new Promise((r) => setTimeout(r, 5 + 15 * k)) // within the ~120 ms the scan takes
    const t0 = process.hrtime.bigint()
    job.cancel()
    await job.promise.catch(() => undefined)
    stops.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  m.close()
  const np = py<Record<string, number>>(`
m = np.memmap(${JSON.stringify(file)}, dtype='<f4', mode='r')
a = np.asarray(m)
def best(f, n=${REPEAT}):
    t = 1e9
    for _ in range(n):
        t0 = time.perf_counter(); f(); t = min(t, time.perf_counter() - t0)
    return t * 1e3
a.min(); a.max()
r = {}
r['minmax'] = best(lambda: (a.min(), a.max()))
r['mean'] = best(lambda: a.mean())
r['std'] = best(lambda: a.std(), 2)
r['isnan'] = best(lambda: np.isnan(a).sum())
r['hist'] = best(lambda: np.histogram(a, bins=256), 1)
n = (a.size // 2000) * 2000
r['buckets'] = best(lambda: (a[:n].reshape(2000, -1).min(1), a[:n].reshape(2000, -1).max(1)))
r['set'] = r['minmax'] + r['mean'] + r['std'] + r['isnan'] + r['hist']
print(json.dumps(r))`)
  const f = (x: number): string => `${x.toFixed(1)} ms`
  console.log(`1 GiB <f4 (2^28 values), best of ${REPEAT}, warm cache`)
  console.log(
    `  numpy: min()+max() ${f(np.minmax!)}, mean ${f(np.mean!)}, std ${f(np.std!)}, isnan count ${f(np.isnan!)}, 256-bin histogram ${f(np.hist!)}`
  )
  console.log(
    `  native stats pass (count,min,max,mean,std,nan,±inf):   ${f(stats)}  = ${(stats / np.minmax!).toFixed(2)}× numpy min()+max()  (target ≤ 1.0×)`
  )
  console.log(
    `  native all statistics + 256-bin histogram, range from the data (2 passes): ${f(all)}  = ${(all / np.minmax!).toFixed(2)}× numpy min()+max(); ${(all / np.set!).toFixed(3)}× numpy computing the same set (${f(np.set!)})`
  )
  console.log(
    `  native all statistics + 256-bin histogram over a given range (1 pass): ${f(hist)}  = ${(hist / np.minmax!).toFixed(2)}× numpy min()+max()  (target ≤ 1.0×); ${(hist / np.hist!).toFixed(3)}× np.histogram alone`
  )
  console.log(`  cancel -> scan stopped: ${stops.map((x) => x.toFixed(1)).join(', ')} ms  (target ≤ 100 ms)`)
  console.log(
    `  min/max per 2000 buckets: native ${f(buckets)}, numpy reshape-min/max ${f(np.buckets!)}  = ${(buckets / np.buckets!).toFixed(2)}×  (target ≤ 1.0×)`
  )
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
