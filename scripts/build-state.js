// Whether the native addon and the built app are current: each is stale when its output is missing or older
// than any of its inputs (file modification times, as make decides). `npm install` / `npx arrayscope` run
// postinstall, which builds only what is stale (a current build is left alone: the first `npx arrayscope`
// installs the project into npx's cache and used to sit silent for a minute rebuilding everything).
'use strict'
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')

/** The newest modification time (ms) of the files under the given paths (folders walked), or 0. */
function newest(paths) {
  let t = 0
  const visit = (p) => {
    let st
    try {
      st = fs.statSync(p)
    } catch {
      return
    }
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) if (e !== 'node_modules' && e !== 'build') visit(path.join(p, e))
    } else t = Math.max(t, st.mtimeMs)
  }
  for (const p of paths) visit(p)
  return t
}

/** The oldest modification time of the outputs; -1 when one is missing. */
function oldest(paths) {
  let t = Infinity
  for (const p of paths) {
    try {
      t = Math.min(t, fs.statSync(p).mtimeMs)
    } catch {
      return -1
    }
  }
  return t
}

/** What a part needs: 'missing' (no output), 'stale' (an input is newer) or 'current'. */
function state(part, dir = root) {
  const inputs = part.inputs.map((p) => path.join(dir, p))
  const outputs = part.outputs.map((p) => path.join(dir, p))
  const out = oldest(outputs)
  if (out < 0) return 'missing'
  return newest(inputs) > out ? 'stale' : 'current'
}

const PARTS = {
  native: {
    what: 'the native addon (node-gyp, C++)',
    inputs: ['native/src', 'native/binding.gyp'],
    outputs: ['native/build/Release/arrayscope.node'],
    script: 'build:native'
  },
  app: {
    what: 'the app and the CLI (electron-vite)',
    inputs: ['src', 'electron.vite.config.ts', 'tsconfig.json', 'tsconfig.node.json', 'tsconfig.web.json'],
    outputs: [
      'out/main/cli.js',
      'out/main/index.js',
      'out/main/hdf5-worker.js',
      'out/main/codec-worker.js',
      'out/preload/index.js',
      'out/renderer/index.html'
    ],
    script: 'build'
  }
}

module.exports = { state, newest, oldest, PARTS, root }
