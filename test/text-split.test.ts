// A text parsed in segments on several threads (native/src/text_split.cc, issue 33) gives what one pass gives:
// the same values, rows and columns, index points that name the right byte and line, and errors naming the same
// line of the whole file. Forced on small files: ARRAYSCOPE_TEXT_SPLIT_MB=0 splits every text, and
// ARRAYSCOPE_TEXT_SEGMENT_KB=1..3 cuts it into segments of a few KiB (each ends after the first newline at or
// after its nominal end), so a file of a few KiB crosses many segment boundaries.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import { native } from '../src/main/service/native'
import type { TextParseSpec } from '../native/index'
import { py, tempDir } from './helpers/numpy'

const { dir, cleanup } = tempDir()
afterAll(cleanup)
afterEach(() => {
  delete process.env.ARRAYSCOPE_TEXT_SPLIT_MB
  delete process.env.ARRAYSCOPE_TEXT_SEGMENT_KB
})
let n = 0
type Spec = Omit<TextParseSpec, 'path' | 'out'>

/** Writes text to a new file; returns its path. */
function write(text: string): string {
  const file = path.join(dir, `s${n++}.txt`)
  fs.writeFileSync(file, text)
  return file
}

/** The pass over a file, in segments of segmentKb KiB or in one (null): its result and the copy's values, or its error. */
async function pass(file: string, spec: Spec, segmentKb: number | null) {
  const out = path.join(dir, `s${n++}.bin`)
  fs.writeFileSync(out, '')
  process.env.ARRAYSCOPE_TEXT_SPLIT_MB = segmentKb === null ? '100000' : '0'
  process.env.ARRAYSCOPE_TEXT_SEGMENT_KB = String(segmentKb ?? 4096)
  try {
    const r = await native().parseText({ every: 5, ...spec, path: file, out }).promise
    const bytes = fs.readFileSync(out) // a small file's Buffer may start inside a larger ArrayBuffer
    const values = Array.from(new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + r.count * 8)))
    return { count: r.count, rows: r.rows, cols: r.cols, lines: r.lines, values, index: Array.from(r.index) }
  } catch (e) {
    return { error: (e as Error).message, code: (e as { code?: string }).code }
  }
}

/**
 * The index points against the text: in value order, each at the first byte of its value (the number there is
 * the value) on the line it names. Returns how many there are.
 */
function checkIndex(text: string, index: number[], values: number[]): number {
  let last = -1
  for (let k = 0; k < index.length; k += 3) {
    const [value, offset, line] = [index[k]!, index[k + 1]!, index[k + 2]!]
    expect(value).toBeGreaterThan(last)
    last = value
    const token = /^[^\s,]+/.exec(text.slice(offset))![0]
    expect(Number(token)).toBe(values[value])
    expect(line).toBe(text.slice(0, offset).split('\n').length)
  }
  return index.length / 3
}

const CSV = { elem: 'f8' as const, swap: false, sep: ',', table: true, comments: '#' }
const WS = { elem: 'f8' as const, swap: false, sep: ' ' }
const rows = (k: number, from = 0): string =>
  Array.from({ length: k }, (_, i) => `${from + i},${(from + i) / 8},-${from + i}\n`).join('')
const SEGMENTS = [1, 2, 3]

describe('a pass in segments equals one pass', () => {
  const CASES: [string, string, Spec][] = [
    [
      'CSV with a header, comments and CRLF',
      `a,b,c\r\n# x\r\n${rows(500).replace(/\n/g, '\r\n')}`,
      { ...CSV, skip: 1 }
    ],
    ['whitespace stream, blank lines at the end', `${rows(300).replace(/,/g, ' ')}\n\n   \n`, WS],
    ['whitespace stream, ragged lines', '1 2 3\n4 5\n'.repeat(200), WS],
    ['segments of comments only', `${rows(50)}${'# only a comment\n'.repeat(300)}${rows(50, 50)}`, CSV],
    [
      'a header longer than a segment',
      `${'header line, not numbers\n'.repeat(200)}${rows(300)}`,
      { ...CSV, skip: 200 }
    ],
    ['a line longer than a segment', `${rows(100).replace(/,/g, ' ')}${rows(400).replace(/[,\n]/g, ' ')}\n1 2\n`, WS],
    ['no final newline', rows(400).slice(0, -1), CSV]
  ]
  test.each(CASES)('%s', async (_, text, spec) => {
    const file = write(text)
    const one = await pass(file, spec, null)
    expect('count' in one && one.count).toBeGreaterThan(0)
    for (const kb of SEGMENTS) {
      const many = await pass(file, spec, kb)
      expect({ ...many, index: [] }).toEqual({ ...one, index: [] })
      // a segment starts its index points anew: as many as one pass's or more, each naming its byte and line
      const points = checkIndex(text, (many as { index: number[] }).index, one.values!)
      expect(points).toBeGreaterThanOrEqual(one.index!.length / 3)
    }
  })

  const BAD: [string, string, Spec, RegExp][] = [
    ['a bad value deep inside', `${rows(400)}1,x,3\n${rows(10)}`, CSV, /^line 401, column 3: cannot read 'x,3'/],
    ['a bad value in the last segment', `${rows(600)}1,2,x\n`, CSV, /^line 601, column 5: cannot read 'x'/],
    ['a bad value in the first line', `1,2,3\n1,,3\n${rows(400)}`, CSV, /^line 2, column 3: an empty value/],
    [
      'a ragged row late',
      `${rows(400)}${'1,2\n'.repeat(400)}`,
      CSV,
      /^line 401 has 2 values, the rows before it have 3/
    ],
    ['a file of whitespace only', ' \n'.repeat(3000), WS, /only whitespace/],
    ['a bad value after a ragged segment', `${rows(300)}1,2\n${rows(300)}x\n`, CSV, /^line 301 has 2 values/]
  ]
  test.each(BAD)("%s: the same error, the whole file's line", async (_, text, spec, why) => {
    const file = write(text)
    const one = await pass(file, spec, null)
    expect('error' in one && one.error).toMatch(why)
    for (const kb of SEGMENTS) expect(await pass(file, spec, kb)).toEqual(one)
  })

  test('a ragged row at every place: the same line as one pass names', async () => {
    for (const at of [37, 64, 65, 130, 250, 399]) {
      const file = write(`${rows(at)}1,2\n${rows(400 - at, at)}`)
      const one = await pass(file, CSV, null)
      expect('error' in one && one.error).toMatch(new RegExp(`^line ${at + 1} has 2 values`))
      for (const kb of SEGMENTS) expect(await pass(file, CSV, kb)).toEqual(one)
    }
  })
})

