// Issue 27 item 1: statistics of a 256 MiB gzip + shuffle chunked float32 HDF5 dataset, in process. ArrayScope's
// first statistics decode every chunk natively (one addon call per chunk: libdeflate's inflate and the unshuffle,
// on libuv's pool, several chunks in flight) into the session's copy and scan it; h5py reads the dataset whole
// (the HDF5 library, one thread) and numpy takes min/max. Medians of 3, the compressed file warm in the page
// cache for both. Then the same as whole processes: `arrayscope stats` beside `python -c 'h5py read; min; max'`
// (start-up included on both sides: the user's wait at a shell), warm and cold (the file's pages evicted first).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { ArrayService } from '../src/main/service/array-service'
import { native } from '../src/main/service/native'
import { evict } from '../test/helpers/page-cache'
import { benchDir, median, ms, py } from './helpers'

const FILE = path.join(benchDir(), 'chunked-256MiB.h5')
const ROWS = 8192
const COLS = 8192 // float32: 256 MiB
const REPEAT = 3

async function main(): Promise<void> {
  console.log('chunked: statistics of a gzip + shuffle chunked HDF5 dataset, decoded natively, vs h5py + numpy')
  if (!fs.existsSync(FILE)) {
    console.log(`  writing ${FILE}…`)
    py(`
import h5py
rng = np.random.default_rng(3)
with h5py.File(${JSON.stringify(FILE + '.part')}, 'w') as f:
    z = f.create_dataset('gzip', shape=(${ROWS}, ${COLS}), dtype='<f4', chunks=(256, 2048), compression='gzip', shuffle=True)
    for i in range(0, ${ROWS}, 1024):
        # two decimals: compresses about as well as typical measured data
        z[i:i + 1024] = np.round(rng.standard_normal((1024, ${COLS})), 2).astype('<f4')
print(1)`)
    fs.renameSync(FILE + '.part', FILE)
  }
  console.log(`  file: ${(fs.statSync(FILE).size / 2 ** 20).toFixed(0)} MiB compressed, 256 MiB of float32`)

  const ref = py<{ read: number[]; minmax: number[]; min: number; max: number }>(`
import h5py
read, minmax = [], []
for k in range(${REPEAT + 1}):
    with h5py.File(${JSON.stringify(FILE)}, 'r') as f:
        t0 = time.perf_counter(); a = f['gzip'][()]; t1 = time.perf_counter()
        lo, hi = float(a.min()), float(a.max()); t2 = time.perf_counter()
    del a
    if k: read.append((t1 - t0) * 1e3); minmax.append((t2 - t1) * 1e3)
print(json.dumps({'read': read, 'minmax': minmax, 'min': lo, 'max': hi}))`)

  const first: number[] = []
  const again: number[] = []
  const windows: number[] = []
  let got = { min: NaN, max: NaN }
  for (let k = 0; k <= REPEAT; k++) {
    // a new service each time: a new temporary copy, every chunk decoded again
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      let t0 = performance.now()
      const z = await s.handle('session:open', { path: FILE, layout: null, mode: 'r', array: '/gzip' })
      await s.handle('window:get', {
        session: z.session,
        generation: 0,
        view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
        row0: 5000,
        rows: 60,
        col0: 3000,
        cols: 30
      })
      const w = performance.now() - t0
      t0 = performance.now()
      const r = await s.handle('scan:stats', { session: z.session, scanId: `z${k}` })
      const t1 = performance.now() - t0
      t0 = performance.now()
      await s.handle('scan:stats', { session: z.session, scanId: `y${k}` })
      const t2 = performance.now() - t0
      if (s.session(z.session).source.chunkGrid?.decoder !== 'native') throw new Error('not decoded natively')
      // the first round warms both (page cache, JIT): not counted, as h5py's first read is not
      if (k) {
        first.push(t1)
        again.push(t2)
        windows.push(w)
      }
      got = { min: r.min as number, max: r.max as number }
    } finally {
      s.closeAll()
    }
  }
  const a = median(first)
  const h = median(ref.read) + median(ref.minmax)
  console.log(`  open + first 60×30 window (1 chunk decoded): ${ms(median(windows))}`)
  console.log(
    `  ArrayScope first statistics (decode every chunk + scan): ${ms(a)}; again (copy filled): ${ms(median(again))}`
  )
  console.log(`  h5py read whole ${ms(median(ref.read))} + numpy min/max ${ms(median(ref.minmax))} = ${ms(h)}`)
  console.log(`  ratio ArrayScope / h5py+numpy: ${(a / h).toFixed(2)}× (target ≤ 0.4×)`)
  console.log(`  min/max: ArrayScope ${got.min} / ${got.max}, numpy ${ref.min} / ${ref.max}`)
  console.log(`  inflater: ${native().inflaterVersion ?? "Node's zlib (the addon was built without libdeflate)"}`)
  await windowsDuringPass()
  wholeProcesses()
}

