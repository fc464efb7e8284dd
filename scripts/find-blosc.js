#!/usr/bin/env node
// Where c-blosc's static library is (Debian's libblosc-dev: /usr/lib/<triplet>/libblosc.a, header in
// /usr/include), with the static libraries of the compressors Debian's build calls instead of bundling them
// (liblz4-dev, libzstd-dev, libsnappy-dev, zlib1g-dev), for native/binding.gyp: `--libs` prints the archives to
// link (space-separated), `--include` the include folder; both print nothing when one is missing, and the addon
// is then built without blosc (Zarr's blosc chunks fall back to numcodecs' WebAssembly build on the codec
// workers, 2–3× slower: docs/architecture.md). Linked statically, so the built addon needs no libblosc at run time.
//
// Debian compiles its static libraries as position-independent executables' code, not shared objects': one
// object of libblosc.a (blosc.c.o) addresses glibc's `stderr` directly, which cannot be linked into the addon
// (ld: "relocation R_X86_64_PC32 against symbol `stderr' can not be used when making a shared object"). So the
// addon links a copy of the archive, made here with binutils' objcopy, where that symbol is renamed to
// `arrayscope_blosc_stderr`, a variable the addon defines (blosc_decode.cc). Linux only (elsewhere: the fallback).
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const CODECS = ['liblz4.a', 'libzstd.a', 'libsnappy.a', 'libz.a']
/** The Debian packages that hold them, for build-native.js to install. */
const PACKAGES = ['libblosc-dev', 'liblz4-dev', 'libzstd-dev', 'libsnappy-dev', 'zlib1g-dev']

/** Where the static libraries are, or null. */
function locate() {
  if (process.env.ARRAYSCOPE_NO_BLOSC || process.platform !== 'linux') return null
  for (const prefix of ['/usr', '/usr/local']) {
    if (!fs.existsSync(path.join(prefix, 'include', 'blosc.h'))) continue
    const dirs = [path.join(prefix, 'lib')]
    try {
      for (const d of fs.readdirSync(dirs[0])) if (/-linux-gnu/.test(d)) dirs.push(path.join(prefix, 'lib', d))
    } catch {
      continue
    }
    for (const dir of dirs) {
      const blosc = path.join(dir, 'libblosc.a')
      const codecs = CODECS.map((n) => path.join(dir, n))
      if (fs.existsSync(blosc) && codecs.every((a) => fs.existsSync(a))) {
        return { blosc, codecs, include: path.join(prefix, 'include') }
      }
    }
  }
  return null
}

/** The archives to link (blosc's copy first, made now) and the include folder, or null. */
function find() {
  const found = locate()
  if (!found) return null
  const dir = path.join(__dirname, '..', 'native', 'build', 'blosc')
  const copy = path.join(dir, 'libblosc.a')
  try {
    fs.mkdirSync(dir, { recursive: true })
    const r = spawnSync('objcopy', ['--redefine-sym', 'stderr=arrayscope_blosc_stderr', found.blosc, copy], {
      encoding: 'utf8'
    })
    if (r.status !== 0) return null
  } catch {
    return null
  }
  return { libs: [copy, ...found.codecs], include: found.include }
}

module.exports = { find, locate, PACKAGES }
if (require.main === module) {
  const found = find()
  if (process.argv.includes('--include')) process.stdout.write(found ? found.include : '')
  else process.stdout.write(found ? found.libs.join(' ') : '')
}
