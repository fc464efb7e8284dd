// .npy files as strictly as np.load reads them, on the cases of numpy's own format tests
// (numpy/lib/tests/test_format.py): every header np.load refuses — a bad version, a magic string cut short, a
// header shorter than its length, wrong keys, an empty file — is an error saying what is wrong (exit 2), and reads
// as raw bytes only when a layout is given; every array of basic_arrays and record_arrays reads with np.load's
// values; a one-byte-short file is refused; `info` prints a record's descr as numpy prints dtype.descr (nested
// sub-array field types not flattened).
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { JS_PY } from './helpers/formats'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const d = tmp.dir

interface Refused {
  name: string
  file: string
  numpy: string
}
interface Good {
  file: string
  truncated: string
  values: unknown
  dtype: string
  descr: string | null
}
let refused: Refused[]
let good: Good[]

beforeAll(() => {
  ;({ refused, good } = py<{ refused: Refused[]; good: Good[] }>(`
import io, os
from numpy.lib import format
import numpy.lib.tests.test_format as tf
${JS_PY}
d = ${JSON.stringify(d)}
cases = [('version %d.%d' % (m[6], m[7]), m) for m in tf.bad_version_magic]
# malformed_magic: the ones that start with the magic string (the others are no .npy file for np.load either)
cases += [('magic cut at %d bytes' % len(m), m) for m in tf.malformed_magic if m.startswith(b'\\x93NUMPY')]
cases.append(('empty file', b''))
# test_bad_header: a header shorter than its length, one without fortran_order, one with an extra key
cases.append(('header shorter than its length', b'\\x93NUMPY\\x01\\x00\\x40\\x00' + b"{'descr': '<f8'"))
cases.append(('length field cut', b'\\x93NUMPY\\x01\\x00\\x01'))
cases.append(('missing key', b"\\x93NUMPY\\x01\\x006\\x00{'descr': 'x', 'shape': (1, 2), }" + b' ' * 20 + b'\\n'))
s = io.BytesIO()
format.write_array_header_1_0(s, {'shape': (1, 2), 'fortran_order': False, 'descr': 'x', 'extrakey': -1})
cases.append(('extra key', s.getvalue()))
refused = []
for k, (name, data) in enumerate(cases):
    fn = os.path.join(d, 'bad%d.npy' % k)
    with open(fn, 'wb') as f:
        f.write(data)
    try:
        np.load(fn)
        raise SystemExit('np.load read ' + name)
    except (ValueError, EOFError) as e:
        refused.append({'name': name, 'file': fn, 'numpy': str(e)})
good = []
for k, a in enumerate([a for a in tf.basic_arrays + tf.record_arrays if a.dtype != object]):
    fn = os.path.join(d, 'good%d.npy' % k)
    np.save(fn, a)
    b = np.load(fn)
    with open(fn, 'rb') as f:
        data = f.read()
    short = os.path.join(d, 'short%d.npy' % k)
    with open(short, 'wb') as f:
        f.write(data[:-1])
    try:
        np.load(short)
        raise SystemExit('np.load read a truncated file')
    except ValueError:
        pass
    good.append({'file': fn, 'truncated': short, 'values': js(b), 'dtype': b.dtype.str,
                 'descr': repr(b.dtype.descr) if b.dtype.names else None})
print(json.dumps({'refused': refused, 'good': good}))`))
})

