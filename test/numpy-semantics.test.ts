// numpy's semantics, numpy as the reference: assignment to a partial index (fp[0] = 5 fills the row),
// np.memmap's default dtype (uint8) for a raw file given no dtype, and astype(casting=…) for --to-dtype:
// refused exactly when np.can_cast is False (with numpy's message), converted byte for byte as astype converts.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

describe('set with fewer indices than axes', () => {
  it.each([
    ['a row of a 2-D array', [3, 4], '<f4', ['0'], '5', 'fp[0] = 5'],
    ['a negative row', [3, 4], '>i2', ['-1'], '-7', 'fp[-1] = -7'],
    ['a plane of a 3-D array', [2, 3, 4], '<f8', ['1'], '2.5', 'fp[1] = 2.5'],
    ['a row of a plane', [2, 3, 4], 'u1', ['1', '2'], '9', 'fp[1, 2] = 9'],
    ['one element', [2, 3, 4], 'u1', ['1', '2', '3'], '9', 'fp[1, 2, 3] = 9']
  ])('%s', async (_name, shape, dtype, index, value, assignment) => {
    const file = path.join(tmp.dir, `set-${_name.replace(/\W+/g, '-')}.bin`)
    const expected = py<unknown>(`
a = np.arange(${shape.reduce((x, y) => x * y, 1)}).astype('${dtype}').reshape(${shape.join(', ')})
a.tofile(${JSON.stringify(file)})
fp = a.copy()
${assignment}
print(json.dumps(fp.tolist()))`)
    const r = await runCli([
      'set',
      file,
      '--dtype',
      dtype,
      '--shape',
      shape.join(','),
      '--index',
      index.join(','),
      '--value',
      value
    ])
    expect([r.code, r.stderr]).toEqual([0, ''])
    const got = py<unknown>(
      `print(json.dumps(np.fromfile(${JSON.stringify(file)}, '${dtype}').reshape(${shape.join(', ')}).tolist()))`
    )
    expect(got).toEqual(expected)
  })
})

describe("np.memmap's default dtype", () => {
  const file = path.join(tmp.dir, 'default.bin')
  beforeAll(() => {
    py(`np.random.default_rng(2).integers(0, 256, 60, dtype='u1').tofile(${JSON.stringify(file)}); print(1)`)
  })
  it('show with no layout, or only a shape or offset, reads uint8 as np.memmap does', async () => {
    for (const [flags, call] of [
      [[], ''],
      [['--shape', '6,10'], ', shape=(6, 10)'],
      [['--shape', '5,-1', '--offset', '10'], ', shape=(5, 10), offset=10'],
      [['--shape', '6,10', '--order', 'F'], ", shape=(6, 10), order='F'"]
    ] as const) {
      const expected = py<unknown>(`print(json.dumps(np.memmap(${JSON.stringify(file)}, mode='r'${call}).tolist()))`)
      const r = await runCli(['show', file, ...flags, '--json'])
      expect([flags, r.stderr]).toEqual([flags, ''])
      expect(JSON.parse(r.stdout)).toEqual(expected)
    }
  })
  it('stats too', async () => {
    const ref = py<{ min: number; max: number; mean: number }>(
      `m = np.memmap(${JSON.stringify(file)}, mode='r'); print(json.dumps({'min': int(m.min()), 'max': int(m.max()), 'mean': float(m.mean())}))`
    )
    const s = JSON.parse((await runCli(['stats', file, '--json'])).stdout) as {
      count: number
      min: number
      max: number
      mean: number
    }
    expect(s).toMatchObject({ count: 60, min: ref.min, max: ref.max })
    expect(s.mean).toBeCloseTo(ref.mean, 12)
  })
})

