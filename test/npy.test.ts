// .npy header writing: numpy reads what we write, padded to 64 or to an exact length, promoted to version 2
// when version 1's 16-bit length cannot hold it, and refused when it cannot fit before the data.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { parseNpyHeader, writeNpyHeader } from '../src/shared/npy'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

it('writes headers numpy reads, at the length asked', () => {
  const h = writeNpyHeader('<f8', true, [3, 4])
  expect(h.length % 64).toBe(0)
  expect(h[6]).toBe(1)
  const p = path.join(tmp.dir, 'h.npy')
  fs.writeFileSync(p, Buffer.concat([Buffer.from(writeNpyHeader('<f8', true, [3, 4], 256)), Buffer.alloc(96)]))
  expect(
    py<unknown>(
      `a = np.load(${JSON.stringify(p)}, mmap_mode='r'); print(json.dumps([list(a.shape), a.dtype.str, bool(a.flags.f_contiguous), int(a.offset)]))`
    )
  ).toEqual([[3, 4], '<f8', true, 256])
  expect(() => writeNpyHeader('<f8', false, [3, 4], 64)).toThrow(/needs 128 bytes but the data starts at byte 64/)
})

it('promotes to version 2 when the header outgrows 65535 bytes', () => {
  const fields = Array.from({ length: 3000 }, (_, k) => [`field_number_${k}`, '<f4'])
  const h = writeNpyHeader(fields, false, [2])
  expect(h[6]).toBe(2)
  const parsed = parseNpyHeader(h)
  expect(parsed.dataOffset).toBe(h.length)
  expect((parsed.descr as unknown[]).length).toBe(3000)
})
