// Export against numpy's tofile: raw bytes and text (sep/format) byte for byte, .npy loading in numpy,
// over the dtypes numpy has, both orders and a slice.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

const DTYPES = [
  '?',
  'i1',
  'u1',
  '<i2',
  '>i2',
  '<u4',
  '>u4',
  '<i8',
  '>u8',
  '<f2',
  '>f2',
  '<f4',
  '>f4',
  '<f8',
  '>f8',
  '<c8',
  '>c16'
]

describe.each(DTYPES)('%s', (dt) => {
  it.each(['C', 'F'] as const)('order %s: raw and text equal tofile byte for byte, .npy loads equal', async (order) => {
    const tag = `${dt.replace(/[<>|?]/g, (c) => ({ '<': 'le', '>': 'be', '|': '', '?': 'b' })[c]!)}-${order}`
    const src = path.join(tmp.dir, `src-${tag}.bin`)
    const slice = '1:, ::-2'
    const refs = py<{ raw: string; text: string; fmt: string | null }>(`
rng = np.random.default_rng(9)
dt = np.dtype('${dt}')
if dt.kind == 'b': a = rng.integers(0, 2, (6, 7)).astype(dt)
elif dt.kind in 'iu': a = rng.integers(0 if dt.kind == 'u' else -100, 100, (6, 7)).astype(dt)
else:
    a = (rng.standard_normal((6, 7)) * 1000).astype(dt)
    a[0, 1] = np.nan; a[2, 3] = np.inf; a[4, 5] = -0.0
with open(${JSON.stringify(src)}, 'wb') as f:
    f.write(b'\\x07' * 5); f.write(a.tobytes(order='${order}'))
m = np.memmap(${JSON.stringify(src)}, dtype=dt, mode='r', offset=5, shape=(6, 7), order='${order}')
v = m[${slice}]
v.tofile(${JSON.stringify(src)} + '.raw')
v.tofile(${JSON.stringify(src)} + '.txt', sep=', ')
fmt = None
if dt.kind != 'c':
    v.tofile(${JSON.stringify(src)} + '.fmt', sep='\\n', format='%.6g')
    fmt = open(${JSON.stringify(src)} + '.fmt').read()
print(json.dumps({'raw': open(${JSON.stringify(src)} + '.raw', 'rb').read().hex(), 'text': open(${JSON.stringify(src)} + '.txt').read(), 'fmt': fmt}))`)
    const layout = ['--dtype', dt, '--shape', '6,7', '--offset', '5', '--order', order, '--slice', slice]
    const raw = path.join(tmp.dir, `out-${tag}.raw`)
    expect((await runCli(['export', src, ...layout, '--out', raw, '--as', 'raw'])).code).toBe(0)
    expect(fs.readFileSync(raw).toString('hex')).toBe(refs.raw)
    const text = path.join(tmp.dir, `out-${tag}.txt`)
    expect((await runCli(['export', src, ...layout, '--out', text, '--as', 'text', '--sep', ', '])).code).toBe(0)
    expect(fs.readFileSync(text, 'utf8')).toBe(refs.text)
    if (refs.fmt !== null) {
      const fmt = path.join(tmp.dir, `out-${tag}.fmt`)
      expect(
        (await runCli(['export', src, ...layout, '--out', fmt, '--as', 'text', '--sep', '\\n', '--fmt', '%.6g'])).code
      ).toBe(0)
      expect(fs.readFileSync(fmt, 'utf8')).toBe(refs.fmt)
    }
    const npy = path.join(tmp.dir, `out-${tag}.npy`)
    expect((await runCli(['export', src, ...layout, '--out', npy])).code).toBe(0)
    const same = py<boolean>(`
m = np.memmap(${JSON.stringify(src)}, dtype='${dt}', mode='r', offset=5, shape=(6, 7), order='${order}')
b = np.load(${JSON.stringify(npy)})
a = np.asarray(m[${slice}])
print(json.dumps(bool(a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in 'fc'))))`)
    expect(same).toBe(true)
  })
})

it('--to-dtype casts values like astype for in-range values', async () => {
  const src = path.join(tmp.dir, 'cast.bin')
  const ref = py<string>(`
a = np.array([1.5, -2.25, 300.0, 7.0], dtype='<f8'); a.tofile(${JSON.stringify(src)})
print(json.dumps(a.astype('>f4').tobytes().hex()))`)
  const out = path.join(tmp.dir, 'cast.out')
  expect((await runCli(['export', src, '--dtype', '<f8', '--out', out, '--to-dtype', '>f4'])).code).toBe(0)
  expect(fs.readFileSync(out).toString('hex')).toBe(ref)
})

