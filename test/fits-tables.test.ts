// FITS tables against astropy (issue 28 item 3). TDIM: a cell's TDIMn (reversed to numpy's order) shapes the
// column's field, one value too (astropy's own tdim.fits: TDIM2 = '(1,1)' on a 1E column gives (3, 1, 1) for 3
// rows), N-D cells, and a TDIM that does not match the repeat count is ignored as astropy ignores it. Random
// groups (astropy's random_groups.fits and group.fits, and one it writes with an extension after it): records of
// the parameters (repeated names as astropy renames them) and DATA, equal to astropy's stored values.
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { JS_PY, ls, show } from './helpers/formats'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

it("TDIM shapes a binary table's cells as astropy does", async () => {
  const file = path.join(tmp.dir, 't.fits')
  const cases = py<{ file: string; columns: Record<string, number[]>; values: Record<string, unknown>[] }[]>(`
import astropy, os
from astropy.io import fits
${JS_PY}
cols = [fits.Column('a', format='6E', dim='(3,2)', array=np.arange(24, dtype='f4').reshape(4, 2, 3)),
        fits.Column('b', format='J', dim='(1,1,1)', array=np.arange(4, dtype='i4').reshape(4, 1, 1, 1)),
        fits.Column('c', format='4I', array=np.arange(16, dtype='i2').reshape(4, 4))]
t = fits.BinTableHDU.from_columns(cols)
t.header['TDIM3'] = '(5,2)'
fits.HDUList([fits.PrimaryHDU(), t]).writeto(${JSON.stringify(file)})
out = []
for p in (os.path.join(os.path.dirname(astropy.__file__), 'io', 'fits', 'tests', 'data', 'tdim.fits'), ${JSON.stringify(file)}):
    with fits.open(p) as f:
        d = f[1].data
        out.append({'file': p, 'columns': {n: list(d[n].shape) for n in d.dtype.names},
                    'values': [{n: js(np.asarray(r[n])) for n in d.dtype.names if d.dtype[n].kind != 'S'} for r in d]})
print(json.dumps(out))
`)
  for (const c of cases) {
    const rows = (await show(c.file, '1')) as Record<string, unknown>[]
    expect(rows.length, c.file).toBe(Object.values(c.columns)[0]![0])
    const picked = rows.map((r) => Object.fromEntries(Object.keys(c.values[0]!).map((n) => [n, r[n]])))
    expect(picked, c.file).toEqual(c.values)
    // each field's cell shape: the column's shape without its row axis
    for (const [name, shape] of Object.entries(c.columns)) {
      if (shape.length > 1) expect(rows[0]![name], `${c.file} ${name}`).toEqual(nested(shape.slice(1), rows[0]![name]))
    }
  }
})

/** v itself, after checking it is nested lists of the given shape. */
function nested(shape: number[], v: unknown): unknown {
  if (shape.length === 0) return v
  expect(Array.isArray(v) && v.length === shape[0]).toBe(true)
  ;(v as unknown[]).forEach((x) => nested(shape.slice(1), x))
  return v
}

it("random groups are records of their parameters and DATA, equal to astropy's stored values", async () => {
  const file = path.join(tmp.dir, 'g.fits')
  const cases = py<
    { file: string; names: string[]; shape: number[]; values: Record<string, unknown>[]; next: unknown }[]
  >(`
import astropy, os
from astropy.io import fits
${JS_PY}
x = fits.GroupData(np.arange(4 * 2 * 3, dtype='>f4').reshape(4, 1, 2, 3), parnames=['UU', 'VV', 'VV'],
                   pardata=[np.arange(4.0), np.arange(4.0) * 2, np.arange(4.0) * 3], bitpix=-32)
# an extension after the groups: found where the groups end
fits.HDUList([fits.GroupsHDU(x), fits.ImageHDU(np.arange(6, dtype='>i2'))]).writeto(${JSON.stringify(file)})
data = os.path.join(os.path.dirname(astropy.__file__), 'io', 'fits', 'tests', 'data')
out = []
for p in (os.path.join(data, 'random_groups.fits'), os.path.join(data, 'group.fits'), ${JSON.stringify(file)}):
    with fits.open(p) as f:
        raw = np.asarray(f[0].data)
        out.append({'file': p, 'names': list(raw.dtype.names), 'shape': list(raw.shape),
                    'values': [{n: js(r[n]) for n in raw.dtype.names} for r in raw],
                    'next': js(f[1].data) if len(f) > 1 else None})
print(json.dumps(out))
`)
  expect(cases.map((c) => c.shape)).toEqual([[3], [10], [4]])
  for (const c of cases) {
    const [entry] = await ls(c.file)
    expect(entry!.shape, c.file).toEqual(c.shape)
    expect(
      (JSON.parse(entry!.dtype) as [string][]).map((f) => f[0]),
      c.file
    ).toEqual(c.names)
    expect(await show(c.file, '0'), c.file).toEqual(c.values)
    if (c.next) expect(await show(c.file, '1'), c.file).toEqual(c.next)
  }
})
