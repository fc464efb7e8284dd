#!/usr/bin/env node
// Builds native/ with node-gyp, offline: against the headers of the Node that runs this script.
// npm on this machine sets nodedir (=/usr) in its config; when it is not set we pass the headers
// that ship with the system's Node so node-gyp never tries to download them.
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

// libdeflate (Debian's libdeflate-dev) inflates deflate chunks 3× as fast as zlib: installed here when it is
// missing and apt-get can (root on Debian/Ubuntu, as in CI), otherwise the addon is built without it and says so.
const { find } = require('./find-libdeflate')
if (!find() && !process.env.ARRAYSCOPE_NO_LIBDEFLATE) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  if (process.platform === 'linux' && root && fs.existsSync('/usr/bin/apt-get')) {
    console.error('arrayscope: installing libdeflate-dev (apt-get install -y libdeflate-dev) for the native inflater…')
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const install = () =>
      spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'libdeflate-dev'], { stdio: 'inherit', env })
    if (install().status !== 0) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit', env })
      install()
    }
  }
  if (!find()) {
    console.error(
      'arrayscope: libdeflate is not installed: building without it (compressed HDF5/Zarr chunks are then inflated ' +
        "by Node's zlib, about 3× slower). Install it (Debian/Ubuntu: apt-get install libdeflate-dev; macOS: brew " +
        'install libdeflate) and run `npm run build:native` again.'
    )
  }
}

const args = ['rebuild', '--directory', path.join(__dirname, '..', 'native'), '--loglevel=warn']
if (!process.env.npm_config_nodedir) {
  const prefix = path.resolve(path.dirname(process.execPath), '..')
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`)
}
const gyp = require.resolve('node-gyp/bin/node-gyp.js')
const result = spawnSync(process.execPath, [gyp, ...args], { stdio: 'inherit' })
if (result.status !== 0) {
  console.error('arrayscope: building the native addon failed (see above). It needs python3, make and g++.')
  process.exit(result.status ?? 1)
}
