#!/usr/bin/env node
// The e2e tests drive Debian's Chromium (Playwright's own browser download cannot work offline).
// Installs it with apt-get when it is missing and we are root; otherwise says how.
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
if (fs.existsSync(chromium)) process.exit(0)
if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() !== 0) {
  console.error(
    `e2e: ${chromium} is missing. Install Chromium (Debian: sudo apt-get install -y chromium) or set CHROMIUM_PATH.`
  )
  process.exit(1)
}
console.log('e2e: installing Debian Chromium (apt-get install -y chromium)…')
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
  const r = spawnSync('apt-get', args, { stdio: 'inherit', env })
  if (r.status !== 0) {
    console.error(`e2e: apt-get ${args.join(' ')} failed`)
    process.exit(1)
  }
}
