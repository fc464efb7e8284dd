#!/usr/bin/env node
'use strict'
// The `arrayscope` command. The CLI is built with the app (out/main/cli.js) by `npm install`.
const path = require('node:path')
const fs = require('node:fs')

const cli = path.join(__dirname, '..', 'out', 'main', 'cli.js')
if (!fs.existsSync(cli)) {
  process.stderr.write('arrayscope: the app is not built yet: run `npm run build` in the repository\n')
  process.exit(2)
}
require(cli)
  .main(process.argv.slice(2))
  .then((code) => {
    if (code >= 0) process.exitCode = code
  })
