// Shared by the tests of the scientific containers: python that turns a reference library's values into the JSON
// `show --json` prints (numpy's .tolist() with NaN/±Inf as strings, complex as [re, im], records as objects), and
// the CLI calls the tests make.
import { expect } from 'vitest'
import { runCli } from './cli'

/** Python: js(a) → what `arrayscope show --json` prints for the array a. */
export const JS_PY = `
def js(a):
    a = np.asarray(a)
    if a.dtype.names:
        if a.ndim == 0:
            return {n: js(a[n]) for n in a.dtype.names if n}
        return [js(x) for x in a]
    if a.ndim:
        return [js(x) for x in a]
    if a.dtype.kind == 'c':
        return [js(a.real), js(a.imag)]
    if a.dtype.kind == 'f':
        x = float(a)
        return 'nan' if x != x else ('inf' if x == float('inf') else ('-inf' if x == -float('inf') else x))
    if a.dtype.kind == 'S':
        return a.item().decode('latin1')
    if a.dtype.kind == 'V':
        return a.tobytes().hex()
    v = a.item()
    if isinstance(v, int) and abs(v) > 2**53:
        return str(v)
    return v
`

export interface LsEntry {
  name: string
  dtype: string
  shape: number[]
  order: 'C' | 'F'
  offset: number
  nbytes: number
  storedType: string
  aliases?: string[]
  file?: string
  strides?: number[]
  scaling?: string
  storedDtype?: string
  scaledDtype?: string
  values?: 'scaled' | 'stored'
  chunks?: number[]
  filters?: string[]
  unmappable?: string
  remedy?: string
}

export async function ls(file: string): Promise<LsEntry[]> {
  const r = await runCli(['ls', file, '--json'])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout) as LsEntry[]
}

/** `show --json` of an array (extra flags: --slice, --stored …). */
export async function show(file: string, array: string | null, ...flags: string[]): Promise<unknown> {
  const r = await runCli(['show', file, ...(array === null ? [] : ['--array', array]), '--json', ...flags])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout)
}

export async function stats(file: string, array: string | null, ...flags: string[]): Promise<Record<string, unknown>> {
  const r = await runCli(['stats', file, ...(array === null ? [] : ['--array', array]), '--json', ...flags])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout) as Record<string, unknown>
}
