#!/usr/bin/env node
// Builds native/ with node-gyp, offline: against the headers of the Node that runs this script.
// npm on this machine sets nodedir (=/usr) in its config; when it is not set we pass the headers
// that ship with the system's Node so node-gyp never tries to download them.
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

// libdeflate (Debian's libdeflate-dev) inflates deflate chunks 3× as fast as zlib, c-blosc (libblosc-dev with the
// static compressor libraries it calls) decodes blosc chunks 2–3× as fast as numcodecs' WebAssembly: installed
// here when missing and apt-get can (root on Debian/Ubuntu, as in CI), otherwise the addon is built without them
// and says so.
const libdeflate = require('./find-libdeflate')
const blosc = require('./find-blosc')

function aptInstall(packages) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  if (process.platform !== 'linux' || !root || !fs.existsSync('/usr/bin/apt-get')) return
  console.error(`arrayscope: installing ${packages.join(' ')} (apt-get install -y) for the native codecs…`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'inherit', env })
  if (install().status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env })
    install()
  }
}

const missing = []
if (!libdeflate.find() && !process.env.ARRAYSCOPE_NO_LIBDEFLATE) missing.push('libdeflate-dev')
if (process.platform === 'linux' && !blosc.locate() && !process.env.ARRAYSCOPE_NO_BLOSC) missing.push(...blosc.PACKAGES)
if (missing.length) aptInstall(missing)
if (!libdeflate.find() && !process.env.ARRAYSCOPE_NO_LIBDEFLATE) {
  console.error(
    'arrayscope: libdeflate is not installed: building without it (compressed HDF5/Zarr chunks are then inflated ' +
      "by Node's zlib, about 3× slower). Install it (Debian/Ubuntu: apt-get install libdeflate-dev; macOS: brew " +
      'install libdeflate) and run `npm run build:native` again.'
  )
}
if (process.platform === 'linux' && !blosc.locate() && !process.env.ARRAYSCOPE_NO_BLOSC) {
  console.error(
    "arrayscope: c-blosc's static library is not installed: building without it (Zarr's blosc chunks are then " +
      "decoded by numcodecs' WebAssembly, 2–3× slower). Install it (Debian/Ubuntu: apt-get install " +
      `${blosc.PACKAGES.join(' ')}) and run \`npm run build:native\` again.`
  )
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