describe('strict .npy', () => {
  it('refuses each header np.load refuses, saying what is wrong (exit 2), in info, show and stats', async () => {
    expect(refused.length).toBe(13)
    for (const c of refused) {
      for (const cmd of ['info', 'show', 'stats']) {
        const r = await runCli([cmd, c.file])
        expect(r.code, `${cmd} ${c.name}`).toBe(2)
        expect(r.stdout, c.name).toBe('')
        expect(r.stderr.trimEnd().split('\n'), c.name).toHaveLength(1)
        expect(r.stderr, c.name).toMatch(
          c.name === 'empty file' ? /the file is empty \(0 bytes\)/ : /starts with the \.npy magic .*np\.load refuses/
        )
        expect(r.stderr, c.name).toMatch(/give a layout/)
      }
    }
    const says = (name: string): Promise<string> =>
      runCli(['info', refused.find((c) => c.name === name)!.file]).then((r) => r.stderr)
    expect(await says('version 1.1')).toMatch(/version 1\.1 is not supported: numpy reads only versions 1\.0, 2\.0/)
    expect(await says('magic cut at 7 bytes')).toMatch(/ends after 7 bytes, inside the magic string/)
    expect(await says('length field cut')).toMatch(/ends after 9 bytes, inside the header length/)
    expect(await says('header shorter than its length')).toMatch(/header says it is 74 bytes long, the file has 25/)
    expect(await says('missing key')).toMatch(/correct keys: \['descr', 'shape'\]/)
    expect(await says('extra key')).toMatch(/correct keys: \['descr', 'extrakey', 'fortran_order', 'shape'\]/)
  })

  it('reads such a file as raw bytes when a layout is given', async () => {
    for (const c of refused.filter((x) => x.name !== 'empty file')) {
      const r = await runCli(['show', c.file, '--dtype', 'u1', '--json'])
      expect(r.stderr, c.name).toBe('')
      expect(r.code, c.name).toBe(0)
      expect(JSON.parse(r.stdout), c.name).toEqual([...fs.readFileSync(c.file)])
    }
  })

  it("reads numpy's basic and record arrays with np.load's values, and refuses them one byte short", async () => {
    expect(good.length).toBe(149)
    for (const g of good) {
      const r = await runCli(['show', g.file, '--json'])
      expect(r.stderr, g.file).toBe('')
      expect(JSON.parse(r.stdout), `${path.basename(g.file)} ${g.dtype}`).toEqual(g.values)
      const t = await runCli(['show', g.truncated])
      expect(t.code, g.truncated).toBe(2)
      expect(t.stderr, g.truncated).toMatch(/needs \d+ bytes after offset \d+, the file has \d+|header/)
    }
  })

  it("info prints a record's descr as numpy prints dtype.descr, nested sub-array types kept", async () => {
    const records = good.filter((g) => g.descr !== null)
    expect(records.map((g) => g.descr)).toContain("[('c', ('<f8', (5,)), (2,))]")
    for (const g of records) {
      const r = await runCli(['info', g.file])
      expect(r.code).toBe(0)
      expect((JSON.parse(r.stdout) as { descr: string }).descr).toBe(g.descr)
    }
  })

  it("numpy's shipped test data: plain arrays show np.load's values, object arrays are refused or listed saying why", async () => {
    const shipped = py<{ file: string; values: unknown; error: string | null }[]>(`
import os, glob, warnings
import numpy.lib.tests as t
${JS_PY}
warnings.simplefilter('ignore')
out = []
for fn in sorted(glob.glob(os.path.join(os.path.dirname(t.__file__), 'data', '*.np[yz]'))):
    try:
        a = np.load(fn)
        if hasattr(a, 'files'):
            a = a[a.files[0]]
        out.append({'file': fn, 'values': js(a), 'error': None})
    except ValueError as e:
        out.append({'file': fn, 'values': None, 'error': str(e)})
print(json.dumps(out))`)
    expect(shipped.length).toBe(7)
    let shown = 0
    for (const f of shipped) {
      if (f.file.endsWith('.npz')) {
        // np.load opens the archive; its member holds Python objects (reading it needs allow_pickle)
        const r = await runCli(['ls', f.file, '--json'])
        const [m] = JSON.parse(r.stdout) as { unmappable?: string }[]
        expect(m!.unmappable, f.file).toMatch(/Python objects/)
        continue
      }
      const r = await runCli(['show', f.file, '--json'])
      if (f.error) {
        expect(r.code, f.file).toBe(2)
        expect(r.stderr, f.file).toMatch(/holds Python objects \(dtype O\)/)
      } else {
        expect(JSON.parse(r.stdout), f.file).toEqual(f.values)
        shown++
      }
    }
    expect(shown).toBe(2)
  })
})