it('a cancelled export leaves nothing behind; --sidecar describes the layout', async () => {
  const { exportView } = await import('../src/main/service/export')
  const { native } = await import('../src/main/service/native')
  const { resolveLayout } = await import('../src/shared/layout')
  const src = path.join(tmp.dir, 'big.f4')
  const fd = fs.openSync(src, 'w')
  fs.ftruncateSync(fd, 64 << 20)
  fs.closeSync(fd)
  const m = new (native().Mapping)(src, 'r')
  const layout = resolveLayout({ dtype: '<f4', shape: null, offset: 0, order: 'C' }, 64 << 20)
  const out = path.join(tmp.dir, 'cancelled.txt')
  let chunks = 0
  await expect(
    exportView(m, layout, { as: 'text', out, sep: ' ' }, { cancelled: () => ++chunks > 3 })
  ).rejects.toMatchObject({ code: 'cancelled' })
  m.close()
  expect(fs.readdirSync(tmp.dir).filter((f) => f.includes('cancelled') || f.includes('.tmp'))).toEqual([])
  const raw = path.join(tmp.dir, 'side.bin')
  const r = await runCli([
    'export',
    src,
    '--dtype',
    '<f4',
    '--shape',
    '4096,-1',
    '--slice',
    '::2',
    '--out',
    raw,
    '--sidecar'
  ])
  expect(r.code).toBe(0)
  expect(JSON.parse(fs.readFileSync(`${raw}.arrayscope.json`, 'utf8'))).toEqual({
    format: 'arrayscope-raw/1',
    dtype: '<f4',
    shape: [2048, 4096],
    order: 'C',
    offset: 0
  })
  expect((await runCli(['info', raw])).stdout).toContain('"shape":[2048,4096]')
})

it('a contiguous view is copied file to file: equal to tofile in r, with unflushed r+ edits and c-mode edits', async () => {
  const { exportView } = await import('../src/main/service/export')
  const { native } = await import('../src/main/service/native')
  const { resolveLayout } = await import('../src/shared/layout')
  const src = path.join(tmp.dir, 'contig.bin')
  // 80 MiB behind a 7-byte header: more than one 64 MiB step, and an odd offset
  const ref = py<string>(`
import hashlib
a = np.random.default_rng(2).standard_normal((5120, 2048)).astype('>f8')
with open(${JSON.stringify(src)}, 'wb') as f:
    f.write(b'HEADER!'); a.tofile(f)
a.tofile(${JSON.stringify(src)} + '.ref')
print(json.dumps(hashlib.sha256(open(${JSON.stringify(src)} + '.ref', 'rb').read()).hexdigest()))`)
  const sha = (file: string): string =>
    py<string>(
      `import hashlib; print(json.dumps(hashlib.sha256(open(${JSON.stringify(file)}, 'rb').read()).hexdigest()))`
    )
  const layout = resolveLayout({ dtype: '>f8', shape: [5120, 2048], offset: 7, order: 'C' }, 7 + 5120 * 2048 * 8)
  const out = path.join(tmp.dir, 'contig.out')
  const progress: number[] = []
  const r = native().Mapping
  const m = new r(src, 'r')
  await exportView(m, layout, { as: 'raw', out }, { onProgress: (done) => progress.push(done) })
  m.close()
  expect(sha(out)).toBe(ref)
  expect(progress.at(-1)).toBe(5120 * 2048)
  expect(progress.length).toBeGreaterThan(1)
  // an edit not yet flushed (r+) and a private one (c) are in the export, as numpy's memmap would write them
  for (const mode of ['r+', 'c'] as const) {
    const e = new r(src, mode)
    e.write(7 + 8 * 12345, new Uint8Array([0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18])) // >f8 pi
    await exportView(e, layout, { as: 'raw', out })
    const back = py<number>(`print(json.dumps(float(np.fromfile(${JSON.stringify(out)}, '>f8')[12345])))`)
    expect([mode, back]).toEqual([mode, Math.PI])
    if (mode === 'r+')
      e.write(7 + 8 * 12345, new Uint8Array(fs.readFileSync(src + '.ref').subarray(8 * 12345, 8 * 12346)))
    e.close()
  }
  expect(sha(out)).not.toBe(ref)
  // cancelled between steps: nothing is left
  const m2 = new r(src, 'r')
  let calls = 0
  await expect(
    exportView(
      m2,
      layout,
      { as: 'raw', out: path.join(tmp.dir, 'contig-cancelled.out') },
      { cancelled: () => ++calls > 1 }
    )
  ).rejects.toMatchObject({ code: 'cancelled' })
  m2.close()
  expect(fs.readdirSync(tmp.dir).filter((f) => f.includes('contig-cancelled') || f.includes('.tmp'))).toEqual([])
  // the r+ edit was put back: the source's data equal the reference again
  expect(
    py<string>(
      `import hashlib; print(json.dumps(hashlib.sha256(open(${JSON.stringify(src)}, 'rb').read()[7:]).hexdigest()))`
    )
  ).toBe(ref)
})

