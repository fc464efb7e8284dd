// Issue 29 item 5: Zarr stores at scale.
// 1. Listing: a v2 store of 10^5 chunk files (ARRAYSCOPE_BENCH_ZARR_CHUNKS): `ls` (metadata only) and opening the
//    array (its chunk files listed once: a readdir walk, no stat per chunk). Target < 300 ms.
// 2. Whole scans: statistics of a float32 array (ARRAYSCOPE_BENCH_ZARR_MB, default 256 MiB) in 1 MiB chunks,
//    blosc (lz4, byte shuffle: zarr-python's default) and zstd, ArrayScope's first statistics (every chunk decoded
//    in parallel into the copy, then scanned) beside numpy on the same data as one .npy compressed the same way
//    (numcodecs decodes it whole, then min/max). Cold (every file's pages evicted first) and warm, medians of runs
//    taken in turns (ARRAYSCOPE_BENCH_REPEAT, default 3). Target: ≥ 0.8× numpy's speed (ratio ≤ 1.25).
import fs from 'node:fs'
import path from 'node:path'
import { ArrayService } from '../src/main/service/array-service'
import { evict } from '../test/helpers/page-cache'
import { benchDir, median, ms, py } from './helpers'

const CHUNKS = Number(process.env.ARRAYSCOPE_BENCH_ZARR_CHUNKS ?? 100_000)
const MB = Number(process.env.ARRAYSCOPE_BENCH_ZARR_MB ?? 256)
const REPEAT = Number(process.env.ARRAYSCOPE_BENCH_REPEAT ?? 3)
const DIR = path.join(benchDir(), 'zarr')

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name))
}

async function listing(): Promise<void> {
  const store = path.join(DIR, `many-${CHUNKS}.zarr`)
  if (!fs.existsSync(store)) {
    console.log(`  writing ${store} (${CHUNKS} chunk files)…`)
    py(`
import os
os.makedirs(${JSON.stringify(store)})
rows = ${Math.ceil(CHUNKS / 100)}
json.dump({'zarr_format': 2}, open(os.path.join(${JSON.stringify(store)}, '.zgroup'), 'w'))
a = os.path.join(${JSON.stringify(store)}, 'a')
os.makedirs(a)
json.dump({'zarr_format': 2, 'shape': [rows * 4, 400], 'chunks': [4, 4], 'dtype': '<u2', 'compressor': None,
           'fill_value': 0, 'order': 'C', 'filters': None}, open(os.path.join(a, '.zarray'), 'w'))
block = (np.arange(16, dtype='<u2') + 1).tobytes()
for i in range(rows):
    for j in range(100):
        open(os.path.join(a, f'{i}.{j}'), 'wb').write(block)
print(1)`)
  }
  const ls: number[] = []
  const open: number[] = []
  for (let k = 0; k <= REPEAT; k++) {
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      let t0 = performance.now()
      await s.handle('container:list', { path: store })
      const t1 = performance.now() - t0
      t0 = performance.now()
      const z = await s.handle('session:open', { path: store, array: 'a', layout: null, mode: 'r' })
      const t2 = performance.now() - t0
      await s.handle('session:close', { session: z.session })
      if (k) {
        ls.push(t1)
        open.push(t2)
      }
    } finally {
      s.closeAll()
    }
  }
  console.log(
    `  ${CHUNKS} chunk files: list the store ${ms(median(ls))}; open the array (chunk files listed) ${ms(median(open))} (target < 300 ms)`
  )
}

async function scans(): Promise<void> {
  const rows = Math.max(512, Math.round((MB * 2 ** 20) / 4 / 2048))
  const store = path.join(DIR, `scan-${MB}MiB.zarr`)
  if (!fs.existsSync(store)) {
    console.log(`  writing ${store} (${MB} MiB of float32, blosc and zstd) and the .npy blobs…`)
    // written by hand with numcodecs (zarr-python is not in the venv): a v2 group, chunks of 128 rows
    py(`
import io, os, numcodecs
rng = np.random.default_rng(29)
x = np.round(rng.standard_normal((${rows}, 2048)), 2).astype('<f4')
root = ${JSON.stringify(store + '.part')}
os.makedirs(root)
json.dump({'zarr_format': 2}, open(os.path.join(root, '.zgroup'), 'w'))
for name, c in [('blosc', numcodecs.Blosc('lz4', 5, 1)), ('zstd', numcodecs.Zstd(3))]:
    d = os.path.join(root, name)
    os.makedirs(d)
    json.dump({'zarr_format': 2, 'shape': list(x.shape), 'chunks': [128, 2048], 'dtype': '<f4', 'compressor': c.get_config(),
               'fill_value': 0, 'order': 'C', 'filters': None}, open(os.path.join(d, '.zarray'), 'w'))
    for i in range(0, x.shape[0], 128):
        part = np.zeros((128, 2048), '<f4')
        part[:min(128, x.shape[0] - i)] = x[i:i + 128]
        open(os.path.join(d, f'{i // 128}.0'), 'wb').write(c.encode(part.tobytes()))
    b = io.BytesIO(); np.save(b, x)
    open(${JSON.stringify(DIR)} + f'/scan-${MB}MiB.{name}.npy', 'wb').write(c.encode(b.getvalue()))
print(1)`)
    fs.renameSync(store + '.part', store)
  }
  for (const name of ['blosc', 'zstd']) {
    const blob = path.join(DIR, `scan-${MB}MiB.${name}.npy`)
    const chunkFiles = files(path.join(store, name))
    const evictAll = (): void => {
      for (const f of [...chunkFiles, blob]) evict(f)
    }
    const ours: Record<'cold' | 'warm', number[]> = { cold: [], warm: [] }
    const theirs: Record<'cold' | 'warm', number[]> = { cold: [], warm: [] }
    for (let k = 0; k <= REPEAT; k++) {
      for (const mode of ['cold', 'warm'] as const) {
        if (mode === 'cold') evictAll()
        const s = new ArrayService({ watchIntervalMs: 0 })
        try {
          const t0 = performance.now()
          const z = await s.handle('session:open', { path: store, array: name, layout: null, mode: 'r' })
          await s.handle('scan:stats', { session: z.session, scanId: `${name}${k}${mode}` })
          if (k) ours[mode].push(performance.now() - t0)
        } finally {
          s.closeAll()
        }
        if (mode === 'cold') evictAll()
        const t = py<number>(`
import numcodecs, io
t0 = time.perf_counter()
raw = numcodecs.${name === 'blosc' ? 'Blosc' : 'Zstd'}().decode(open(${JSON.stringify(blob)}, 'rb').read())
a = np.load(io.BytesIO(raw))
lo, hi = float(a.min()), float(a.max())
print(json.dumps((time.perf_counter() - t0) * 1e3))`)
        if (k) theirs[mode].push(t)
      }
    }
    for (const mode of ['cold', 'warm'] as const) {
      const a = median(ours[mode])
      const b = median(theirs[mode])
      console.log(
        `  ${name} ${mode}: ArrayScope open + first statistics ${ms(a)}; numpy decode the .npy blob + min/max ${ms(b)}; ratio ${(a / b).toFixed(2)} (target ≤ 1.25)`
      )
    }
  }
}

async function main(): Promise<void> {
  console.log(
    `zarr: listing a store of many chunks; whole scans vs one compressed .npy (${MB} MiB, medians of ${REPEAT})`
  )
  fs.mkdirSync(DIR, { recursive: true })
  await listing()
  await scans()
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
