// The parser's fast paths (text_parse.cc FastRows and FastStream, text_scan.h QuickFloat) runs only with 4 KiB of text ahead,
// so the small texts of the other tests barely reach it: these texts are large (hundreds of KiB) and hold every
// number form the fast path takes or hands back (signs, a point at either end, 17+ digits, exponents, nan/inf,
// subnormals, whitespace and tabs around values, CRLF, comments and blank lines among the rows), and their values
// must equal np.loadtxt's (numpy.fromfile's with sep=' ') bit for bit; errors deep inside them name the line and
// column the general path names.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { native } from '../src/main/service/native'
import type { TextElem } from '../native/index'
import { py, tempDir } from './helpers/numpy'

const { dir, cleanup } = tempDir()
afterAll(cleanup)
let n = 0

/** Writes a CSV of 20 000 rows × 6 mixed-form values (python's own formatting); returns its path. */
function bigCsv(opts: { crlf?: boolean; ints?: boolean }): string {
  const file = path.join(dir, `big${n++}.csv`)
  py(`
rng = np.random.default_rng(${n})
forms = ['%.17g', '%.9g', '%.3e', '%g', '%.1f', '%.0f.', '%+.6f', '%.20f', '%.12E']
specials = ['nan', '-inf', 'Infinity', '-0', '.5', '-.25', '1e-320', '1e308', '9007199254740993', ' 1.5 ', '\\t-2.25', '0.000000000000000000001234']
lines = ['h0,h1,h2,h3,h4,h5']
for i in range(20000):
    if i % 997 == 5: lines.append('# a comment, 1,2')
    if i % 1499 == 7: lines.append('')
    row = []
    for j in range(6):
        if ${opts.ints ? 'True' : 'False'}:
            row.append(str(int(rng.integers(-2**62, 2**62))))
            continue
        x = rng.standard_normal() * 10.0 ** int(rng.integers(-12, 12))
        row.append(specials[int(rng.integers(len(specials)))] if rng.random() < 0.05 else forms[int(rng.integers(len(forms)))] % x)
    lines.append(','.join(row) + (' # trailing' if i % 1213 == 3 else ''))
end = ${opts.crlf ? "'\\r\\n'" : "'\\n'"}
open(${JSON.stringify(file)}, 'w', newline='').write(end.join(lines) + end)
print(1)`)
  return file
}

/** The native pass over a file (one thread): the copy's bytes, or its error. sep ' ' is numpy.fromfile's stream. */
async function parse(file: string, elem: TextElem, skip = 1, sep = ',') {
  const out = `${file}.${elem}.bin`
  fs.writeFileSync(out, '')
  process.env.ARRAYSCOPE_TEXT_SPLIT_MB = '100000'
  try {
    const r = await native().parseText({
      path: file,
      out,
      elem,
      swap: false,
      sep,
      table: sep !== ' ',
      skip,
      comments: '#'
    }).promise
    return { rows: r.rows, cols: r.cols, bytes: fs.readFileSync(out).subarray(0, r.count * (elem === 'f4' ? 4 : 8)) }
  } catch (e) {
    return { error: (e as Error).message }
  } finally {
    delete process.env.ARRAYSCOPE_TEXT_SPLIT_MB
  }
}

/** True when the bytes equal np.loadtxt's values of the file (as dtype), bit for bit. */
function equalsLoadtxt(file: string, bytes: Buffer, dtype: string): boolean {
  const raw = path.join(dir, `raw${n++}.bin`)
  fs.writeFileSync(raw, bytes)
  return py<boolean>(`
b = np.loadtxt(${JSON.stringify(file)}, delimiter=',', skiprows=1, dtype=${JSON.stringify(dtype)}, ndmin=2)
a = np.fromfile(${JSON.stringify(raw)}, dtype=${JSON.stringify(dtype)}).reshape(b.shape)
print(json.dumps(a.tobytes() == b.tobytes()))`)
}

describe('the fast path over large texts', () => {
  test.each([
    ['float64, LF', { crlf: false }, 'f8', '<f8'],
    ['float64, CRLF', { crlf: true }, 'f8', '<f8'],
    ['float32', { crlf: false }, 'f4', '<f4'],
    ['int64', { ints: true }, 'i8', '<i8']
  ] as const)('%s: values equal np.loadtxt bit for bit', async (_, opts, elem, dtype) => {
    const file = bigCsv(opts)
    const r = await parse(file, elem)
    expect(r).toMatchObject({ rows: 20000, cols: 6 })
    expect(equalsLoadtxt(file, (r as { bytes: Buffer }).bytes, dtype)).toBe(true)
  })

  test('numpy.fromfile(sep=" "): values equal numpy\'s bit for bit, ragged lines and CR included', async () => {
    const csv = bigCsv({})
    const file = `${csv}.ws.txt`
    // the same values, whitespace-separated, comments dropped, lines of uneven length, tabs and CRs
    const lines = fs
      .readFileSync(csv, 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => !l.startsWith('#'))
      .map((l, i) => l.replace(/ # trailing$/, '').replace(/,/g, i % 3 ? ' ' : '\t') + (i % 7 ? '' : ' 1.5 \r'))
    fs.writeFileSync(file, lines.join('\n'))
    const r = await parse(file, 'f8', 0, ' ')
    expect(r).toMatchObject({ cols: -1 })
    const raw = path.join(dir, `raw${n++}.bin`)
    fs.writeFileSync(raw, (r as { bytes: Buffer }).bytes)
    expect(
      py<boolean>(`
b = np.fromfile(${JSON.stringify(file)}, dtype='<f8', sep=' ')
print(json.dumps(np.fromfile(${JSON.stringify(raw)}, dtype='<f8').tobytes() == b.tobytes() and b.size > 100000))`)
    ).toBe(true)
  })

  // errors met by the fast path are handed to the general one, which names them as for a small text
  const row = (i: number): string => `${i},-${i}.5,${i}e-3,.${i}\n`
  const body = (k: number): string => Array.from({ length: k }, (_, i) => row(i)).join('')
  const ws = (k: number): string => body(k).replace(/,/g, ' ')
  test.each([
    ['a bad value', `${body(30000)}1,2,x7,4\n${body(100)}`, /^line 30001, column 5: cannot read 'x7,4' as float64$/],
    ['a ragged row', `${body(30000)}1,2,3\n${body(100)}`, /^line 30001 has 3 values, the rows before it have 4/],
    ['a trailing separator', `${body(30000)}1,2,3,4,\n${body(100)}`, /^line 30001, column 9: the line ends with/],
    ['an empty value', `${body(30000)}1,,3,4\n${body(100)}`, /^line 30001, column 3: an empty value/],
    ['a missing separator', `${body(30000)}1 2,3,4\n${body(100)}`, /^line 30001, column 3: expected the separator/],
    [
      'fromfile: a bad value',
      `${ws(30000)}1 2 x7 4\n${ws(100)}`,
      /^line 30001, column 5: cannot read 'x7' as float64$/
    ],
    ['fromfile: no separator', `${ws(30000)}1 2 1.5-2\n${ws(100)}`, /^line 30001, column 8: expected the separator ' '/]
  ])('%s deep in the text names its line and column', async (name, text, message) => {
    const file = path.join(dir, `bad${n++}.csv`)
    fs.writeFileSync(file, text)
    const sep = name.startsWith('fromfile') ? ' ' : ','
    expect(await parse(file, 'f8', 0, sep)).toEqual({ error: expect.stringMatching(message) })
  })
})
