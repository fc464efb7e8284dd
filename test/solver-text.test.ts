// The layout solver's text evidence (issue 33): CSV, whitespace tables and fromfile dumps written by numpy, the
// csv module and pandas are proposed as text layouts (separator, header row, comments, dtype), first; binary
// files are not; and the proposal opened through the service reads what np.loadtxt reads.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { proposeLayouts } from '../src/shared/solver'
import { ArrayService } from '../src/main/service/array-service'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

function best(file: string): ReturnType<typeof proposeLayouts>[number] {
  const bytes = fs.readFileSync(file)
  return proposeLayouts({
    fileSize: bytes.length,
    fileName: path.basename(file),
    read: (o, n) => new Uint8Array(bytes.buffer, bytes.byteOffset + o, Math.max(0, Math.min(n, bytes.length - o)))
  })[0]!
}

describe('text proposals', () => {
  const at = (name: string): string => path.join(tmp.dir, name)
  it('proposes the separator, the header row, comments and the dtype', () => {
    py(`
import csv
rng = np.random.default_rng(2)
a = rng.standard_normal((3000, 4))
np.savetxt(${JSON.stringify(at('savetxt.csv'))}, a, delimiter=',', header='a,b,c,d')
np.savetxt(${JSON.stringify(at('table.txt'))}, a, fmt='%.6e')
np.savetxt(${JSON.stringify(at('ints.tsv'))}, rng.integers(-9, 9, (50, 3)), fmt='%d', delimiter='\\t')
a[:5, 0].tofile(${JSON.stringify(at('dump.txt'))}, sep=' ')
with open(${JSON.stringify(at('module.csv'))}, 'w', newline='') as f:
    w = csv.writer(f); w.writerow(['x', 'y']); w.writerows(rng.integers(0, 100, (20, 2)).tolist())
a.astype('<f4').tofile(${JSON.stringify(at('binary.bin'))})
print(1)`)
    expect(best(at('savetxt.csv'))).toMatchObject({
      dtype: '<f8',
      shape: [-1, 4],
      text: { sep: ',', rows: true, comments: '#' }
    })
    expect(best(at('table.txt'))).toMatchObject({ dtype: '<f8', shape: [-1, 4], text: { sep: ' ', rows: true } })
    expect(best(at('ints.tsv'))).toMatchObject({ dtype: '<i8', shape: [-1, 3], text: { sep: ' ', rows: true } })
    const dump = best(at('dump.txt'))
    expect(dump).toMatchObject({ dtype: '<f8', shape: [-1], text: { sep: ' ' } })
    expect(dump.text?.rows).toBeUndefined()
    const module = best(at('module.csv'))
    expect(module).toMatchObject({ dtype: '<i8', shape: [-1, 2], text: { sep: ',', rows: true, skip: 1 } })
    expect(module.reasons.join('; ')).toMatch(/header row \(line 1\) skipped/)
    expect(best(at('binary.bin')).text).toBeUndefined()
  })

  it('the proposal, opened, reads what np.loadtxt reads (a file larger than the solver reads)', async () => {
    const file = at('big.csv')
    py(`
rng = np.random.default_rng(9)
np.savetxt(${JSON.stringify(file)}, rng.standard_normal((20000, 3)), delimiter=',', header='p,q,r', comments='')
print(1)`)
    const c = best(file)
    expect(c.text).toEqual({ sep: ',', rows: true, skip: 1 })
    const s = new ArrayService({ watchIntervalMs: 0 })
    try {
      const info = await s.handle('session:open', {
        path: file,
        layout: { dtype: c.dtype, shape: c.shape, offset: c.offset, order: c.order, text: c.text },
        mode: 'r'
      })
      expect(info.layout.shape).toEqual([20000, 3])
      const st = await s.handle('scan:stats', { session: info.session, scanId: 'x' })
      const ref = py<{ min: number; max: number }>(`
a = np.loadtxt(${JSON.stringify(file)}, delimiter=',', skiprows=1)
print(json.dumps({'min': float(a.min()), 'max': float(a.max())}))`)
      expect(st.min).toBe(ref.min)
      expect(st.max).toBe(ref.max)
    } finally {
      s.closeAll()
    }
  })
})
