// A text parsed on two threads (native/src/text_split.cc, issue 33) gives what one pass gives: the same values,
// rows and columns, and errors naming the same line of the whole file — forced on small files with
// ARRAYSCOPE_TEXT_SPLIT_MB=0 (every text splits at the first newline past its middle).
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import { native } from '../src/main/service/native'
import type { TextParseSpec } from '../native/index'
import { tempDir } from './helpers/numpy'

const { dir, cleanup } = tempDir()
afterAll(cleanup)
afterEach(() => delete process.env.ARRAYSCOPE_TEXT_SPLIT_MB)
let n = 0

/** The pass over text, split (two threads) or not: its result and the copy's values, or its error. */
async function pass(text: string, spec: Omit<TextParseSpec, 'path' | 'out'>, split: boolean) {
  const file = path.join(dir, `s${n}.txt`)
  const out = path.join(dir, `s${n++}.bin`)
  fs.writeFileSync(file, text)
  fs.writeFileSync(out, '')
  process.env.ARRAYSCOPE_TEXT_SPLIT_MB = split ? '0' : '100000'
  try {
    const r = await native().parseText({ ...spec, path: file, out }).promise
    const values = Array.from(new Float64Array(fs.readFileSync(out).buffer.slice(0, r.count * 8)))
    // index points: one per part (the parts start counting anew)
    const points = r.index.length / 3
    return { count: r.count, rows: r.rows, cols: r.cols, lines: r.lines, values, points }
  } catch (e) {
    return { error: (e as Error).message, code: (e as { code?: string }).code }
  }
}

const CSV = { elem: 'f8' as const, swap: false, sep: ',', table: true, comments: '#' }
const WS = { elem: 'f8' as const, swap: false, sep: ' ' }
const rows = (k: number, from = 0): string =>
  Array.from({ length: k }, (_, i) => `${from + i},${(from + i) / 8},-${from + i}\n`).join('')

describe('a split pass equals one pass', () => {
  // the split pass's index points: one per part that holds values
  const CASES: [string, string, Omit<TextParseSpec, 'path' | 'out'>, number][] = [
    [
      'CSV with a header, comments and CRLF',
      `a,b,c\r\n# x\r\n${rows(500).replace(/\n/g, '\r\n')}`,
      { ...CSV, skip: 1 },
      2
    ],
    ['whitespace stream, blank lines at the end', `${rows(300).replace(/,/g, ' ')}\n\n   \n`, WS, 2],
    ['whitespace stream, ragged lines', '1 2 3\n4 5\n'.repeat(200), WS, 2],
    ['a second half of comments only', `${rows(50)}${'# only a comment\n'.repeat(80)}`, CSV, 1]
  ]
  test.each(CASES)('%s', async (_, text, spec, points) => {
    const one = await pass(text, spec, false)
    const two = await pass(text, spec, true)
    expect(two).toEqual({ ...one, points })
    expect('count' in one && one.count).toBeGreaterThan(0)
  })

  const BAD: [string, string, Omit<TextParseSpec, 'path' | 'out'>, RegExp][] = [
    ['a bad value in the second half', `${rows(400)}1,x,3\n${rows(10)}`, CSV, /^line 401, column 3: cannot read 'x,3'/],
    [
      'a ragged row starting the second half',
      `${rows(400)}${'1,2\n'.repeat(400)}`,
      CSV,
      /^line 401 has 2 values, the rows before it have 3/
    ],
    ['a file of whitespace only', ' \n'.repeat(300), WS, /only whitespace/],
    ['a bad value in the first half', `1,2,3\n1,,3\n${rows(400)}`, CSV, /^line 2, column 3: an empty value/]
  ]
  test.each(BAD)("%s: the same error, the whole file's line", async (_, text, spec, why) => {
    const one = await pass(text, spec, false)
    const two = await pass(text, spec, true)
    expect(one).toEqual(two)
    expect('error' in two && two.error).toMatch(why)
  })

  test('the second part leaves no file behind', async () => {
    const before = fs.readdirSync(dir).length
    expect(await pass(rows(1000), CSV, true)).toMatchObject({ count: 3000, points: 2 })
    expect(await pass(rows(1000), CSV, false)).toMatchObject({ count: 3000, points: 1 })
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.second'))).toEqual([])
    expect(fs.readdirSync(dir).length).toBe(before + 4)
  })
})
