// A whole text exported to .npy or raw in one pass (text-export.ts, issue 33): the pass writes the values
// straight into the export, so no copy is made in the temp folder; the .npy equals np.loadtxt's array (its
// shape, its order), split passes too; an error or a cancel leaves nothing behind, the source is never the target.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const { dir, cleanup } = tempDir()
afterAll(cleanup)
const saved = {
  tmp: process.env.TMPDIR,
  split: process.env.ARRAYSCOPE_TEXT_SPLIT_MB,
  segment: process.env.ARRAYSCOPE_TEXT_SEGMENT_KB
}
afterEach(() => {
  for (const [k, v] of [
    ['TMPDIR', saved.tmp],
    ['ARRAYSCOPE_TEXT_SPLIT_MB', saved.split],
    ['ARRAYSCOPE_TEXT_SEGMENT_KB', saved.segment]
  ] as const) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
})
let n = 0

/** A folder of its own holding a CSV of rows × 3 values with a header; returns both. */
function csv(rows: number, extra = ''): { folder: string; src: string } {
  const folder = path.join(dir, `f${n++}`)
  fs.mkdirSync(folder)
  const src = path.join(folder, 'data.csv')
  const body = Array.from({ length: rows }, (_, i) => `${i},${i / 7},-${i}e-3\n`).join('')
  fs.writeFileSync(src, `a,b,c\n${body}${extra}`)
  return { folder, src }
}

const loads = (npy: string, expr: string): boolean =>
  py<boolean>(`
a = np.load(${JSON.stringify(npy)})
b = ${expr}
print(json.dumps(a.dtype == b.dtype and a.shape == b.shape and a.flags.f_contiguous == b.flags.f_contiguous and a.tobytes('A') == b.tobytes('A')))`)

describe('export of a whole text in one pass', () => {
  test('no copy in the temp folder: a TMPDIR that does not exist does not stop the conversion', async () => {
    const { folder, src } = csv(200)
    const out = path.join(folder, 'data.npy')
    process.env.TMPDIR = path.join(dir, 'no-such-folder')
    const r = await runCli(['export', src, '--sep', ',', '--skip-rows', '1', '--out', out])
    expect(r.stderr).toMatch(/wrote \d+ bytes/)
    expect(r.code).toBe(0)
    delete process.env.TMPDIR
    expect(loads(out, `np.loadtxt(${JSON.stringify(src)}, delimiter=',', skiprows=1)`)).toBe(true)
  })

  test.each([
    ['C order, shape inferred', [], `np.loadtxt(SRC, delimiter=',', skiprows=1)`],
    ['a shape given with -1', ['--shape', '3,-1'], `np.loadtxt(SRC, delimiter=',', skiprows=1).reshape(3, -1)`],
    [
      'Fortran order',
      ['--shape', '50,-1', '--order', 'F', '--dtype', '>f4'],
      `np.loadtxt(SRC, delimiter=',', skiprows=1).astype('>f4').ravel().reshape((50, -1), order='F')`
    ]
  ])('%s, one pass and in segments, equals numpy', async (_, flags, expr) => {
    const { folder, src } = csv(1000)
    for (const split of ['100000', '0']) {
      process.env.ARRAYSCOPE_TEXT_SPLIT_MB = split
      process.env.ARRAYSCOPE_TEXT_SEGMENT_KB = '1' // segments of 1 KiB: each written after the .npy header's room
      const out = path.join(folder, `out-${split}.npy`)
      const r = await runCli(['export', src, '--sep', ',', '--skip-rows', '1', ...flags, '--out', out])
      expect(r.code, r.stderr).toBe(0)
      expect(loads(out, expr.replace('SRC', JSON.stringify(src))), `split ${split}`).toBe(true)
    }
    expect(fs.readdirSync(folder).sort()).toEqual(['data.csv', 'out-0.npy', 'out-100000.npy'])
  })

  test('raw: the values as tofile writes them', async () => {
    const { folder, src } = csv(300)
    const out = path.join(folder, 'data.f8')
    expect((await runCli(['export', src, '--sep', ',', '--skip-rows', '1', '--as', 'raw', '--out', out])).code).toBe(0)
    const want = py<boolean>(`
print(json.dumps(open(${JSON.stringify(out)}, 'rb').read() == np.loadtxt(${JSON.stringify(src)}, delimiter=',', skiprows=1).tobytes()))`)
    expect(want).toBe(true)
  })

  test.each([
    ['a bad value', 'x,1,2\n', [], /line 502, column 1: cannot read 'x,1,2'/],
    ['a ragged row', '1,2\n', [], /line 502 has 2 values, the rows before it have 3/],
    ['a shape that does not divide the values', '', ['--shape', '7,-1'], /holds 1500 values .*cannot divide them/]
  ])('%s: the error said, nothing left beside the target (split or not)', async (_, extra, flags, message) => {
    const { folder, src } = csv(500, extra)
    for (const split of ['100000', '0']) {
      process.env.ARRAYSCOPE_TEXT_SPLIT_MB = split
      process.env.ARRAYSCOPE_TEXT_SEGMENT_KB = '1'
      const r = await runCli(['export', src, '--sep', ',', '--skip-rows', '1', ...flags, '--out', `${folder}/o.npy`])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(message)
      expect(fs.readdirSync(folder)).toEqual(['data.csv'])
    }
  })

  test('the text itself is never the target; an existing target needs --force', async () => {
    const { folder, src } = csv(10)
    const r = await runCli(['export', src, '--sep', ',', '--skip-rows', '1', '--as', 'raw', '--out', src, '--force'])
    expect(r.stderr).toMatch(/is the file being exported/)
    const out = path.join(folder, 'x.npy')
    fs.writeFileSync(out, 'keep')
    const again = await runCli(['export', src, '--sep', ',', '--skip-rows', '1', '--out', out])
    expect(again.stderr).toMatch(/exists: add --force/)
    expect(fs.readFileSync(out, 'utf8')).toBe('keep')
  })

  test.each([
    ['one pass', '100000'],
    ['in segments of 64 KiB', '0']
  ])('a cancel stops the pass (%s) and leaves nothing; progress is reported on the way', async (_, split) => {
    process.env.ARRAYSCOPE_TEXT_SPLIT_MB = split
    process.env.ARRAYSCOPE_TEXT_SEGMENT_KB = '64'
    const { folder, src } = csv(400_000)
    const service = new ArrayService({ watchIntervalMs: 0 })
    const progress: number[] = []
    const job = service.exportText(
      {
        path: src,
        layout: { dtype: '<f8', shape: null, offset: 0, order: 'C', text: { sep: ',', skip: 1 } },
        mode: 'r'
      },
      { as: 'npy', out: path.join(folder, 'o.npy') },
      { overwrite: false, howToReplace: '' },
      (done) => {
        progress.push(done)
        if (progress.length === 1) job.cancel()
      }
    )
    await expect(job.promise).rejects.toMatchObject({ code: 'cancelled' })
    expect(progress.length).toBeGreaterThan(0)
    expect(fs.readdirSync(folder)).toEqual(['data.csv'])
  })
})
