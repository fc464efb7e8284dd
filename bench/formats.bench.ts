// Scientific containers (issue 14): statistics of a 1 GiB contiguous HDF5 dataset (mapped from the layout
// message's address) vs h5py reading it + numpy, and of a 1 GiB gzip-chunked one (read through h5wasm into the
// session's copy, chunk by chunk, then scanned natively) vs h5py reading it whole + numpy, side by side; plus the
// time to list the file and to show a first table window of the chunked dataset.
import fs from 'node:fs'
import path from 'node:path'
import { ArrayService } from '../src/main/service/array-service'
import { benchDir, ms, py } from './helpers'

const dir = benchDir()
const FILE = path.join(dir, 'formats-2x1GiB.h5')
const ROWS = 16384
const COLS = 16384 // float32: 1 GiB each

function now(): number {
  return performance.now()
}

async function main(): Promise<void> {
  console.log('formats: HDF5 statistics, contiguous and gzip-chunked, vs h5py + numpy')
  if (!fs.existsSync(FILE)) {
    console.log(`  writing ${FILE} (two 1 GiB datasets; the gzip one takes a while, once)…`)
    py(`
import h5py
rng = np.random.default_rng(3)
with h5py.File(${JSON.stringify(FILE + '.part')}, 'w') as f:
    c = f.create_dataset('contiguous', shape=(${ROWS}, ${COLS}), dtype='<f4')
    z = f.create_dataset('gzip', shape=(${ROWS}, ${COLS}), dtype='<f4', chunks=(256, 2048), compression='gzip', shuffle=True)
    for i in range(0, ${ROWS}, 1024):
        # two decimals: compresses about as well as typical measured data
        block = np.round(rng.standard_normal((1024, ${COLS})), 2).astype('<f4')
        c[i:i + 1024] = block
        z[i:i + 1024] = block
print(1)`)
    fs.renameSync(FILE + '.part', FILE)
  }
  const size = fs.statSync(FILE).size
  console.log(
    `  file: ${(size / 2 ** 30).toFixed(2)} GiB (the gzip dataset is ${((size - 2 ** 30) / 2 ** 30).toFixed(2)} GiB compressed)`
  )

  // numpy side first (it also warms the page cache for both)
  const ref = py<{ readC: number; statsC: number; readZ: number; statsZ: number; mean: number }>(`
import h5py
def stats(a):
    t0 = time.perf_counter()
    r = (float(a.min()), float(a.max()), float(a.mean(dtype=np.float64)), float(a.std(dtype=np.float64)), int(np.isnan(a).sum()))
    return time.perf_counter() - t0, r
with h5py.File(${JSON.stringify(FILE)}, 'r') as f:
    t0 = time.perf_counter(); a = f['contiguous'][()]; readC = time.perf_counter() - t0
    statsC, r = stats(a)
    del a
    t0 = time.perf_counter(); a = f['gzip'][()]; readZ = time.perf_counter() - t0
    statsZ, _ = stats(a)
print(json.dumps({'readC': readC * 1e3, 'statsC': statsC * 1e3, 'readZ': readZ * 1e3, 'statsZ': statsZ * 1e3, 'mean': r[2]}))`)

  const s = new ArrayService({ watchIntervalMs: 0 })
  try {
    let t0 = now()
    const list = await s.handle('container:list', { path: FILE })
    const listMs = now() - t0
    // contiguous: open (header parse, mapping), statistics natively (warm cache: numpy's read warmed it)
    t0 = now()
    const c = await s.handle('session:open', { path: FILE, layout: null, mode: 'r', array: '/contiguous' })
    const openC = now() - t0
    let statsC = Infinity
    let meanC = 0
    for (let k = 0; k < 2; k++) {
      t0 = now()
      const r = await s.handle('scan:stats', { session: c.session, scanId: `c${k}` })
      statsC = Math.min(statsC, now() - t0)
      meanC = r.mean ?? NaN
    }
    // chunked: open, a first table window (decompresses the chunks it shows), then the whole statistics (reads
    // every chunk through h5wasm into the copy, then scans it), then again (the copy is filled)
    t0 = now()
    const z = await s.handle('session:open', { path: FILE, layout: null, mode: 'r', array: '/gzip' })
    const openZ = now() - t0
    t0 = now()
    await s.handle('window:get', {
      session: z.session,
      generation: 0,
      view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
      row0: 9000,
      rows: 60,
      col0: 7000,
      cols: 30
    })
    const windowZ = now() - t0
    t0 = now()
    const rz = await s.handle('scan:stats', { session: z.session, scanId: 'z0' })
    const statsZ = now() - t0
    t0 = now()
    await s.handle('scan:stats', { session: z.session, scanId: 'z1' })
    const statsZ2 = now() - t0

    console.log(`  listing the file (${list.total} datasets): ${ms(listMs)}`)
    console.log(`  1 GiB contiguous float32 (${ROWS} × ${COLS}), warm cache`)
    console.log(
      `    ArrayScope: open ${ms(openC)} + statistics ${ms(statsC)} = ${ms(openC + statsC)}; h5py read ${ms(ref.readC)} + numpy min/max/mean/std/isnan ${ms(ref.statsC)} = ${ms(ref.readC + ref.statsC)}  → ${((ref.readC + ref.statsC) / (openC + statsC)).toFixed(1)}× faster (means ${meanC} / ${ref.mean})`
    )
    console.log(`  1 GiB gzip + shuffle chunked float32 (chunks 256 × 2048), compressed file warm in the page cache`)
    console.log(`    ArrayScope: open ${ms(openZ)}; first 60×30 window ${ms(windowZ)} (reads 1 chunk)`)
    console.log(
      `    statistics, every chunk read through h5wasm into the copy: ${ms(statsZ)}; again (copy filled): ${ms(statsZ2)}; h5py read whole ${ms(ref.readZ)} + numpy ${ms(ref.statsZ)} = ${ms(ref.readZ + ref.statsZ)}  → ${((ref.readZ + ref.statsZ) / statsZ).toFixed(2)}× (first), ${((ref.readZ + ref.statsZ) / statsZ2).toFixed(1)}× (again) (mean ${rz.mean})`
    )
  } finally {
    s.closeAll()
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
