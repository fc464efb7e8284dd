// Runs zarr-python (Debian's python3-zarr under /usr/bin/python3: the pip index here does not serve zarr;
// scripts/ensure-zarr.js installs it) to write Zarr stores and to read them back as the reference.
import { spawnSync } from 'node:child_process'
import { pythonPath } from './python'

/** Runs a python snippet with numpy as np, zarr and numcodecs imported; returns what it printed, as JSON. */
export function zpy<T = unknown>(code: string): T {
  const r = spawnSync('/usr/bin/python3', ['-c', `import json, numpy as np, zarr, numcodecs\n${code}`], {
    encoding: 'utf8',
    maxBuffer: 1 << 28
  })
  if (r.status !== 0) throw new Error(`python3 (zarr) failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

/** Runs a python snippet in the project's venv with numpy as np, tensorstore as ts and numcodecs; returns its JSON. */
export function tspy<T = unknown>(code: string): T {
  const r = spawnSync(pythonPath(), ['-c', `import json, numpy as np, numcodecs, tensorstore as ts\n${code}`], {
    encoding: 'utf8',
    maxBuffer: 1 << 28
  })
  if (r.status !== 0) throw new Error(`python (tensorstore) failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}
