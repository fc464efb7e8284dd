#!/usr/bin/env node
// `npm run bench [name…]`: bundles each bench/*.bench.ts with esbuild (TypeScript, same sources as the app)
// and runs it. Benchmarks print figures and ratios against numpy run side by side in the same run.
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const esbuild = require('esbuild')

const root = path.join(__dirname, '..')
// the reference libraries (h5py, astropy, …) come from the project's venv, made when missing as `npm test` does:
// a fresh clone's system python has numpy at most
const venv = spawnSync(process.execPath, [path.join(root, 'scripts', 'ensure-venv.js')], {
  stdio: 'inherit',
  cwd: root
})
if (venv.status !== 0) process.exit(1)
const outDir = path.join(root, '.tmp', 'bench')
fs.mkdirSync(outDir, { recursive: true })
const wanted = process.argv.slice(2)
const benches = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
// packages loaded at run time, as in the app's build (native addons and WebAssembly are not bundled)
const external = [
  'ws',
  'zod',
  'h5wasm',
  '@aws-sdk/*',
  '@playwright/test',
  'playwright',
  'playwright-core',
  'zstd-napi',
  'lz4-napi',
  'numcodecs',
  'seek-bzip'
]
// the worker threads' scripts, found beside the bundles as beside the app's (worker-script.ts)
for (const [name, entry] of [
  ['codec-worker', 'src/main/service/codecs/worker.ts'],
  ['hdf5-worker', 'src/main/service/hdf5-worker.ts'],
  ['remote-worker', 'src/main/service/remote-worker.ts']
]) {
  esbuild.buildSync({
    entryPoints: [path.join(root, entry)],
    outfile: path.join(outDir, `${name}.js`),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external,
    logLevel: 'warning'
  })
}
let failed = false
for (const file of benches) {
  const out = path.join(outDir, file.replace(/\.ts$/, '.js'))
  esbuild.buildSync({
    entryPoints: [path.join(__dirname, file)],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external,
    // the service finds native/ by walking up from its own file: point it at the repository's
    define: { 'process.env.ARRAYSCOPE_NATIVE_DIR': JSON.stringify(path.join(root, 'native')) },
    logLevel: 'warning'
  })
  console.log(`\n=== ${file} ===`)
  const r = spawnSync(process.execPath, ['--expose-gc', out], { stdio: 'inherit', cwd: root })
  if (r.status !== 0) failed = true
}
process.exit(failed ? 1 : 0)