describe('text formats (formatted natively where they can be) equal numpy tofile', () => {
  const FLOAT_FORMATS = [
    '%.6g',
    '%g',
    '%.17g',
    '%.0g',
    '%e',
    '%.3E',
    '%f',
    '%.0f',
    '%10.4f',
    '%-12.3e|',
    '%+.2f',
    '% .3g',
    '%08.2f',
    'x=%G;',
    '%%%.2f%%',
    '%.30f',
    '%F',
    '%#.3g',
    '%s',
    '%r'
  ]
  const INT_FORMATS = ['%d', '%5d', '%-5d|', '%+d', '% d', '%.4d', '%08.3d', '%i', '%u', '%.3g', '%e', '%x', '%#o']
  const cases: [string, string[]][] = [
    ['<f4', FLOAT_FORMATS],
    ['>f8', FLOAT_FORMATS],
    ['<f2', FLOAT_FORMATS],
    ['<i8', INT_FORMATS],
    ['>u8', INT_FORMATS],
    ['u1', INT_FORMATS],
    ['?', INT_FORMATS],
    ['>i2', INT_FORMATS]
  ]
  it.each(cases)('%s', async (dt, formats) => {
    const tag = dt.replace(/[<>|?]/g, (c) => ({ '<': 'le', '>': 'be', '|': '', '?': 'b' })[c]!)
    const src = path.join(tmp.dir, `fmt-${tag}.bin`)
    // exact binary ties (k / 2^j), extremes, specials; 2-D so that CSV has rows
    const refs = py<Record<string, { text: string; csv: string }>>(`
dt = np.dtype('${dt}')
if dt.kind == 'f':
    xs = [k / 2**j for k in range(-40, 41, 3) for j in range(1, 9)]
    xs += [0.0, -0.0, 1e-300, 123456789.0, 0.1, 2.5, -3.5, 1e300, 65504.0, 6e-8, np.nan, np.inf, -np.inf]
    a = np.array(xs, dtype=np.float64).astype(dt)
elif dt.kind == 'b':
    a = np.array([True, False] * 20, dtype=dt)
else:
    info = np.iinfo(dt)
    xs = [info.min, info.max, 0, 1, -1 if info.min < 0 else 2, 7, 99, 12345 % (int(info.max) + 1)]
    a = np.array(xs * 5, dtype=dt)
a = a[: a.size // 4 * 4].reshape(-1, 4)
a.tofile(${JSON.stringify(src)})
out = {}
for f in ${JSON.stringify(formats)}:
    p = ${JSON.stringify(src)} + '.ref'
    a.tofile(p, sep='; ', format=f)
    text = open(p).read()
    out[f] = {'text': text, 'csv': '\\n'.join(','.join(f % v for v in row) for row in a.tolist()) + '\\n'}
    out[f]['n'] = a.shape[0]
print(json.dumps(out))`)
    const rows =
      fs.statSync(src).size / (dt === '?' || dt === 'u1' ? 1 : dt.endsWith('2') ? 2 : dt.endsWith('4') ? 4 : 8) / 4
    for (const f of formats) {
      const layout = ['--dtype', dt, '--shape', `${rows},4`]
      const out = path.join(tmp.dir, `fmt-${tag}.txt`)
      // one output file per dtype, replaced format after format (--force)
      const r = await runCli([
        'export',
        src,
        ...layout,
        '--out',
        out,
        '--force',
        '--as',
        'text',
        '--sep',
        '; ',
        '--fmt',
        f
      ])
      expect([f, r.code]).toEqual([f, 0])
      expect([f, fs.readFileSync(out, 'utf8')]).toEqual([f, refs[f]!.text])
      if (f === '%s' || f === '%r') continue // numpy's CSV equivalent is not Python's str of the list's floats
      const csv = path.join(tmp.dir, `fmt-${tag}.csv`)
      expect((await runCli(['export', src, ...layout, '--out', csv, '--force', '--as', 'csv', '--fmt', f])).code).toBe(
        0
      )
      expect([f, fs.readFileSync(csv, 'utf8')]).toEqual([f, refs[f]!.csv])
    }
  })
})
