// Runs numpy (python3) to make fixtures and to compute reference answers.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pythonPath } from './python'

/** Runs a python snippet with numpy imported as np; returns what it printed, parsed as JSON. */
export function py<T = unknown>(code: string): T {
  const r = spawnSync(pythonPath(), ['-c', `import json, numpy as np\n${code}`], {
    encoding: 'utf8',
    maxBuffer: 1 << 28
  })
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arrayscope-test-'))
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

/** Every numpy dtype the engine reads, in both byte orders where that means something. */
export const NUMPY_DTYPES = [
  '?',
  'i1',
  'u1',
  '<i2',
  '>i2',
  '<u2',
  '>u2',
  '<i4',
  '>i4',
  '<u4',
  '>u4',
  '<i8',
  '>i8',
  '<u8',
  '>u8',
  '<f2',
  '>f2',
  '<f4',
  '>f4',
  '<f8',
  '>f8'
] as const

/** The same with complex types. */
export const NUMPY_DTYPES_COMPLEX = [...NUMPY_DTYPES, '<c8', '>c8', '<c16', '>c16'] as const
