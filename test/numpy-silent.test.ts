// Values that used to be silently wrong against numpy (numpy's own dtype and indexing cases, run against the CLI):
// a structured field named '' that is not padding, a list in --slice, and .npy exports of titled fields.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

describe("a field named ''", () => {
  it('is kept when it is not void padding, as np.load keeps it; void padding is skipped', async () => {
    const file = path.join(tmp.dir, 'unnamed.npy')
    const expected = py<unknown>(`
dt = np.lib.format.descr_to_dtype([('', '<i4'), ('b', '<f4'), ('', '|V4'), ('c', '<i2')])
a = np.zeros(3, dt)
a[''] = [7, -8, 9]; a['b'] = [0.5, 1.5, 2.5]; a['c'] = [1, 2, 3]
np.save(${JSON.stringify(file)}, a)
b = np.load(${JSON.stringify(file)})
print(json.dumps([{n: r[n].item() for n in b.dtype.names} for r in b]))`)
    expect(expected).toEqual([
      { '': 7, b: 0.5, c: 1 },
      { '': -8, b: 1.5, c: 2 },
      { '': 9, b: 2.5, c: 3 }
    ])
    const r = await runCli(['show', file, '--json'])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual(expected)
    // and str() prints it among the others
    const text = await runCli(['show', file])
    expect(text.stdout).toBe(py<string>(`print(json.dumps(str(np.load(${JSON.stringify(file)}))))`) + '\n')
  })
})

describe('--slice with a list', () => {
  it('is refused as advanced indexing, never read as basic indexing', async () => {
    const file = path.join(tmp.dir, 'list.npy')
    py(`np.save(${JSON.stringify(file)}, np.arange(12).reshape(3, 4)); print(1)`)
    for (const s of ['[0, 1]', '0, [1, 2]', '[0]', '[1, 2], ::2']) {
      const r = await runCli(['show', file, '--slice', s, '--json'])
      expect([s, r.code]).toEqual([s, 2])
      expect(r.stderr).toMatch(
        /is a list: numpy reads a\[.*\] as advanced \(integer-array\) indexing, which ArrayScope does not support/
      )
      expect(r.stdout).toBe('')
    }
    // basic indexing is unchanged
    expect(JSON.parse((await runCli(['show', file, '--slice', '0, 1', '--json'])).stdout)).toBe(1)
  })
})

describe('.npy export of titled fields', () => {
  it('writes a header np.load reads, byte for byte what np.save writes', async () => {
    const src = path.join(tmp.dir, 'titled.npy')
    const out = path.join(tmp.dir, 'titled-out.npy')
    const ref = path.join(tmp.dir, 'titled-ref.npy')
    py(`
dt = np.dtype([(('the title', 'x'), '<f4'), ('v', '<i2', (3,)), ('n', [(('t2', 'y'), 'u1'), ('z', '>f8', (2, 2))])])
a = np.zeros(4, dt)
a['x'] = [1.5, 2.5, 3.5, 4.5]; a['v'] = np.arange(12).reshape(4, 3); a['n']['y'] = [1, 2, 3, 4]
a['n']['z'] = np.arange(16).reshape(4, 2, 2) / 4
np.save(${JSON.stringify(src)}, a)
np.save(${JSON.stringify(ref)}, a)
print(1)`)
    expect((await runCli(['export', src, '--out', out, '--as', 'npy'])).code).toBe(0)
    const back = py<{ equal: boolean; titles: unknown }>(`
a = np.load(${JSON.stringify(out)}); b = np.load(${JSON.stringify(src)})
print(json.dumps({'equal': bool(a.dtype == b.dtype and (a == b).all()), 'titles': a.dtype.fields['the title'][2]}))`)
    expect(back).toEqual({ equal: true, titles: 'the title' })
    expect(Buffer.compare(fs.readFileSync(out), fs.readFileSync(ref))).toBe(0)
  })
})
