// The reference corpus (test/corpus.test.ts): the test data shipped inside astropy, scipy, numpy and nibabel,
// read once by those libraries (corpus-reference.py saves every array they give as .npy), then listed and
// exported by ArrayScope in-process, and the two compared by numpy in one more python process.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { runCli } from './cli'
import type { LsEntry } from './formats'
import { pythonPath } from './python'

export interface RefArray {
  name: string
  dtype?: string
  shape?: number[]
  /** The library's values, saved as .npy. */
  npy?: string
  /** Why the library gives no plain array (a MATLAB cell or struct). */
  kind?: string
  /** The library refused this array (it does not count). */
  refused?: string
}

export interface RefFile {
  lib: string
  file: string
  arrays: RefArray[]
  /** The library refused the whole file (its arrays do not count). */
  refused: string | null
}

export type Verdict = 'equal' | 'listed' | 'wrong' | 'crashed'

export interface Outcome {
  lib: string
  file: string
  name: string
  verdict: Verdict
  /** listed: the reason ArrayScope gives; wrong/crashed: what differs or the error. */
  reason?: string
}

/** Runs the libraries over their shipped test data; the manifest of what they read. */
export function referenceCorpus(dir: string): RefFile[] {
  const script = path.join(__dirname, 'corpus-reference.py')
  const r = spawnSync(pythonPath(), [script, dir], { encoding: 'utf8', maxBuffer: 1 << 26 })
  if (r.status !== 0) throw new Error(`corpus-reference.py failed: ${r.stderr}`)
  return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as RefFile[]
}

/** ArrayScope's entry for a reference array: by the format's naming (docs/formats.md). */
export function entryFor(ref: RefFile, a: RefArray, entries: LsEntry[]): LsEntry | undefined {
  const byName = (n: string): LsEntry | undefined => entries.find((e) => e.name === n || (e.aliases ?? []).includes(n))
  if (ref.lib === 'nibabel' && ref.file.endsWith('.mnc')) {
    // MINC 1 is NetCDF-3, MINC 2 is HDF5: the normalised image beside the stored one (an integer image), else the
    // image variable itself (a float image, which nibabel does not normalise)
    return (
      byName('image (normalised)') ??
      byName('/minc-2.0/image/0/image (normalised)') ??
      byName('image') ??
      byName('/minc-2.0/image/0/image')
    )
  }
  // single-array files (a .npy, NIfTI): the file's one array
  if (a.name === '') return entries.length === 1 ? entries[0] : undefined
  return byName(a.name)
}

/** A message from the CLI's stderr, on one line. */
const said = (stderr: string): string =>
  stderr
    .replace(/^arrayscope: /, '')
    .trim()
    .split('\n')[0] ?? ''

export interface Pending {
  outcome: Outcome
  ref: string
  got: string
}

/**
 * ArrayScope's side for one file: `ls --json`, then each array exported as .npy (the values `show` prints first:
 * scaled where the format's reader scales). Outcomes decided here (listed, crashed) are final; the exported ones
 * wait for the comparison.
 */
export async function readFile(ref: RefFile, out: string, seq: { n: number }): Promise<(Outcome | Pending)[]> {
  const counted = ref.arrays.filter((a) => a.refused === undefined)
  const base = { lib: ref.lib, file: path.basename(ref.file) }
  const each = (verdict: Verdict, reason: string): Outcome[] =>
    counted.map((a) => ({ ...base, name: a.name, verdict, reason }))
  let r
  // a .npy is one array, not a container: `ls` does not apply, the export reads it
  const single = ref.file.endsWith('.npy')
  try {
    r = single ? { code: 0, stdout: '[]', stderr: '' } : await runCli(['ls', ref.file, '--json'])
  } catch (e) {
    return each('crashed', `ls threw ${String(e)}`)
  }
  if (r.code === 1) return each('crashed', `ls exit 1: ${said(r.stderr)}`)
  if (r.code !== 0) return each('listed', `file refused: ${said(r.stderr)}`)
  const entries = JSON.parse(r.stdout) as LsEntry[]
  const results: (Outcome | Pending)[] = []
  for (const a of counted) {
    const o: Outcome = { ...base, name: a.name, verdict: 'listed' }
    const e = single ? ({ name: '' } as LsEntry) : entryFor(ref, a, entries)
    if (!e) {
      results.push({ ...o, verdict: 'wrong', reason: `not in ls (${entries.map((x) => x.name).join(', ')})` })
      continue
    }
    if (e.unmappable !== undefined) {
      results.push({ ...o, reason: e.unmappable })
      continue
    }
    if (a.kind !== undefined) {
      results.push({ ...o, verdict: 'wrong', reason: `a ${a.kind} shown as ${e.dtype}` })
      continue
    }
    const got = path.join(out, `got-${++seq.n}.npy`)
    const args = ['export', ref.file, ...(single || (a.name === '' && entries.length === 1) ? [] : ['--array', e.name])]
    try {
      r = await runCli([...args, '--out', got, '--as', 'npy'])
    } catch (x) {
      results.push({ ...o, verdict: 'crashed', reason: `export threw ${String(x)}` })
      continue
    }
    if (r.code === 1) results.push({ ...o, verdict: 'crashed', reason: `export exit 1: ${said(r.stderr)}` })
    else if (r.code !== 0) results.push({ ...o, reason: `refused: ${said(r.stderr)}` })
    else results.push({ outcome: o, ref: a.npy!, got })
  }
  return results
}