describe('random texts: segments of 30-100 bytes give what one pass gives', () => {
  // a seeded generator: the same texts on every run
  let seed = 33
  const rand = (k: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % k)
  const pieces = [',', '\n', '\r\n', ' ', '#', 'x', '.', '-', 'e', '1', '2.5', '\n\n', ',,']
  test.each([
    ['CSV', CSV],
    ['whitespace stream', WS]
  ] as const)('%s: 120 mutants, values, counts and errors equal', async (_, spec) => {
    for (let k = 0; k < 120; k++) {
      let text = spec === CSV ? rows(40) : rows(40).replace(/,/g, ' ')
      for (let m = rand(4); m > 0; m--) {
        const at = rand(text.length)
        text = text.slice(0, at) + pieces[rand(pieces.length)]! + text.slice(at + rand(3))
      }
      const file = write(text)
      const one = await pass(file, spec, null)
      const many = await pass(file, spec, (30 + rand(70)) / 1024)
      expect({ ...many, index: [] }, JSON.stringify(text)).toEqual({ ...one, index: [] })
    }
  })
})

describe('a pass in segments that fails', () => {
  test.each(SEGMENTS)('segments of %i KiB: the copy keeps every row before the bad value, and says so', async (kb) => {
    const file = write(`${rows(400)}1,x,3\n${rows(400, 400)}`)
    const out = path.join(dir, `s${n++}.bin`)
    fs.writeFileSync(out, '')
    process.env.ARRAYSCOPE_TEXT_SPLIT_MB = '0'
    process.env.ARRAYSCOPE_TEXT_SEGMENT_KB = String(kb)
    const handle = native().parseText({ ...CSV, path: file, out })
    await expect(handle.promise).rejects.toThrow(/^line 401, column 3/)
    // the rows of every segment before the failed one and of the failed one before its bad row
    expect(handle.status()).toMatchObject({ rows: 400, cols: 3 })
    const bytes = fs.readFileSync(out)
    const values = Array.from(new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 1200 * 8)))
    expect(values).toEqual(rows(400).trim().split(/[,\n]/).map(Number))
  })
})

describe('segment boundaries, against numpy', () => {
  /** CRLF rows with a last line padded so that its CR (or LF) is the byte at `at`; more rows up to `size` bytes. */
  function aligned(at: number, lf: boolean, size: number): string {
    let text = 'a,b\r\n'
    for (let i = 0; text.length < at - 40; i++) text += `${i},${i / 4}\r\n`
    // '1,0.000…' padded with zeros: its CR at `at` (its LF at `at` with lf)
    text += `1,0.${'0'.repeat(at - text.length - 4 - (lf ? 1 : 0))}\r\n`
    for (let i = 0; text.length < size - 40; i++) text += `${-i},${i * 0.125}\r\n`
    text += `2,0.${'0'.repeat(size - text.length - 6)}\r\n`
    return text
  }
  const loadtxt = (file: string): number[] =>
    py<number[]>(`print(json.dumps(np.loadtxt(${JSON.stringify(file)}, delimiter=',', skiprows=1).ravel().tolist()))`)

  test.each([
    ['a CR on the last byte of a segment, its LF on the next', 1023, false],
    ['an LF on the last byte of a segment', 1023, true],
    ['a CR on the first byte of a segment', 1024, false]
  ] as const)('%s (a file of exactly 3 segments): the values equal np.loadtxt', async (_, at, lf) => {
    const text = aligned(at, lf, 3072)
    expect(text.length).toBe(3072)
    expect(text[at]).toBe(lf ? '\n' : '\r')
    const file = write(text)
    const many = await pass(file, { ...CSV, skip: 1 }, 1)
    expect(many).toMatchObject({ values: loadtxt(file), cols: 2 })
    checkIndex(text, (many as { index: number[] }).index, (many as { values: number[] }).values)
  })

  test('a whitespace stream of exactly 4 segments, a newline on each last byte: the values equal numpy.fromfile', async () => {
    // lines of 64 bytes: a newline at 1023, 2047, 3071 and 4095
    const line = (i: number): string => `${i} ${(i / 3).toFixed(6)}`.padEnd(63, ' ') + '\n'
    const text = Array.from({ length: 64 }, (_, i) => line(i)).join('')
    expect(text.length).toBe(4096)
    const file = write(text)
    const many = await pass(file, WS, 1)
    const want = py<number[]>(`print(json.dumps(np.fromfile(${JSON.stringify(file)}, sep=' ').tolist()))`)
    expect(many).toMatchObject({ values: want, count: 128, cols: 2, rows: 64, lines: 65 })
  })
})
