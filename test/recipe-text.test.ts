// "Copy as code" for text arrays (issue 33): the numpy code given (np.loadtxt for rows, numpy.fromfile(sep=…) for
// a stream) runs in the test venv and reads the values the session shows; the command line given prints them.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import type { LayoutSpecMsg } from '../src/shared/contract'
import { recipe, type RecipeView } from '../src/shared/recipe'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

/** A window's values as numbers (NaN as null), read in the dtype's byte order. */
function numbers(bytes: Uint8Array, dtype: string): (number | null)[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const little = !dtype.startsWith('>')
  const size = dtype.endsWith('8') ? 8 : 4
  return Array.from({ length: bytes.length / size }, (_, k) => {
    const x = dtype.includes('f') ? v.getFloat64(k * 8, little) : v.getInt32(k * 4, little)
    return Number.isNaN(x) ? null : x
  })
}

it('the code and the command line read the values the session shows', async () => {
  const csv = path.join(tmp.dir, 'log.csv')
  const ws = path.join(tmp.dir, 'dump.txt')
  fs.writeFileSync(csv, 'a,b,c\r\n# note\r\n1,2.5,-3\r\n4,nan,6e-3\r\n')
  fs.writeFileSync(ws, 'header line\n1 2 3\n4 5 6\n')
  const cases: [string, LayoutSpecMsg, RecipeView, RegExp][] = [
    [
      csv,
      { dtype: '>f8', shape: null, offset: 0, order: 'C', text: { sep: ',', skip: 1 } },
      { slice: '', rowAxis: 0, colAxis: 1, index: [0, 0] },
      /np\.loadtxt\('.*log\.csv', dtype='<f8', delimiter=',', skiprows=1, comments='#'\)\.astype\('>f8'\)/
    ],
    [
      ws,
      { dtype: '<i4', shape: [3, 2], offset: 0, order: 'C', text: { sep: ' ', skip: 1 } },
      { slice: '1:', rowAxis: 0, colAxis: 1, index: [0, 0] },
      /f\.readline\(\)\na = np\.fromfile\(f, dtype='<i4', sep=' '\)\.reshape\(\(-1, 2\)\)/
    ]
  ]
  const s = new ArrayService({ watchIntervalMs: 0 })
  try {
    for (const [file, layout, view, code] of cases) {
      const info = await s.handle('session:open', { path: file, layout, mode: 'r' })
      const { python, cli } = recipe(info, view, info.layout.shape)
      expect(python).toMatch(code)
      const expected = py<(number | null)[][]>(
        `${python}\nprint(json.dumps([[None if x != x else float(x) for x in r] for r in np.atleast_2d(view).tolist()]))`
      )
      const w = await s.handle('window:get', {
        session: info.session,
        generation: 1,
        view,
        row0: 0,
        rows: expected.length,
        col0: 0,
        cols: expected[0]!.length
      })
      expect(numbers(w.bytes, layout.dtype)).toEqual(expected.flat())
      // the command line given prints the same view
      const argv = (cli.match(/'[^']*'|\S+/g) ?? []).slice(1).map((x) => x.replace(/^'(.*)'$/, '$1'))
      const r = await runCli(argv)
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      const printed = py<string>(`${python}\nprint(json.dumps(str(view)))`)
      expect(r.stdout.trim()).toBe(printed)
    }
  } finally {
    s.closeAll()
  }
})