const COMPARE_PY = `
import json, sys, numpy as np
def same(a, b):
    if a.shape != b.shape:
        return 'shape %s, the library %s' % (b.shape, a.shape)
    if a.dtype.names or b.dtype.names:
        if a.dtype.names != b.dtype.names:
            return 'fields %s, the library %s' % (b.dtype.names, a.dtype.names)
        for n in a.dtype.names:
            d = same(a[n], b[n])
            if d:
                return '%s: %s' % (n, d)
        return None
    if a.dtype.kind != b.dtype.kind:
        return 'dtype %s, the library %s' % (b.dtype.str, a.dtype.str)
    if a.dtype.kind == 'V':
        return None if a.tobytes() == b.tobytes() else 'bytes differ'
    eq = np.array_equal(a, b, equal_nan=a.dtype.kind in 'fc')
    if not eq:
        i = np.argwhere(~((a == b) | ((a != a) & (b != b)) if a.dtype.kind in 'fc' else (a == b)).reshape(a.shape))
        w = tuple(i[0]) if len(i) else ()
        return 'values differ (first at %s: %r, the library %r)' % (w, b[w], a[w])
    return None
out = []
for ref, got in json.load(sys.stdin):
    try:
        out.append(same(np.load(ref), np.load(got)))
    except Exception as e:
        out.append('cannot compare: %s' % e)
print(json.dumps(out))
`

/** Compares every exported array with the library's, in one python process (numpy: NaN-aware, any byte order). */
export function compare(pending: Pending[]): Outcome[] {
  const r = spawnSync(pythonPath(), ['-c', COMPARE_PY], {
    input: JSON.stringify(pending.map((p) => [p.ref, p.got])),
    encoding: 'utf8',
    maxBuffer: 1 << 26
  })
  if (r.status !== 0) throw new Error(`compare failed: ${r.stderr}`)
  const diffs = JSON.parse(r.stdout) as (string | null)[]
  return pending.map((p, i) =>
    diffs[i] === null
      ? { ...p.outcome, verdict: 'equal', reason: undefined }
      : { ...p.outcome, verdict: 'wrong', reason: diffs[i]! }
  )
}

/** The table the test prints: per library files, arrays and verdicts, the listed ones grouped by reason. */
export function table(files: RefFile[], outcomes: Outcome[]): string {
  const lines: string[] = []
  const libs = [...new Set(files.map((f) => f.lib))]
  lines.push('library                files  arrays  equal  listed  wrong  crashed')
  for (const lib of libs) {
    const os = outcomes.filter((o) => o.lib === lib)
    const n = (v: Verdict): number => os.filter((o) => o.verdict === v).length
    const nf = files.filter((f) => f.lib === lib).length
    lines.push(
      `${lib.padEnd(22)} ${String(nf).padStart(5)}  ${String(os.length).padStart(6)}  ${String(n('equal')).padStart(5)}  ${String(n('listed')).padStart(6)}  ${String(n('wrong')).padStart(5)}  ${String(n('crashed')).padStart(7)}`
    )
  }
  const groups = new Map<string, string[]>()
  for (const o of outcomes.filter((x) => x.verdict !== 'equal')) {
    const key = `${o.verdict}: ${(o.reason ?? '').replace(/\d+/g, 'N').slice(0, 140)}`
    groups.set(key, [...(groups.get(key) ?? []), `${o.file}${o.name ? `:${o.name}` : ''}`])
  }
  for (const [k, v] of groups) lines.push(`  ${k}\n    ${v.join(', ')}`)
  return lines.join('\n')
}
