// Malformed HDF5 that h5py still opens: a damaged datatype size made `ls` die with exit 1 ("Offset is outside the
// bounds of the DataView"). Every read of the parser is bounds-checked (reader.ts): a value that cannot be decoded
// is reported with what was wrong, a header that cannot be parsed is exit 2 — never a bug's exit 1.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const plain = path.join(tmp.dir, 'plain.h5')
const damaged = path.join(tmp.dir, 'damaged.h5')
let h5pyNames: string[] = []

beforeAll(() => {
  h5pyNames = py<string[]>(`
import h5py
with h5py.File(${JSON.stringify(plain)}, 'w') as f:
    f['x'] = np.arange(10.)
    f.attrs['t'] = 'hello'
    f['x'].attrs['u'] = np.float64(1.5)
b = bytearray(open(${JSON.stringify(plain)}, 'rb').read())
# the root attribute's datatype: a variable-length UTF-8 string (class 9, version 1) of 16 bytes; a 4-byte value
# copied over its flags and size from 14 bytes further on (as the audit's mutant did) leaves an 8-byte "reference"
i = b.index(bytes([0x19, 0x01, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00]))
b[i + 1:i + 5] = b[i + 15:i + 19]
open(${JSON.stringify(damaged)}, 'wb').write(b)
with h5py.File(${JSON.stringify(damaged)}, 'r') as f:
    print(json.dumps(list(f)))`)
})

describe('a damaged attribute datatype (h5py still opens the file)', () => {
  it('ls lists the datasets (exit 0) and info names the damaged attribute', async () => {
    expect(h5pyNames).toEqual(['x'])
    const ls = await runCli(['ls', damaged])
    expect(ls.stderr).toBe('')
    expect(ls.code).toBe(0)
    expect(ls.stdout).toMatch(/^\/x\t<f8\t\(10,\)/)
    const info = await runCli(['info', damaged])
    expect(info.code).toBe(0)
    const groups = (JSON.parse(info.stdout) as { metadata: { groups: Record<string, Record<string, string>> } })
      .metadata.groups
    expect(groups['/']!['(unreadable attribute)']).toMatch(
      /a 8-byte field at byte 4 runs past the end of its 8-byte value \(its datatype's size is damaged\)/
    )
  })

  it('every 4-byte value copied 14 bytes back, anywhere in the file: exit 0 or 2 with one line, never 1', async () => {
    const orig = fs.readFileSync(plain)
    const mutant = path.join(tmp.dir, 'mutant.h5')
    const bugs: string[] = []
    for (let i = 0; i + 18 <= orig.length; i += 1) {
      const b = Buffer.from(orig)
      orig.copy(b, i, i + 14, i + 18)
      if (b.equals(orig)) continue
      fs.writeFileSync(mutant, b)
      const r = await runCli(['ls', mutant])
      if (r.code === 2) expect(r.stderr).toMatch(/^arrayscope: [^\n]+\n$/)
      else if (r.code !== 0) bugs.push(`byte ${i}: exit ${r.code}: ${r.stderr.trim()}`)
    }
    expect(bugs).toEqual([])
  }, 120_000)
})
