// NRRD and ENVI, written by hand from their specs (pynrrd is not served by this machine's package index; ENVI
// has no reference library here): the values are numpy's reading of the same bytes as the specs define them.
// NRRD: attached raw data (little-endian), a detached .nhdr naming a big-endian data file with line and byte
// skips, byte skip -1 (the data at the end), a gzip encoding listed with the reason. ENVI: bsq, bil and bip
// interleaves with a header offset and both byte orders, opened from the .hdr or from the data file beside it.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { JS_PY, ls, show, stats } from './helpers/formats'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const d = tmp.dir

describe('NRRD', () => {
  const f = {
    attached: path.join(d, 'vol.nrrd'),
    detached: path.join(d, 'vol.nhdr'),
    tail: path.join(d, 'tail.nrrd'),
    gz: path.join(d, 'gz.nrrd'),
    gzip: path.join(d, 'gzip.nrrd'),
    gzDetached: path.join(d, 'gzvol.nhdr'),
    bz2: path.join(d, 'bz2.nrrd')
  }
  let r: { attached: unknown; detached: unknown; tail: unknown; gzip: unknown; gzDetached: unknown }

  beforeAll(() => {
    r = py(`
${JS_PY}
f = ${JSON.stringify(f)}
d = ${JSON.stringify(d)}
rng = np.random.default_rng(2)
a = rng.integers(-500, 500, (5, 4, 3)).astype('<i2')          # sizes 5 4 3: x fastest (order F)
with open(f['attached'], 'wb') as fh:
    fh.write(b'NRRD0004\\n# a comment\\ntype: short\\ndimension: 3\\nsizes: 5 4 3\\nendian: little\\nencoding: raw\\nspace directions: (1,0,0) (0,1,0) (0,0,1)\\nnote:=made by hand\\n\\n')
    fh.write(a.tobytes(order='F'))
b = rng.standard_normal((6, 2)).astype('>f8')
with open(f['detached'], 'w') as fh:
    fh.write('NRRD0004\\ntype: double\\ndimension: 2\\nsizes: 6 2\\nendian: big\\nencoding: raw\\nline skip: 2\\nbyte skip: 3\\ndata file: vol.raw\\n')
with open(d + '/vol.raw', 'wb') as fh:
    fh.write(b'first line\\nsecond\\nxyz' + b.tobytes(order='F'))
c = np.arange(7, dtype='<u4')
with open(f['tail'], 'wb') as fh:
    fh.write(b'NRRD0005\\ntype: uint32\\ndimension: 1\\nsizes: 7\\nendian: little\\nencoding: raw\\nbyte skip: -1\\n\\n' + b'junk' + c.tobytes())
with open(f['gz'], 'wb') as fh:
    fh.write(b'NRRD0004\\ntype: float\\ndimension: 1\\nsizes: 4\\nencoding: gzip\\n\\n\\x1f\\x8b')
import gzip
g = rng.standard_normal((7, 5, 3)).astype('>f4')
with open(f['gzip'], 'wb') as fh:
    fh.write(b'NRRD0004\\ntype: float\\ndimension: 3\\nsizes: 7 5 3\\nendian: big\\nencoding: gzip\\nbyte skip: 6\\n\\n')
    fh.write(gzip.compress(b'skipme' + g.tobytes(order='F')))
h = rng.integers(0, 60000, (300, 2)).astype('<u2')
with open(f['gzDetached'], 'w') as fh:
    fh.write('NRRD0004\\ntype: ushort\\ndimension: 2\\nsizes: 300 2\\nendian: little\\nencoding: gz\\nline skip: 1\\ndata file: gzvol.raw.gz\\n')
with open(d + '/gzvol.raw.gz', 'wb') as fh:
    fh.write(b'a header line\\n' + gzip.compress(h.tobytes(order='F')))
with open(f['bz2'], 'wb') as fh:
    fh.write(b'NRRD0004\\ntype: float\\ndimension: 1\\nsizes: 4\\nencoding: bzip2\\n\\nBZh9')
print(json.dumps({'attached': js(a), 'detached': js(b), 'tail': js(c), 'gzip': js(g), 'gzDetached': js(h)}))`)
  })

  it('raw data, attached or detached, with skips and byte orders: the sizes as the shape, order F', async () => {
    const [a] = await ls(f.attached)
    expect(a).toMatchObject({ name: 'data', dtype: '<i2', shape: [5, 4, 3], order: 'F', storedType: 'short' })
    expect(await show(f.attached, null)).toEqual(r.attached)
    const [b] = await ls(f.detached)
    expect(b).toMatchObject({ dtype: '>f8', shape: [6, 2], file: 'vol.raw', offset: 21 })
    expect(await show(f.detached, null)).toEqual(r.detached)
    const [c] = await ls(f.tail)
    expect(c!.offset).toBe(fs.statSync(f.tail).size - 28)
    expect(await show(f.tail, null)).toEqual(r.tail)
    expect((await stats(f.attached, null)).count).toBe(60)
  })

  it('gzip encoding, inline or in a detached .raw.gz, opens through an inflated copy (#28): values as numpy', async () => {
    const [g] = await ls(f.gzip)
    expect(g).toMatchObject({ dtype: '>f4', shape: [7, 5, 3], order: 'F', offset: 6 })
    expect(await show(f.gzip, null)).toEqual(r.gzip)
    const [h] = await ls(f.gzDetached)
    expect(h).toMatchObject({ dtype: '<u2', shape: [300, 2], file: 'gzvol.raw.gz' })
    expect(await show(f.gzDetached, null)).toEqual(r.gzDetached)
    expect((await stats(f.gzDetached, null)).count).toBe(600)
  })

  it('key/values are metadata; a truncated gzip stream is an error; other encodings are listed with the reason', async () => {
    const info = JSON.parse((await runCli(['info', f.attached])).stdout) as Record<string, unknown>
    expect(info).toMatchObject({ format: 'nrrd', array: 'data', shape: [5, 4, 3] })
    const cut = await runCli(['ls', f.gz])
    expect(cut.code).toBe(2)
    expect(cut.stderr).toMatch(/the data is truncated|not a gzip stream/)
    const [b] = await ls(f.bz2)
    expect(b!.unmappable).toMatch(/bzip2-encoded/)
    expect(b!.remedy).toMatch(/unu save -e raw/)
  })
})

