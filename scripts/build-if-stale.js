#!/usr/bin/env node
// postinstall: builds the native addon and the app only where they are missing or older than their sources
// (scripts/build-state.js), saying what it builds and why before each step; `--force` builds both. npm hides
// the output of a dependency's install scripts (the first `npx arrayscope` installs this folder into npx's
// cache), so the messages also go to the terminal itself when there is one.
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const { PARTS, root, state } = require('./build-state')

let tty = null
try {
  if (!process.stderr.isTTY) tty = fs.openSync('/dev/tty', 'w')
} catch {
  tty = null
}
function say(line) {
  process.stderr.write(`${line}\n`)
  if (tty !== null) {
    try {
      fs.writeSync(tty, `${line}\n`)
    } catch {
      tty = null
    }
  }
}

const force = process.argv.includes('--force')
for (const [name, part] of Object.entries(PARTS)) {
  const s = force ? 'forced' : state(part)
  if (s === 'current') {
    say(`arrayscope: up to date, not rebuilt: ${part.what}`)
    continue
  }
  const why = { missing: 'it is not built yet', stale: 'its sources changed since it was built', forced: '--force' }[s]
  say(`arrayscope: building ${part.what} (${why}); this takes about a minute…`)
  const npm = process.env.npm_execpath
  const r = npm
    ? spawnSync(process.execPath, [npm, 'run', part.script], { cwd: root, stdio: 'inherit' })
    : spawnSync('npm', ['run', part.script], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
  if (r.status !== 0) {
    say(`arrayscope: building ${name} failed (see above)`)
    process.exit(r.status ?? 1)
  }
  say(`arrayscope: built ${part.what}`)
}
