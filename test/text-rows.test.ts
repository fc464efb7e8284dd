// CSV rows of float64 on their fastest path (native/src/text_row.h: each value's separator found by a 32-byte
// compare from its start, its number checked to end there): every row it gives back to the careful path —
// blanks or a CR before a separator, numbers past the 32-byte window, exponents, nan, comments, an index point
// inside the row, a row with more or fewer values — must come out as np.loadtxt reads it, bit for bit, in one
// pass and in segments; rows of the wrong length name their line.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { native } from '../src/main/service/native'
import { py, tempDir } from './helpers/numpy'

const { dir, cleanup } = tempDir()
afterAll(cleanup)
let n = 0

/** Rows of 3 values: mostly the common form, every 5th row with one of the odd forms below. */
function csv(crlf: boolean): string {
  const odd = [
    '1.5 ,2,3', // a blank before a separator
    '1,\t2.25,3', // a blank after one
    '1,2,3 ', // a blank before the newline
    '1,2,3 # a comment',
    '1,2,3#a comment',
    '1.00000000000000000000000000000000000001,2,3', // past the window
    '0.1234567890123456789,2,3', // more digits than the exact path takes
    '1e5,2E-3,3e+2',
    'nan,-inf,Infinity',
    '+.5,-0,5.',
    '-1234567.123456789,0.000001,1234567890123456',
    '# a comment line',
    ''
  ]
  const lines = ['x,y,z']
  for (let i = 0; i < 2000; i++) {
    lines.push(i % 5 === 3 ? odd[(i / 5) % odd.length | 0]! : `${(i * 0.37 - 300).toFixed(i % 9)},${-i / 7},${i}`)
  }
  const end = crlf ? '\r\n' : '\n'
  return lines.join(end) + end
}

/** The pass over the file (one thread, or segments of 1 KiB): the copy's bytes, or the error. */
async function parse(file: string, segments: boolean) {
  const out = path.join(dir, `o${n++}.bin`)
  fs.writeFileSync(out, '')
  process.env.ARRAYSCOPE_TEXT_SPLIT_MB = segments ? '0' : '100000'
  process.env.ARRAYSCOPE_TEXT_SEGMENT_KB = '1'
  try {
    const r = await native().parseText({
      path: file,
      out,
      elem: 'f8',
      swap: false,
      sep: ',',
      table: true,
      skip: 1,
      comments: '#',
      every: 7
    }).promise
    return {
      rows: r.rows,
      cols: r.cols,
      bytes: fs
        .readFileSync(out)
        .subarray(0, r.count * 8)
        .toString('hex')
    }
  } catch (e) {
    return { error: (e as Error).message }
  } finally {
    delete process.env.ARRAYSCOPE_TEXT_SPLIT_MB
    delete process.env.ARRAYSCOPE_TEXT_SEGMENT_KB
  }
}

describe('CSV rows of float64 on the fast path', () => {
  test.each([
    ['LF', false],
    ['CRLF', true]
  ])('%s: every odd row read as np.loadtxt reads it, bit for bit', async (_, crlf) => {
    const file = path.join(dir, `f${n++}.csv`)
    fs.writeFileSync(file, csv(crlf))
    const [rows, bytes] = py<[number, string]>(
      `a = np.loadtxt(${JSON.stringify(file)}, delimiter=',', skiprows=1, ndmin=2)\nprint(json.dumps([a.shape[0], a.tobytes().hex()]))`
    )
    expect(rows).toBe(2000 - 60) // the comment lines and blank lines hold no row
    for (const segments of [false, true]) expect(await parse(file, segments)).toEqual({ rows, cols: 3, bytes })
  })

  test.each([
    ['a row with a value more', '1,2,3,4', /^line 302 has 4 values, the rows before it have 3/],
    ['a row with a value less', '1,2', /^line 302 has 2 values, the rows before it have 3/],
    ['a row ending with a separator', '1,2,', /^line 302, column 5: the line ends with a separator/],
    ['a row with an empty value', '1,,3', /^line 302, column 3: an empty value between two separators/]
  ])('%s: the error names its line', async (_, row, why) => {
    const lines = Array.from({ length: 600 }, (_, i) => `${i / 3},${-i},${i * 1.5}`)
    lines.splice(300, 0, row)
    const file = path.join(dir, `e${n++}.csv`)
    fs.writeFileSync(file, `x,y,z\n${lines.join('\n')}\n`)
    for (const segments of [false, true])
      expect(await parse(file, segments)).toEqual({ error: expect.stringMatching(why) })
  })
})
