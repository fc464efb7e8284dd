#!/usr/bin/env node
// Where libdeflate's static library is (Debian's libdeflate-dev: /usr/lib/<triplet>/libdeflate.a, with its
// header in /usr/include), for native/binding.gyp: `--lib` prints the .a's path, `--include` its include folder;
// both print nothing when the library is not installed, and the addon is then built without it (deflate chunks
// fall back to Node's zlib, 3× slower: docs/architecture.md). Linked statically, so the built addon (and an
// Electron app packaged with it) needs no libdeflate at run time.
'use strict'
const fs = require('node:fs')
const path = require('node:path')

function find() {
  if (process.env.ARRAYSCOPE_NO_LIBDEFLATE) return null
  const prefixes = ['/usr', '/usr/local', '/opt/homebrew', '/opt/local']
  for (const prefix of prefixes) {
    const header = path.join(prefix, 'include', 'libdeflate.h')
    if (!fs.existsSync(header)) continue
    const libs = [path.join(prefix, 'lib')]
    try {
      for (const d of fs.readdirSync(libs[0])) if (/-linux-gnu/.test(d)) libs.push(path.join(prefix, 'lib', d))
    } catch {
      continue
    }
    for (const dir of libs) {
      const a = path.join(dir, 'libdeflate.a')
      if (fs.existsSync(a)) return { lib: a, include: path.join(prefix, 'include') }
    }
  }
  return null
}

module.exports = { find }
if (require.main === module) {
  const found = find()
  if (process.argv.includes('--include')) process.stdout.write(found ? found.include : '')
  else process.stdout.write(found ? found.lib : '')
}
