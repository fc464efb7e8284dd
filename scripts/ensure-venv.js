#!/usr/bin/env node
// The tests compare against reference libraries (safetensors, gguf-py, …) pinned in requirements-test.txt.
// Creates .venv (with the system's site packages, so the system numpy stays available) and installs them when
// missing or when requirements-test.txt changed since the last install. Test helpers run .venv/bin/python
// when it exists.
'use strict'
const { spawnSync } = require('node:child_process')
const { createHash } = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const venv = path.join(root, '.venv')
const python = path.join(venv, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python')
const requirements = path.join(root, 'requirements-test.txt')
const stamp = path.join(venv, '.requirements.sha256')
const want = createHash('sha256').update(fs.readFileSync(requirements)).digest('hex')

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root })
  if (r.status !== 0) {
    console.error(`ensure-venv: ${cmd} ${args.join(' ')} failed (status ${r.status})`)
    process.exit(1)
  }
}

if (fs.existsSync(python) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) process.exit(0)
if (!fs.existsSync(python)) {
  console.log('ensure-venv: creating .venv (python3 -m venv --system-site-packages)…')
  run('python3', ['-m', 'venv', '--system-site-packages', venv])
}
console.log('ensure-venv: installing requirements-test.txt…')
// --retries 0: where only a local index answers, pip must not wait on the unreachable default one
run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--retries', '0', '-r', requirements])
fs.writeFileSync(stamp, want)
