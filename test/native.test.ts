// The native addon on real files: the four modes, bounds, truncation by another writer, 64-bit offsets.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { native, type NativeError } from '../src/main/service/native'
import { tempDir } from './helpers/numpy'

const { Mapping } = native()
const tmp = tempDir()
afterAll(() => tmp.cleanup())

function file(name: string, bytes: Uint8Array): string {
  const p = path.join(tmp.dir, name)
  fs.writeFileSync(p, bytes)
  return p
}

const sha = (p: string): string => createHash('sha256').update(fs.readFileSync(p)).digest('hex')
const iota = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, k) => k & 0xff)

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    return (e as NativeError).code
  }
  return 'no error'
}

describe('Mapping modes', () => {
  it('r reads by copy and refuses writes', () => {
    const p = file('r.bin', iota(1000))
    const m = new Mapping(p, 'r')
    expect(m.size).toBe(1000)
    expect(m.mode).toBe('r')
    const out = new Uint8Array(5)
    expect(m.read(997 - 2, out)).toBe(5)
    expect([...out]).toEqual([995 & 0xff, 996 & 0xff, 997 & 0xff, 998 & 0xff, 999 & 0xff])
    expect(codeOf(() => m.write(0, new Uint8Array([1])))).toBe('EREADONLY')
    expect(() => m.write(0, new Uint8Array([1]))).toThrow(/read-only \(mode r\).*r\+.*c/)
    m.close()
  })

  it('r+ writes through to the file, flush persists, only the written bytes change', () => {
    const p = file('rplus.bin', iota(4096 * 3))
    const before = fs.readFileSync(p)
    const m = new Mapping(p, 'r+')
    m.write(5000, new Uint8Array([0xde, 0xad, 0xbe, 0xef]))
    m.flush()
    m.close()
    const after = fs.readFileSync(p)
    expect([...after.subarray(5000, 5004)]).toEqual([0xde, 0xad, 0xbe, 0xef])
    expect(Buffer.compare(after.subarray(0, 5000), before.subarray(0, 5000))).toBe(0)
    expect(Buffer.compare(after.subarray(5004), before.subarray(5004))).toBe(0)
  })

  it('c keeps writes private: readable through the mapping, never in the file', () => {
    const p = file('c.bin', iota(8192))
    const digest = sha(p)
    const m = new Mapping(p, 'c')
    m.write(10, new Uint8Array([42, 43]))
    m.flush()
    const out = new Uint8Array(2)
    m.read(10, out)
    expect([...out]).toEqual([42, 43])
    m.close()
    expect(sha(p)).toBe(digest)
  })

  it('w+ creates (or overwrites) a zero-filled file of the given size', () => {
    const p = path.join(tmp.dir, 'wplus.bin')
    fs.writeFileSync(p, iota(50))
    const m = new Mapping(p, 'w+', 10_000)
    expect(m.size).toBe(10_000)
    m.write(9_998, new Uint8Array([7, 8]))
    m.flush()
    m.close()
    const bytes = fs.readFileSync(p)
    expect(bytes.length).toBe(10_000)
    expect(bytes.subarray(0, 9_998).every((b) => b === 0)).toBe(true)
    expect([...bytes.subarray(9_998)]).toEqual([7, 8])
  })

  it('w+ needs a size; an unknown mode is refused', () => {
    expect(codeOf(() => new Mapping(path.join(tmp.dir, 'x.bin'), 'w+'))).toBe('EINVAL')
    expect(() => new Mapping(path.join(tmp.dir, 'x.bin'), 'rw' as 'r')).toThrow(/mode must be one of r, r\+, c, w\+/)
  })

  it('an empty file maps with size 0', () => {
    const m = new Mapping(file('empty.bin', new Uint8Array(0)), 'r')
    expect(m.size).toBe(0)
    expect(m.read(0, new Uint8Array(0))).toBe(0)
    expect(codeOf(() => m.read(0, new Uint8Array(1)))).toBe('ERANGE')
    m.close()
  })
})

describe('errors', () => {
  it('missing files, directories and permissions get clear messages', () => {
    expect(() => new Mapping(path.join(tmp.dir, 'nope.bin'), 'r')).toThrow(/no such file/)
    expect(codeOf(() => new Mapping(tmp.dir, 'r'))).toMatch(/EISDIR|EINVAL/)
    const p = file('ro.bin', iota(10))
    fs.chmodSync(p, 0o444)
    if (process.getuid?.() !== 0) {
      // root ignores file permissions; everyone else must get a clear refusal for r+
      expect(() => new Mapping(p, 'r+')).toThrow(/permission denied .* mode r or c/)
    }
    expect(new Mapping(p, 'r').size).toBe(10)
  })

  it('reads and writes outside the mapping are refused, not clamped', () => {
    const m = new Mapping(file('bounds.bin', iota(100)), 'r+')
    expect(codeOf(() => m.read(98, new Uint8Array(3)))).toBe('ERANGE')
    expect(codeOf(() => m.write(100, new Uint8Array(1)))).toBe('ERANGE')
    expect(codeOf(() => m.read(-1, new Uint8Array(1)))).toBe('ERANGE')
    expect(codeOf(() => m.read(1.5, new Uint8Array(1)))).toBe('EINVAL')
    expect(codeOf(() => m.read(0, new Uint16Array(1) as unknown as Uint8Array))).toBe('EINVAL')
    m.close()
  })

  it('close unmaps at once; later calls say the mapping is closed', () => {
    const p = file('close.bin', iota(10))
    const m = new Mapping(p, 'r')
    m.close()
    expect(m.closed).toBe(true)
    expect(codeOf(() => m.read(0, new Uint8Array(1)))).toBe('ECLOSED')
    m.close() // idempotent
    // The file is no longer held: it can be removed and recreated under the same name.
    fs.rmSync(p)
    fs.writeFileSync(p, iota(3))
    expect(new Mapping(p, 'r').size).toBe(3)
  })
})

