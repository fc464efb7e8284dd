// Export throughput vs numpy's tofile, same file, same run: binary (target ≥ numpy) and text with
// sep=' ', format='%.6g' (target ≥ 3× numpy).
import { execSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { resolveLayout } from '../src/shared/layout'
import { exportView } from '../src/main/service/export'
import { native } from '../src/main/service/native'
import { benchDir, py } from './helpers'

async function main(): Promise<void> {
  const dir = benchDir()
  const src = path.join(dir, 'real-1GiB.f4')
  if (!fs.existsSync(src) || fs.statSync(src).size !== 2 ** 30) {
    py(`np.random.default_rng(0).standard_normal(2**28, dtype=np.float32).tofile(${JSON.stringify(src)}); print(1)`)
  }
  const textCount = 4_000_000 // text is slow in both: a 16 MB prefix
  const m = new (native().Mapping)(src, 'r')
  const whole = resolveLayout({ dtype: '<f4', shape: null, offset: 0, order: 'C' }, 2 ** 30)
  const prefix = resolveLayout({ dtype: '<f4', shape: [textCount], offset: 0, order: 'C' }, 2 ** 30)
  const out = path.join(dir, 'export-out')
  const time = async (fn: () => Promise<unknown>): Promise<number> => {
    const t0 = process.hrtime.bigint()
    await fn()
    return Number(process.hrtime.bigint() - t0) / 1e6
  }
  // Writing 1 GiB is disk-bound and noisy: alternate with numpy, start each run with no dirty pages left by the
  // one before (sync) and no old output, and keep the best of each.
  const settle = (): void => {
    for (const f of ['.bin', '.np.bin']) fs.rmSync(`${out}${f}`, { force: true })
    execSync('sync')
  }
  const npBin = (): number =>
    py<number>(`
a = np.memmap(${JSON.stringify(src)}, dtype='<f4', mode='r')
t0 = time.perf_counter(); a.tofile(${JSON.stringify(out + '.np.bin')}); print(json.dumps((time.perf_counter() - t0) * 1e3))`)
  let bin = Infinity
  let npBest = Infinity
  for (let k = 0; k < 3; k++) {
    settle()
    bin = Math.min(bin, await time(() => exportView(m, whole, { as: 'raw', out: `${out}.bin` })))
    settle()
    npBest = Math.min(npBest, npBin())
  }
  const text = await time(() => exportView(m, prefix, { as: 'text', out: `${out}.txt`, sep: ' ', fmt: '%.6g' }))
  m.close()
  const np = py<{ bin: number; text: number }>(`
a = np.memmap(${JSON.stringify(src)}, dtype='<f4', mode='r')
def t(f):
    t0 = time.perf_counter(); f(); return (time.perf_counter() - t0) * 1e3
b = 0
x = t(lambda: a[:${textCount}].tofile(${JSON.stringify(out + '.np.txt')}, sep=' ', format='%.6g'))
print(json.dumps({'bin': b, 'text': x}))`)
  const same = fs.readFileSync(`${out}.txt`).equals(fs.readFileSync(`${out}.np.txt`))
  for (const f of ['.bin', '.txt', '.np.bin', '.np.txt']) fs.rmSync(`${out}${f}`, { force: true })
  console.log('1 GiB <f4, warm cache; written to temporary files')
  console.log(
    `  binary: ArrayScope ${bin.toFixed(0)} ms (${(((2 ** 30 / bin) * 1e3) / 2 ** 30).toFixed(2)} GiB/s), numpy tofile ${npBest.toFixed(0)} ms  → ${(npBest / bin).toFixed(2)}× numpy's throughput (target ≥ 1.0×)`
  )
  console.log(
    `  text %.6g, ${textCount} values: ArrayScope ${text.toFixed(0)} ms (${(((textCount / text) * 1e3) / 1e6).toFixed(2)} M values/s), numpy ${np.text.toFixed(0)} ms (${(((textCount / np.text) * 1e3) / 1e6).toFixed(2)} M values/s)  → ${(np.text / text).toFixed(2)}× (target ≥ 3×); identical output: ${same}`
  )
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
