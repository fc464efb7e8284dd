// Diff of two 1 GiB float32 files (1% of the elements differ a little, some by more than the tolerance),
// warm and cold (pages evicted), against numpy computing the same figures (~np.isclose count, max |a-b| and
// max |a-b|/|b| among the violations) and `cat` of both files (the disk limit); the byte mode against `cmp -l`.
// Targets: warm ≤ 0.5× numpy; cold ≤ 1.3× cat of both. Medians of REPEAT runs taken in turns.
import { execSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { resolveLayout } from '../src/shared/layout'
import { runByteDiff, runDiff } from '../src/main/service/diff'
import { native } from '../src/main/service/native'
import { benchDir, coldWarm, py, type BenchRow } from './helpers'
import { evict } from '../test/helpers/page-cache'

const REPEAT = Number(process.env.ARRAYSCOPE_BENCH_REPEAT ?? 3)

async function main(): Promise<void> {
  const dir = benchDir()
  const fa = path.join(dir, 'diff-a.f4')
  const fb = path.join(dir, 'diff-b.f4')
  if (!fs.existsSync(fb) || fs.statSync(fb).size !== 2 ** 30) {
    py(`
rng = np.random.default_rng(4)
a = rng.standard_normal(2**28, dtype=np.float32)
a.tofile(${JSON.stringify(fa)})
k = rng.integers(0, a.size, a.size // 100)
a[k] *= np.float32(1 + 1e-6) * (1 + rng.integers(0, 2, k.size).astype(np.float32))
a[k[:1000]] = np.nan
a.tofile(${JSON.stringify(fb)}); print(1)`)
  }
  const size = 2 ** 30
  const layout = resolveLayout({ dtype: '<f4', shape: null, offset: 0, order: 'C' }, size)
  const a = new (native().Mapping)(fa, 'r')
  const b = new (native().Mapping)(fb, 'r')
  a.advise('random')
  b.advise('random')
  const ours = () => runDiff({ mapping: a, view: layout }, { mapping: b, view: layout }).promise
  const numpy = (): number =>
    py<number>(`
a = np.memmap(${JSON.stringify(fa)}, dtype='<f4', mode='r'); b = np.memmap(${JSON.stringify(fb)}, dtype='<f4', mode='r')
t0 = time.perf_counter()
inv = ~np.isclose(a, b, rtol=1e-7, atol=0, equal_nan=True)
n = int(inv.sum())
x = a[inv].astype(np.float64); y = b[inv].astype(np.float64)
err = np.abs(x - y); mabs = err.max(); nz = y != 0; mrel = (err[nz] / np.abs(y[nz])).max()
print(json.dumps((time.perf_counter() - t0) * 1e3))`)
  const rows: BenchRow[] = [
    { name: 'cat A B > /dev/null', run: () => execSync(`cat ${fa} ${fb} > /dev/null`) },
    { name: 'numpy isclose + figures', run: () => undefined, ms: numpy },
    { name: 'arrayscope diff (values)', run: ours },
    { name: 'cmp -l A B | wc -l', run: () => execSync(`cmp -l ${fa} ${fb} | wc -l`) },
    { name: 'arrayscope diff (bytes)', run: () => runByteDiff(a, b).promise }
  ]
  let report = await ours()
  const times = await coldWarm(rows, REPEAT, {
    cold: () => {
      evict(fa, a)
      evict(fb, b)
    },
    warm: () => execSync(`cat ${fa} ${fb} > /dev/null`)
  })
  report = await ours()
  a.close()
  b.close()
  const sec = (x: number): string => `${(x / 1000).toFixed(2)} s`
  console.log(
    `two 1 GiB <f4 files, ${report.mismatched} of ${report.total} elements not close (rtol 1e-7); median of ${REPEAT} runs in turns`
  )
  for (const row of rows) {
    console.log(
      `  ${row.name.padEnd(28)} cold ${sec(times.cold(row.name)).padStart(8)}   warm ${sec(times.warm(row.name)).padStart(8)}`
    )
  }
  const r = (t: (name: string) => number, x: string, y: string): string => (t(x) / t(y)).toFixed(2)
  console.log(
    `  warm: diff / numpy ${r(times.warm, 'arrayscope diff (values)', 'numpy isclose + figures')}× (target ≤ 0.5×)`
  )
  console.log(
    `  cold: diff / cat of both ${r(times.cold, 'arrayscope diff (values)', 'cat A B > /dev/null')}× (target ≤ 1.3×)`
  )
  console.log(
    `  cold: byte diff / cmp -l ${r(times.cold, 'arrayscope diff (bytes)', 'cmp -l A B | wc -l')}×; warm ${r(times.warm, 'arrayscope diff (bytes)', 'cmp -l A B | wc -l')}×`
  )
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
