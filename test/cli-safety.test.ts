// The CLI never destroys data unasked: an export never writes over its own source (the same file, however it
// is spelled or linked) and over any other existing file only with --force; a failed export leaves no temporary
// file. Paths that cannot be (ENOTDIR, ENAMETOOLONG, a folder) are the user's errors: exit 2, one clear line.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runBin, runCli, type CliResult } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
const SRC = path.join(tmp.dir, 'a.bin')
const sha = (p: string): string => createHash('sha256').update(fs.readFileSync(p)).digest('hex')
let original: string
beforeAll(() => {
  py(`np.arange(1000, dtype='<f4').tofile(${JSON.stringify(SRC)}); print(1)`)
  original = sha(SRC)
  fs.linkSync(SRC, path.join(tmp.dir, 'hard.bin'))
  fs.symlinkSync(SRC, path.join(tmp.dir, 'soft.bin'))
  fs.mkdirSync(path.join(tmp.dir, 'sub'))
})
afterAll(() => tmp.cleanup())

function expectUserError(r: CliResult, message: RegExp): void {
  expect(r.stderr).toMatch(message)
  expect(r.code).toBe(2)
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
}

const exportTo = (out: string, ...flags: string[]): Promise<CliResult> =>
  runCli(['export', SRC, '--dtype', '<f4', '--out', out, ...flags])

describe('export targets', () => {
  it.each([
    ['the same path', SRC],
    ['another spelling', path.join(tmp.dir, 'sub', '..', 'a.bin')],
    ['a hard link', path.join(tmp.dir, 'hard.bin')],
    ['a symbolic link', path.join(tmp.dir, 'soft.bin')]
  ])('never over its source: %s, even with --force', async (_name, out) => {
    for (const flags of [
      ['--as', 'text'],
      ['--as', 'text', '--force'],
      ['--as', 'raw', '--sidecar', '--force']
    ]) {
      expectUserError(
        await exportTo(out, ...flags),
        /is the file being exported .*a\.bin.*: writing it would destroy the data/
      )
      expect(sha(SRC)).toBe(original)
    }
  })

  it('a relative spelling from another folder is caught too (the built command)', () => {
    const r = runBin(['export', SRC, '--dtype', '<f4', '--out', path.relative(process.cwd(), SRC), '--as', 'text'])
    expectUserError(r, /is the file being exported/)
    expect(sha(SRC)).toBe(original)
  })

  it('over an existing file only with --force', async () => {
    const out = path.join(tmp.dir, 'existing.txt')
    fs.writeFileSync(out, 'keep me')
    expectUserError(
      await exportTo(out, '--as', 'text'),
      /existing\.txt exists: add --force to replace it, or choose another name/
    )
    expect(fs.readFileSync(out, 'utf8')).toBe('keep me')
    expect((await exportTo(out, '--as', 'text', '--force')).code).toBe(0)
    expect(fs.readFileSync(out, 'utf8')).toBe(
      py<string>(`print(json.dumps(' '.join(str(x) for x in np.arange(1000, dtype='<f4').tolist())))`)
    )
  })

  it('a raw export with a sidecar checks the sidecar too', async () => {
    const out = path.join(tmp.dir, 'with-sidecar.bin')
    fs.writeFileSync(`${out}.arrayscope.json`, '{}')
    expectUserError(
      await exportTo(out, '--as', 'raw', '--sidecar'),
      /with-sidecar\.bin\.arrayscope\.json exists: add --force/
    )
    expect(fs.existsSync(out)).toBe(false)
    expect((await exportTo(out, '--as', 'raw', '--sidecar', '--force')).code).toBe(0)
    expect(JSON.parse(fs.readFileSync(`${out}.arrayscope.json`, 'utf8'))).toMatchObject({ dtype: '<f4', shape: [1000] })
  })

  it('a sidecar name too long fails before anything is written, and leaves no temporary file', async () => {
    const dir = path.join(tmp.dir, 'long')
    fs.mkdirSync(dir)
    const out = path.join(dir, 'z'.repeat(250))
    expectUserError(
      await exportTo(out, '--as', 'raw', '--sidecar'),
      /the sidecar's name .* would be 266 bytes; file systems take at most 255/
    )
    expect(fs.readdirSync(dir)).toEqual([])
    // the export itself, without the sidecar, fits: its temporary file gets a short name
    expect((await exportTo(out, '--as', 'raw')).code).toBe(0)
    expect(fs.readdirSync(dir)).toEqual(['z'.repeat(250)])
  })

  it('a folder, a path through a file, a name too long: exit 2 and a reason', async () => {
    expectUserError(
      await exportTo(path.join(tmp.dir, 'sub'), '--as', 'text'),
      /sub is a folder: give the export a file name inside it/
    )
    expectUserError(
      await exportTo(path.join(SRC, 'x.txt'), '--as', 'text'),
      /a part of the path before its last name is a file, not a folder/
    )
    expectUserError(
      await exportTo(path.join(tmp.dir, 'y'.repeat(300)), '--as', 'text'),
      /is 300 bytes long; file systems take at most 255/
    )
    expect(fs.readdirSync(path.join(tmp.dir, 'sub'))).toEqual([])
  })
})

describe('paths that cannot be opened are user errors', () => {
  it.each([
    [
      ['show', path.join(SRC, 'x'), '--dtype', '<f4'],
      /no such file: .*a\.bin\/x \(a part of the path before its last name is a file\)/
    ],
    [['show', path.join(tmp.dir, 'q'.repeat(300)), '--dtype', '<f4'], /too long for the file system/],
    [['show', path.join(tmp.dir, 'sub'), '--dtype', '<f4'], /sub is a folder, not a file/],
    [
      ['set', path.join(SRC, 'x'), '--dtype', '<f4', '--index', '0', '--value', '1'],
      /a part of the path before its last name is a file/
    ]
  ])('%j', async (argv, message) => {
    expectUserError(await runCli(argv), message)
  })
})
