// Which python runs the reference libraries: the project's .venv (scripts/ensure-venv.js creates it with the
// pinned requirements-test.txt) when it exists, else the system's python3.
import fs from 'node:fs'
import path from 'node:path'

const ROOT = path.join(__dirname, '..', '..')

export function pythonPath(): string {
  const venv = path.join(ROOT, '.venv', process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python')
  return fs.existsSync(venv) ? venv : 'python3'
}
