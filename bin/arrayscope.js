#!/usr/bin/env node
'use strict'
// The `arrayscope` command. The CLI is built with the app (out/main/cli.js) by `npm install`. A build that is
// there is never redone at launch (that is postinstall's job, and only when the sources changed); a missing one
// (a clone where `npm install --ignore-scripts` ran) is built first, saying so, instead of failing.
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const fs = require('node:fs')

const root = path.join(__dirname, '..')
const cli = path.join(root, 'out', 'main', 'cli.js')
const stateScript = path.join(root, 'scripts', 'build-state.js')
if (fs.existsSync(stateScript) && fs.existsSync(path.join(root, 'src'))) {
  const { PARTS, state } = require(stateScript)
  const missing = Object.values(PARTS).filter((p) => state(p) === 'missing')
  if (missing.length) {
    process.stderr.write(
      `arrayscope: ${missing.map((p) => p.what).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not built yet: building now (about a minute, once)…\n`
    )
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-if-stale.js')], {
      cwd: root,
      stdio: 'inherit'
    })
    if (r.status !== 0) process.exit(2)
  }
}
if (!fs.existsSync(cli)) {
  process.stderr.write('arrayscope: the app is not built yet: run `npm run build` in the repository\n')
  process.exit(2)
}
require(cli)
  .main(process.argv.slice(2))
  .then((code) => {
    if (code >= 0) process.exitCode = code
  })
