#!/usr/bin/env node
// Builds native/ with node-gyp, offline: against the headers of the Node that runs this script.
// npm on this machine sets nodedir (=/usr) in its config; when it is not set we pass the headers
// that ship with the system's Node so node-gyp never tries to download them.
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

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