/** Table windows at random places while the first statistics pass decodes every chunk (target p99 < 5 ms). */
async function windowsDuringPass(): Promise<void> {
  const s = new ArrayService({ watchIntervalMs: 0 })
  try {
    const z = await s.handle('session:open', { path: FILE, layout: null, mode: 'r', array: '/gzip' })
    let done = false
    const pass = s.handle('scan:stats', { session: z.session, scanId: 'during' }).finally(() => (done = true))
    const times: number[] = []
    let seed = 7
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0
      return seed % n
    }
    while (!done) {
      const t0 = performance.now()
      await s.handle('window:get', {
        session: z.session,
        generation: 0,
        view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
        row0: rand(ROWS - 60),
        rows: 60,
        col0: rand(COLS - 30),
        cols: 30
      })
      if (!done) times.push(performance.now() - t0)
      await new Promise((r) => setTimeout(r, 5))
    }
    await pass
    times.sort((a, b) => a - b)
    const q = (p: number): number => times[Math.min(times.length - 1, Math.floor(p * times.length))]!
    console.log(
      `  table windows during the pass (${times.length}, random places, each decoding its chunks when not yet decoded): p50 ${ms(q(0.5))}, p90 ${ms(q(0.9))}, p99 ${ms(q(0.99))} (target < 5 ms); ${times.filter((t) => t > 5).length} over 5 ms`
    )
  } finally {
    s.closeAll()
  }
}

/** The user's wait at a shell: `arrayscope stats` and a python one-liner, each started REPEAT + 1 times in turn. */
function wholeProcesses(): void {
  const root = path.join(__dirname, '..', '..')
  const python = process.env.ARRAYSCOPE_PYTHON ?? path.join(root, '.venv', 'bin', 'python')
  const cmds: [string, string[]][] = [
    [process.execPath, [path.join(root, 'bin', 'arrayscope.js'), 'stats', FILE, '--array', '/gzip', '--json']],
    [
      python,
      [
        '-c',
        `import h5py; a = h5py.File(${JSON.stringify(FILE)}, 'r')['gzip'][()]; print(float(a.min()), float(a.max()))`
      ]
    ]
  ]
  // warm: the compressed file in the page cache; cold: its pages evicted before each run (both sides)
  for (const cold of [false, true]) {
    const times: number[][] = [[], []]
    for (let k = 0; k <= REPEAT; k++) {
      cmds.forEach(([cmd, args], i) => {
        if (cold) evict(FILE)
        const t0 = performance.now()
        const r = spawnSync(cmd, args, { encoding: 'utf8' })
        if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`)
        if (k) times[i]!.push(performance.now() - t0)
      })
    }
    const [a, h] = times.map(median) as [number, number]
    const what = cold ? 'cold (file evicted)' : 'warm'
    console.log(`  whole processes, ${what}: arrayscope stats ${ms(a)}, python h5py read + numpy min/max ${ms(h)}`)
    console.log(`  ratio: ${(a / h).toFixed(2)}× (target ≤ 0.5×)`)
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
