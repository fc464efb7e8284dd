#!/usr/bin/env node
// The Zarr tests write their v2 stores with zarr-python and compare against its reads. This machine's pip index
// does not serve zarr, so the reference is Debian's python3-zarr (zarr 2.13, numcodecs 0.11) run by the system's
// /usr/bin/python3; installed with apt-get when it is missing and we are root, otherwise the way is said.
'use strict'
const { spawnSync } = require('node:child_process')

const PY = '/usr/bin/python3'
const has = () => spawnSync(PY, ['-c', 'import zarr, numcodecs'], { stdio: 'ignore' }).status === 0
if (has()) process.exit(0)
if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() !== 0) {
  console.error('ensure-zarr: zarr-python is missing: install it (Debian: sudo apt-get install -y python3-zarr)')
  process.exit(1)
}
console.log('ensure-zarr: installing Debian python3-zarr (apt-get install -y python3-zarr)…')
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'python3-zarr']]) {
  const r = spawnSync('apt-get', args, { stdio: 'inherit', env })
  if (r.status !== 0) {
    console.error(`ensure-zarr: apt-get ${args.join(' ')} failed`)
    process.exit(1)
  }
}
if (!has()) {
  console.error('ensure-zarr: python3-zarr installed but `import zarr` still fails')
  process.exit(1)
}
