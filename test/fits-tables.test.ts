// FITS tables against astropy (issue 28 item 3). TDIM: a cell's TDIMn (reversed to numpy's order) shapes the
// column's field, one value too (astropy's own tdim.fits: TDIM2 = '(1,1)' on a 1E column gives (3, 1, 1) for 3
// rows), N-D cells, and a TDIM that does not match the repeat count is ignored as astropy ignores it. Random
// groups (astropy's random_groups.fits and group.fits, and one it writes with an extension after it): records of
// the parameters (repeated names as astropy renames them) and DATA, equal to astropy's stored values. ASCII
// tables (astropy's ascii.fits, ascii_i4-i20.fits and one with A/I/F/E/D fields, a TNULL and an empty field):
// astropy's dtypes and values; text that is not a number is refused when opened, naming its row and field.
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
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

it('ASCII tables are records of their fields, the numbers parsed as astropy parses them', async () => {
  const file = path.join(tmp.dir, 'a.fits')
  const cases = py<{ file: string; descr: [string, string][]; values: unknown }[]>(`
import astropy, os
from astropy.io import fits
${JS_PY}
cols = [fits.Column('name', format='A6', array=['ab', 'cdef', 'g', 'hi', 'xyz']),
        fits.Column('i', format='I6', array=np.array([1, -20, 300, 0, 7])),
        fits.Column('f', format='F9.3', array=np.array([1.5, -2.25, 1e3, 0.001, 3.0])),
        fits.Column('e', format='E12.5', array=np.array([1.5e-10, -2.5e20, 3.0, 0.0, 1.0])),
        fits.Column('d', format='D20.12', null='-99', array=np.array([1 / 3, 2.0, -1e100, 5.0, 6.0]))]
t = fits.TableHDU.from_columns(cols)
fits.HDUList([fits.PrimaryHDU(), t]).writeto(${JSON.stringify(file)})
# a null field (TNULL5 = '-99'), an empty one (blank text): NaN
raw = bytearray(open(${JSON.stringify(file)}, 'rb').read())
with fits.open(${JSON.stringify(file)}) as f:
    h = f[1]
    start, width = h._data_offset, h.header['NAXIS1']
    for row, col, text in ((3, 5, '-99'), (4, 4, '')):
        at = start + row * width + h.header[f'TBCOL{col}'] - 1
        w = int(h.header[f'TFORM{col}'][1:].split('.')[0])
        raw[at:at + w] = text.rjust(w).encode()
open(${JSON.stringify(file)}, 'wb').write(raw)
# text that is not a number in the integer column: astropy refuses the column, so does opening it here
at = start + 2 * width + h.header['TBCOL2'] - 1
raw[at:at + 6] = b'  12x4'
open(${JSON.stringify(file.replace('.fits', '-bad.fits'))}, 'wb').write(raw)
# a field card past the row: that table is listed with the reason
i = raw.find(b'TBCOL2  =')
raw[i:i + 80] = b'TBCOL2  =                  999'.ljust(80)
open(${JSON.stringify(file.replace('.fits', '-card.fits'))}, 'wb').write(raw)
data = os.path.join(os.path.dirname(astropy.__file__), 'io', 'fits', 'tests', 'data')
out = []
for p in (os.path.join(data, 'ascii.fits'), os.path.join(data, 'ascii_i4-i20.fits'), ${JSON.stringify(file)}):
    with fits.open(p) as f:
        d = f[1].data
        # text fields: bytes (S) as the records hold them; astropy's column view decodes them (U)
        out.append({'file': p, 'descr': [[n, d[n].dtype.str.replace('U', 'S')] for n in d.dtype.names],
                    'values': [{n: js(r[n]) for n in d.dtype.names} for r in d]})
print(json.dumps(out))
`)
  for (const c of cases) {
    const [, entry] = await ls(c.file)
    // astropy's dtypes (native byte order here)
    expect(
      (JSON.parse(entry!.dtype) as [string, string][]).map(([n, t]) => [n, t.slice(1)]),
      c.file
    ).toEqual(c.descr.map(([n, t]) => [n, t.slice(1)]))
    expect(await show(c.file, '1'), c.file).toEqual(c.values)
  }
  const bad = file.replace('.fits', '-bad.fits')
  expect((await ls(bad))[1]!.unmappable).toBeUndefined()
  const r = await runCli(['show', bad, '--array', '1'])
  expect(r.code).toBe(2)
  expect(r.stderr).toMatch(/row 2, field 2 \(I6\): " {2}12x4" is not an integer of i4/)
  const card = await ls(file.replace('.fits', '-card.fits'))
  expect(card[1]!.unmappable).toMatch(/TBCOL2 = 999 puts a field of 6 characters outside rows of \d+/)
  const hex = await runCli(['hex', file, '--array', '1'])
  expect(hex.code).toBe(2)
  expect(hex.stderr).toMatch(
    /FITS ASCII table whose numbers are parsed from its text \(at byte \d+\): hex the file with --offset/
  )
})