describe('--to-dtype with --casting', () => {
  const TYPES = ['?', 'u1', 'i1', 'u2', 'i2', 'u4', 'i4', 'u8', 'i8', '<f2', '<f4', '<f8', '<c8', '<c16', '>f8', '>i4']
  const CASTINGS = ['no', 'equiv', 'safe', 'same_kind', 'unsafe']
  let refs: Record<string, { error: string | null; hex: string | null; keep?: boolean[]; size?: number }>
  beforeAll(() => {
    // values that reach every edge numpy's conversions have: NaN, ±inf, out of every range, fractions, -0
    refs = py(`
import warnings
warnings.simplefilter('ignore')
vals = [np.nan, np.inf, -np.inf, 1e10, -1e10, 3e9, -3e9, 300.7, -300.7, -1.5, 255.9, 256.0, 65536.5, -129.0,
        2.0**63, -2.0**63, 2.0**64, 1.8e19, -0.9, 4294967303.0, 0.5, 1e-300, 70000.0, -0.0, 1.0, 0.0]
out = {}
for f in ${JSON.stringify(TYPES)}:
    if np.dtype(f).kind == 'c':
        a = (np.array(vals) + 1j * np.array(vals[::-1])).astype(f)
    elif np.dtype(f).kind in 'iu':
        info = np.iinfo(f)
        a = np.array([info.min, info.max, 0, 1, 100, 70000 % (int(info.max) + 1), -1 if info.min < 0 else 3] * 3, dtype=f)
    else:
        a = np.array(vals).astype(f)
    a.tofile(${JSON.stringify(tmp.dir)} + '/cast-' + f.replace('<', 'le').replace('>', 'be').replace('?', 'b') + '.bin')
    for t in ${JSON.stringify(TYPES)}:
        for c in ${JSON.stringify(CASTINGS)}:
            try:
                b = a.astype(t, casting=c)
                # numpy's own answer for NaN, inf and out-of-range values into integers depends on the source
                # type and the array's length (SIMD or scalar loop) except from float64/float32: compare those
                # elements only where numpy defines them
                keep = np.ones(a.size, bool)
                if np.dtype(t).kind in 'iu' and np.dtype(f).kind in 'fc' and np.dtype(f) not in (np.dtype('<f8'), np.dtype('>f8'), np.dtype('<f4')):
                    r = a.real.astype('f8')
                    info = np.iinfo(t)
                    keep = np.isfinite(r) & (np.trunc(r) >= info.min) & (np.trunc(r) <= info.max)
                out[f + ' ' + t + ' ' + c] = {'error': None, 'hex': b.tobytes().hex(), 'keep': keep.tolist(), 'size': b.itemsize}
            except TypeError as e:
                out[f + ' ' + t + ' ' + c] = {'error': str(e), 'hex': None}
print(json.dumps(out))`)
  })
  const file = (f: string): string =>
    path.join(tmp.dir, `cast-${f.replace('<', 'le').replace('>', 'be').replace('?', 'b')}.bin`)

  it.each(TYPES)('from %s: refused as numpy refuses, converted byte for byte as astype converts', async (from) => {
    for (const to of TYPES) {
      for (const casting of CASTINGS) {
        const key = `${from} ${to} ${casting}`
        const ref = refs[key]!
        const out = path.join(tmp.dir, `cast-out.bin`)
        const r = await runCli([
          'export',
          file(from),
          '--dtype',
          from,
          '--out',
          out,
          '--force',
          '--to-dtype',
          to,
          '--casting',
          casting
        ])
        if (ref.error) {
          expect([key, r.code]).toEqual([key, 2])
          expect([key, r.stderr]).toEqual([key, expect.stringContaining(ref.error)])
        } else {
          expect([key, r.code, r.stderr]).toEqual([key, 0, expect.stringMatching(/^arrayscope: wrote/)])
          const got = fs.readFileSync(out).toString('hex')
          const element = (hex: string, k: number): string => hex.slice(2 * k * ref.size!, 2 * (k + 1) * ref.size!)
          const kept = (hex: string): string[] => ref.keep!.map((keep, k) => (keep ? element(hex, k) : '-'))
          expect([key, kept(got)]).toEqual([key, kept(ref.hex!)])
        }
      }
    }
  })

  it('checked (the default) converts what fits as astype does and names the first value that does not', async () => {
    const src = path.join(tmp.dir, 'checked.bin')
    const out = path.join(tmp.dir, 'checked-out.bin')
    py(`np.array([[1.5, -2.9, 127.0], [3.0, 128.0, 0.0]]).tofile(${JSON.stringify(src)}); print(1)`)
    const layout = ['--dtype', '<f8', '--shape', '2,3']
    const r = await runCli(['export', src, ...layout, '--out', out, '--to-dtype', 'i1'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/element \(1, 1\): 128 does not fit in \|i1 \[-128, 127\]; nothing was written/)
    expect(fs.existsSync(out)).toBe(false)
    const fits = await runCli(['export', src, ...layout, '--slice', ':, ::2', '--out', out, '--to-dtype', 'i1'])
    expect(fits.code).toBe(0)
    expect([...fs.readFileSync(out)].map((b) => (b << 24) >> 24)).toEqual(
      py<number[]>(`print(json.dumps(np.array([[1.5, 127.0], [3.0, 0.0]]).astype('i1').ravel().tolist()))`)
    )
    py(`np.array([1.0, np.nan]).tofile(${JSON.stringify(src)}); print(1)`)
    expect(
      (await runCli(['export', src, '--dtype', '<f8', '--out', out, '--force', '--to-dtype', '<i4'])).stderr
    ).toMatch(/element \(1,\): NaN has no value as an integer/)
    py(`np.array([1.0, 1e300]).tofile(${JSON.stringify(src)}); print(1)`)
    expect(
      (await runCli(['export', src, '--dtype', '<f8', '--out', out, '--force', '--to-dtype', '<f4'])).stderr
    ).toMatch(/element \(1,\): 1e\+300 is beyond the range of <f4/)
    const bad = await runCli([
      'export',
      src,
      '--dtype',
      '<f8',
      '--out',
      out,
      '--force',
      '--to-dtype',
      '<f4',
      '--casting',
      'fast'
    ])
    expect([bad.code, bad.stderr]).toEqual([
      2,
      expect.stringMatching(/--casting must be one of no, equiv, safe, same_kind, unsafe, checked/)
    ])
  })
})