describe('ENVI', () => {
  let r: Record<string, unknown>
  const hdr = (name: string): string => path.join(d, `${name}.hdr`)

  beforeAll(() => {
    r = py(`
${JS_PY}
d = ${JSON.stringify(d)}
rng = np.random.default_rng(9)
cube = rng.integers(0, 4000, (3, 4, 5)).astype(np.uint16)      # bands, lines, samples
out = {}
for name, inter, order, dt, typ, ext in (('bsq', 'bsq', 0, '<u2', 12, '.img'), ('bil', 'bil', 1, '>u2', 12, ''), ('bip', 'bip', 0, '<f4', 4, '.dat')):
    x = cube.astype(dt)
    data = {'bsq': x, 'bil': x.transpose(1, 0, 2), 'bip': x.transpose(1, 2, 0)}[inter]
    with open(f'{d}/{name}.hdr', 'w') as fh:
        fh.write(f'ENVI\\ndescription = {{a test\\n cube}}\\nsamples = 5\\nlines   = 4\\nbands   = 3\\nheader offset = 16\\nfile type = ENVI Standard\\ndata type = {typ}\\ninterleave = {inter}\\nbyte order = {order}\\nband names = {{r, g,\\n b}}\\n')
    with open(f'{d}/{name}{ext}', 'wb') as fh:
        fh.write(b'0123456789abcdef' + np.ascontiguousarray(data).tobytes())
    out[name] = js(data)
print(json.dumps(out))`)
  })

  it('bsq, bil and bip: the interleave gives the axes, the data file is found beside the header', async () => {
    const shapes: Record<string, number[]> = { bsq: [3, 4, 5], bil: [4, 3, 5], bip: [4, 5, 3] }
    const files: Record<string, string> = { bsq: 'bsq.img', bil: 'bil', bip: 'bip.dat' }
    const dtypes: Record<string, string> = { bsq: '<u2', bil: '>u2', bip: '<f4' }
    for (const name of ['bsq', 'bil', 'bip']) {
      const [e] = await ls(hdr(name))
      expect(e, name).toMatchObject({
        shape: shapes[name],
        order: 'C',
        offset: 16,
        file: files[name],
        dtype: dtypes[name]
      })
      expect(await show(hdr(name), null), name).toEqual(r[name])
      // the data file opens too (through its header)
      expect(await show(path.join(d, files[name]!), null), name).toEqual(r[name])
    }
    const list = await runCli(['info', hdr('bsq')])
    expect(JSON.parse(list.stdout)).toMatchObject({ format: 'envi', shape: [3, 4, 5] })
  })

  it('a header without its data file says which names it tried', async () => {
    fs.writeFileSync(hdr('lonely'), 'ENVI\nsamples = 2\nlines = 2\nbands = 1\ndata type = 1\n')
    const res = await runCli(['ls', hdr('lonely')])
    expect(res.code).toBe(2)
    expect(res.stderr).toMatch(/no data file for this ENVI header: tried lonely, lonely\.img, lonely\.IMG/)
  })
})
