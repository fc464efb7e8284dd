#!/usr/bin/env node
// The remote-source tests serve files over HTTP with a real nginx (Debian's nginx-light: ranges, ETags,
// Last-Modified as a production web server answers them). Installs it with apt-get when it is missing and we
// are root; otherwise says how.
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')

const nginx = process.env.NGINX_PATH || '/usr/sbin/nginx'
if (fs.existsSync(nginx)) process.exit(0)
if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() !== 0) {
  console.error(
    `tests: ${nginx} is missing. Install nginx (Debian: sudo apt-get install -y nginx-light) or set NGINX_PATH.`
  )
  process.exit(1)
}
console.log('tests: installing Debian nginx (apt-get install -y nginx-light)…')
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'nginx-light']]) {
  const r = spawnSync('apt-get', args, { stdio: 'inherit', env })
  if (r.status !== 0) {
    console.error(`tests: apt-get ${args.join(' ')} failed`)
    process.exit(1)
  }
}
