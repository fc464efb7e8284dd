// A full disk, for real: a 1 MiB tmpfs (mounting needs root; where it is not permitted these tests are skipped
// and say so). Every export format fails with "no space left on device", exit status 2 (the user's problem,
// not a bug), and leaves nothing in the folder — no truncated target, no temporary file. A w+ mapping whose
// sparse pages cannot be backed says the same, not "file changed on disk", and a failed edit is undone whole.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import { runBin, runCli } from './helpers/cli'
import { rejection } from './helpers/errors'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
const disk = path.join(tmp.dir, 'full')
const SRC = path.join(tmp.dir, 'src.bin')
let mounted = false

beforeAll(() => {
  fs.mkdirSync(disk)
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk], { encoding: 'utf8' })
  mounted = r.status === 0
  if (!mounted) {
    console.warn(
      `full-disk tests SKIPPED: cannot mount a 1 MiB tmpfs here (${(r.stderr || r.error?.message || '').trim()}); run them as root`
    )
  }
  // 2^18 float64 values: 2 MiB raw, about 5 MiB as text — neither fits in 1 MiB
  py(`np.random.default_rng(1).standard_normal(2**18).tofile(${JSON.stringify(SRC)}); print(1)`)
})
afterAll(() => {
  if (mounted && spawnSync('umount', [disk]).status !== 0) spawnSync('umount', ['-l', disk])
  tmp.cleanup()
})

describe.skipIf(process.platform !== 'linux')('a full disk', () => {
  const cases: [string, string[]][] = [
    ['text, default format (str of each value)', ['--as', 'text']],
    ['text, %-format (native formatter)', ['--as', 'text', '--fmt', '%.6g']],
    ['raw, straight from the mapping', ['--as', 'raw']],
    ['raw with a sidecar', ['--as', 'raw', '--sidecar']],
    ['raw, cast', ['--as', 'raw', '--to-dtype', '>f8']],
    ['npy', ['--as', 'npy']],
    ['csv', ['--as', 'csv']]
  ]
  it.each(cases)('%s: exit 2, "no space left on device", nothing left behind', (_name, flags) => {
    if (!mounted) return console.warn('skipped: no tmpfs')
    const out = path.join(disk, 'out.data')
    const r = runBin(['export', SRC, '--dtype', '<f8', '--out', out, ...flags])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /^arrayscope: no space left on device: the export to .*out\.data did not fit and nothing was written/
    )
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(fs.readdirSync(disk)).toEqual([])
  })

  it('a small export still fits and is whole', async () => {
    if (!mounted) return console.warn('skipped: no tmpfs')
    const out = path.join(disk, 'small.txt')
    expect(
      (await runCli(['export', SRC, '--dtype', '<f8', '--slice', ':1000', '--out', out, '--as', 'text'])).code
    ).toBe(0)
    const ref = py<string>(`
import io
a = np.fromfile(${JSON.stringify(SRC)}, dtype='<f8')[:1000]
p = ${JSON.stringify(path.join(tmp.dir, 'ref.txt'))}
a.tofile(p, sep=' ')
print(json.dumps(open(p).read()))`)
    expect(fs.readFileSync(out, 'utf8')).toBe(ref)
    fs.rmSync(out)
  })

  it('a w+ mapping that runs out of space says so, and a failed edit is undone whole', async () => {
    if (!mounted) return console.warn('skipped: no tmpfs')
    const s = new ArrayService({ watchIntervalMs: 0 })
    const file = path.join(disk, 'created.bin')
    try {
      // 4 MiB, sparse: creating it takes no space; writing its pages does
      const info = await s.handle('session:open', {
        path: file,
        layout: { dtype: 'u1', shape: [4 << 20], offset: 0, order: 'C' },
        mode: 'w+'
      })
      // one edit touching every 4 KiB page of 4 MiB: the first pages fit in the 1 MiB, the later ones cannot be backed
      const writes = Array.from({ length: 1024 }, (_, k) => ({
        offset: k * 4096,
        bytes: new Uint8Array([1 + (k % 200)])
      }))
      const e = await rejection(s.handle('edit:apply', { session: info.session, writes }))
      expect(e.code).toBe('io')
      expect(e.message).toMatch(/^no space left on device: .*created\.bin could not get disk space/)
      expect(e.message).not.toMatch(/changed on disk/)
      // the pages that did get written were put back: the edit is whole or not at all
      const head = await s.handle('bytes:get', { session: info.session, offset: 0, length: 1 })
      expect(head.bytes[0]).toBe(0)
      const state = await s.handle('edit:apply', {
        session: info.session,
        writes: [{ offset: 5, bytes: new Uint8Array([9]) }]
      })
      expect(state).toMatchObject({ edits: 1 })
    } finally {
      s.closeAll()
    }
    fs.rmSync(file)
  })
})