describe('a file truncated by another process', () => {
  it('read reports "file changed on disk" instead of crashing', () => {
    const p = file('trunc.bin', iota(1 << 20))
    const m = new Mapping(p, 'r')
    fs.truncateSync(p, 4096)
    const out = new Uint8Array(16)
    expect(m.read(0, out)).toBe(16) // still inside the file
    expect(() => m.read(500_000, out)).toThrow(/file changed on disk: .* is now 4096 bytes/)
    expect(
      codeOf(() =>
        m.gather({ base: 500_000, rows: 2, cols: 2, rowStride: 8, colStride: 1, itemsize: 1 }, new Uint8Array(4))
      )
    ).toBe('ECHANGED')
    expect(m.stat().size).toBe(4096)
    m.close()
  })

  it('the SIGBUS guard turns a fault on a truncated page into an error (no size check in the way)', () => {
    for (const mode of ['r', 'r+', 'c'] as const) {
      const p = file(`sigbus-${mode}.bin`, iota(1 << 20))
      const m = new Mapping(p, mode)
      fs.truncateSync(p, 0)
      expect(codeOf(() => m.readUnchecked(600_000, new Uint8Array(64)))).toBe('ECHANGED')
      // and again: the guard re-arms after a fault
      expect(codeOf(() => m.readUnchecked(700_000, new Uint8Array(64)))).toBe('ECHANGED')
      m.close()
    }
  })
})

describe('64-bit offsets', () => {
  it('maps a sparse 64 GiB file and reads and writes past 4 GiB', () => {
    const p = path.join(tmp.dir, 'sparse64.bin')
    const size = 64 * 2 ** 30
    const fd = fs.openSync(p, 'w')
    fs.ftruncateSync(fd, size)
    const marker = Buffer.from('far away')
    const at = size - 4096 + 17 // 17 bytes into the last page
    fs.writeSync(fd, marker, 0, marker.length, at)
    fs.closeSync(fd)
    const m = new Mapping(p, 'r+')
    expect(m.size).toBe(size)
    const out = new Uint8Array(marker.length)
    m.read(at, out)
    expect(Buffer.from(out).toString()).toBe('far away')
    m.read(BigInt(at), out)
    expect(Buffer.from(out).toString()).toBe('far away')
    const mid = 5 * 2 ** 30 + 3 // past 4 GiB, unaligned
    m.write(mid, new Uint8Array([1, 2, 3]))
    m.flush(mid, 3)
    m.close()
    const fd2 = fs.openSync(p, 'r')
    const back = Buffer.alloc(3)
    fs.readSync(fd2, back, 0, 3, mid)
    fs.closeSync(fd2)
    expect([...back]).toEqual([1, 2, 3])
    // mode c maps a file larger than RAM + swap (24 GiB here): only edited pages take memory
    const c = new Mapping(p, 'c')
    c.write(size - 1, new Uint8Array([7]))
    const one = new Uint8Array(1)
    c.read(size - 1, one)
    expect(one[0]).toBe(7)
    c.close()
    const fd3 = fs.openSync(p, 'r')
    fs.readSync(fd3, one, 0, 1, size - 1)
    fs.closeSync(fd3)
    expect(one[0]).toBe(0)
  })
})

describe('gather', () => {
  it('gathers strided windows, including negative strides, in row-major order', () => {
    // a 4x5 C-order uint8 array: element (i, j) = 5i + j
    const p = file('gather.bin', iota(20))
    const m = new Mapping(p, 'r')
    const out = new Uint8Array(6)
    m.gather({ base: 6, rows: 2, cols: 3, rowStride: 5, colStride: 1, itemsize: 1 }, out)
    expect([...out]).toEqual([6, 7, 8, 11, 12, 13])
    // transposed view (columns as rows)
    m.gather({ base: 0, rows: 2, cols: 3, rowStride: 1, colStride: 5, itemsize: 1 }, out)
    expect([...out]).toEqual([0, 5, 10, 1, 6, 11])
    // negative strides: rows reversed from the last row
    m.gather({ base: 15, rows: 2, cols: 3, rowStride: -5, colStride: 1, itemsize: 1 }, out)
    expect([...out]).toEqual([15, 16, 17, 10, 11, 12])
    // multi-byte items of an odd size (3 bytes)
    const o3 = new Uint8Array(6)
    m.gather({ base: 1, rows: 1, cols: 2, rowStride: 0, colStride: 4, itemsize: 3 }, o3)
    expect([...o3]).toEqual([1, 2, 3, 5, 6, 7])
    expect(codeOf(() => m.gather({ base: 15, rows: 2, cols: 3, rowStride: 5, colStride: 1, itemsize: 1 }, out))).toBe(
      'ERANGE'
    )
    expect(
      codeOf(() => m.gather({ base: 0, rows: 2, cols: 3, rowStride: 5, colStride: 1, itemsize: 1 }, new Uint8Array(5)))
    ).toBe('EINVAL')
    m.close()
  })
})
