// Find (hex with wildcards, text, typed values exactly or within a tolerance) through the service and the real
// addon, against numpy's answer for the same bytes; holes of a 4 GiB sparse file; errors; cancel.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Request } from '../src/shared/contract'
import { ArrayService } from '../src/main/service/array-service'
import { rejection } from './helpers/errors'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
const RAND = path.join(tmp.dir, 'random.bin')
const F4 = path.join(tmp.dir, 'values.f4')
const SPARSE = path.join(tmp.dir, 'sparse.bin')
const SPARSE_SIZE = 4 * 2 ** 30 + 4097
let service: ArrayService

beforeAll(() => {
  py(`
rng = np.random.default_rng(11)
a = rng.integers(0, 256, 300_000, dtype=np.uint8)
a[1000:1012] = np.frombuffer(b'ArrayScope!!', np.uint8)
a[250_000:250_012] = np.frombuffer(b'ArrayScope??', np.uint8)
a[5000:5000 + len('π≈3.14159'.encode())] = np.frombuffer('π≈3.14159'.encode(), np.uint8)
a.tofile(${JSON.stringify(RAND)})
v = (rng.standard_normal(50_000) * 10).astype('<f4')
v[123] = 3.5; v[40_000] = 3.5; v[777] = 3.52
with open(${JSON.stringify(F4)}, 'wb') as f:
    f.write(b'HDR'); v.tofile(f)
print(1)`)
  const fd = fs.openSync(SPARSE, 'w')
  fs.ftruncateSync(fd, SPARSE_SIZE)
  fs.writeSync(fd, Buffer.from('needle in a 4 GiB haystack'), 0, 26, SPARSE_SIZE - 3000)
  // a match that straddles data and a hole: 0xAB ends a data block, the zeros after it are a hole
  fs.writeSync(fd, Buffer.from([0xab]), 0, 1, 2 ** 31 - 1)
  fs.closeSync(fd)
  service = new ArrayService({ watchIntervalMs: 0 })
})
afterAll(() => {
  service.closeAll()
  tmp.cleanup()
})

type Query = Omit<Request<'find:run'>, 'session' | 'scanId'>
let nextId = 0
const find = (session: string, q: Query) => service.handle('find:run', { session, scanId: `f${nextId++}`, ...q })

async function open(file: string, dtype: string, offset = 0, mode: 'r' | 'c' = 'r') {
  return (
    await service.handle('session:open', { path: file, layout: { dtype, shape: null, offset, order: 'C' }, mode })
  ).session
}

describe('find', () => {
  it('hex patterns with ?? and nibble wildcards, forwards and backwards, aligned or not, wrapping: as numpy finds them', async () => {
    const session = await open(RAND, '<u4') // aligned: at multiples of 4
    // numpy: every match position of each pattern (sliding windows), the queries picked from the file itself
    const cases = py<{ hex: string; starts: number[]; matches: number[]; aligned: number[] }[]>(`
from numpy.lib.stride_tricks import sliding_window_view as win
rng = np.random.default_rng(5)
a = np.fromfile(${JSON.stringify(RAND)}, np.uint8)
out = []
for k in range(24):
    n = int(rng.integers(1, 5)) if k % 3 else int(rng.integers(2, 9))
    at = int(rng.integers(0, a.size - n))
    pat = a[at:at + n].copy(); mask = np.full(n, 0xff, np.uint8)
    text = []
    for i in range(n):
        r = rng.random()
        if r < 0.15 and i > 0: mask[i] = 0; text.append('??')
        elif r < 0.25: mask[i] = 0xf0; text.append('%x?' % (pat[i] >> 4))
        else: text.append('%02X' % pat[i])
    if not mask.any(): mask[0] = 0xff; text[0] = '%02X' % pat[0]
    hit = np.all((win(a, n) & mask) == (pat & mask), axis=1)
    m = np.nonzero(hit)[0]
    out.append(dict(hex=' '.join(text), starts=[0, int(rng.integers(0, a.size)), a.size], matches=m.tolist(),
                    aligned=m[m % 4 == 0].tolist()))
print(json.dumps(out))`)
    for (const c of cases) {
      for (const start of c.starts) {
        for (const aligned of [false, true]) {
          const m = aligned ? c.aligned : c.matches
          const next = m.find((p) => p >= start) ?? null
          const prev = [...m].reverse().find((p) => p < start) ?? null
          const fwd = await find(session, { kind: 'hex', text: c.hex, start, backwards: false, aligned })
          expect([c.hex, start, aligned, fwd.offset]).toEqual([c.hex, start, aligned, next])
          const back = await find(session, { kind: 'hex', text: c.hex, start, backwards: true, aligned })
          expect([c.hex, start, aligned, back.offset]).toEqual([c.hex, start, aligned, prev])
          // wrapping: the first match from the other end when none is left in this direction
          const w = await find(session, { kind: 'hex', text: c.hex, start, backwards: false, aligned, wrap: true })
          expect(w.offset).toBe(next ?? m[0] ?? null)
          expect(w.wrapped).toBe(next === null && m.length > 0)
          expect(w.length).toBe(c.hex.split(' ').length)
        }
      }
    }
  })

  it('text: ASCII and UTF-8', async () => {
    const session = await open(RAND, 'u1')
    const first = await find(session, { kind: 'text', text: 'ArrayScope', start: 0, backwards: false })
    expect(first).toEqual({ offset: 1000, length: 10, wrapped: false })
    const next = await find(session, { kind: 'text', text: 'ArrayScope', start: 1001, backwards: false })
    expect(next.offset).toBe(250_000)
    const last = await find(session, { kind: 'text', text: 'ArrayScope', start: 300_000, backwards: true })
    expect(last.offset).toBe(250_000)
    const utf8 = await find(session, { kind: 'text', text: 'π≈3.14159', start: 0, backwards: false })
    expect(utf8).toEqual({ offset: 5000, length: Buffer.byteLength('π≈3.14159'), wrapped: false })
  })

  it('typed values: exact bytes, within a tolerance, at element boundaries or anywhere, as numpy finds them', async () => {
    const session = await open(F4, '<f4', 3)
    const ref = py<{ exact: number[]; near: number[]; big: number[] }>(`
v = np.fromfile(${JSON.stringify(F4)}, '<f4', offset=3)
print(json.dumps(dict(exact=(3 + 4 * np.nonzero(v == np.float32(3.5))[0]).tolist(),
                      near=(3 + 4 * np.nonzero(np.abs(v.astype(np.float64) - 3.5) <= 0.05)[0]).tolist(),
                      big=(3 + 4 * np.nonzero(v.astype(np.float64) >= 20)[0]).tolist())))`)
    const exact = await find(session, { kind: 'value', text: '3.5 as <f4', start: 0, backwards: false })
    expect(exact).toEqual({ offset: ref.exact[0], length: 4, wrapped: false })
    const again = await find(session, { kind: 'value', text: '3.5', start: exact.offset! + 1, backwards: false })
    expect(again.offset).toBe(ref.exact[1])
    const near = await find(session, {
      kind: 'value',
      text: '3.5',
      tolerance: 0.05,
      aligned: true,
      start: 0,
      backwards: false
    })
    expect(near.offset).toBe(ref.near[0])
    const nearBack = await find(session, {
      kind: 'value',
      text: '3.5',
      tolerance: 0.05,
      aligned: true,
      start: 200_003,
      backwards: true
    })
    expect(nearBack.offset).toBe(ref.near.at(-1))
    // the same bytes read big-endian are another value: searching '>f4' finds nothing aligned
    const be = await find(session, { kind: 'value', text: '3.5 as >f4', aligned: true, start: 0, backwards: false })
    expect(be.offset).toBe(null)
    // a range search (tolerance) at element boundaries finds numpy's first element >= 20 within [20, 40]
    const range = await find(session, {
      kind: 'value',
      text: '30',
      tolerance: 10,
      aligned: true,
      start: 0,
      backwards: false
    })
    const firstBig = py<number>(`
v = np.fromfile(${JSON.stringify(F4)}, '<f4', offset=3).astype(np.float64)
print(int(3 + 4 * np.nonzero((v >= 20) & (v <= 40))[0][0]))`)
    expect(range.offset).toBe(firstBig)
    expect(ref.big.length).toBeGreaterThan(0)
    // integers of another dtype than the array's, unaligned
    const i2Ref = py<number>(`
b = np.fromfile(${JSON.stringify(F4)}, np.uint8)
w = (b[:-1].astype(np.int64) << 8) | b[1:]
print(int(np.nonzero(w == 0x4452)[0][0]))`)
    const i2 = await find(session, { kind: 'value', text: '0x4452 as >i2', start: 0, backwards: false })
    expect(i2.offset).toBe(i2Ref) // 'DR' of the header
    const hdr = await find(session, { kind: 'value', text: '72 as u1', start: 0, backwards: false })
    expect(hdr.offset).toBe(0) // 'H' of the header
  })

  it('finds a pattern planted near the end of a 4 GiB sparse file (holes skipped), and one straddling a hole', async () => {
    const session = await open(SPARSE, 'u1')
    const hit = await find(session, { kind: 'text', text: 'needle', start: 0, backwards: false })
    expect(hit.offset).toBe(SPARSE_SIZE - 3000)
    const back = await find(session, { kind: 'text', text: 'haystack', start: SPARSE_SIZE, backwards: true })
    expect(back.offset).toBe(SPARSE_SIZE - 3000 + 18)
    const straddle = await find(session, { kind: 'hex', text: 'AB 00 00 00', start: 0, backwards: false })
    expect(straddle.offset).toBe(2 ** 31 - 1)
    // zeros can match inside holes: the first 8 zero bytes are at offset 0
    const zeros = await find(session, { kind: 'hex', text: '00 00 00 00 00 00 00 00', start: 5, backwards: false })
    expect(zeros.offset).toBe(5)
  })

  it('a search over holes it cannot skip (mode c) is cancelled through scan:cancel', async () => {
    const session = await open(SPARSE, 'u1', 0, 'c')
    const running = service.handle('find:run', {
      session,
      scanId: 'slow-find',
      kind: 'text',
      text: 'not there at all',
      start: 0,
      backwards: false
    })
    await new Promise((r) => setTimeout(r, 100))
    expect(await service.handle('scan:cancel', { scanId: 'slow-find' })).toEqual({ cancelled: true })
    expect((await rejection(running)).code).toBe('cancelled')
  })

  it('says what is wrong with a query', async () => {
    const session = await open(F4, '<f4', 3)
    const cases: [Query, RegExp][] = [
      [{ kind: 'hex', text: 'DE A', start: 0, backwards: false }, /odd number of digits \(3\).*pairs of hex digits/],
      [{ kind: 'hex', text: 'DE AG', start: 0, backwards: false }, /'G' is not a hex digit/],
      [{ kind: 'hex', text: '?? ??', start: 0, backwards: false }, /only wildcards/],
      [{ kind: 'hex', text: 'DE', tolerance: 1, start: 0, backwards: false }, /tolerance applies to typed values only/],
      [{ kind: 'value', text: '300 as u1', start: 0, backwards: false }, /'300' is not a \|u1 value: .*range/],
      [{ kind: 'value', text: 'x as <f4', start: 0, backwards: false }, /'x' is not a <f4 value/],
      [{ kind: 'value', text: '1 as <q9', start: 0, backwards: false }, /unknown dtype '<q9'/],
      [
        { kind: 'value', text: '1+2j as <c8', tolerance: 0.1, start: 0, backwards: false },
        /tolerance needs a real-valued dtype/
      ],
      [{ kind: 'value', text: 'nan', tolerance: 0.1, start: 0, backwards: false }, /tolerance needs a finite value/]
    ]
    for (const [q, message] of cases) {
      const e = await rejection(find(session, q))
      expect([q.text, e.code]).toEqual([q.text, 'bad-request'])
      expect(e.message).toMatch(message)
    }
    // an exact complex value is fine (its bytes)
    expect((await find(session, { kind: 'value', text: '1+2j as <c8', start: 0, backwards: false })).offset).toBe(null)
  })
})

describe('arrayscope find', () => {
  it('prints match offsets (decimal and hex), exits 1 when none, 2 with a reason for bad input', async () => {
    const { runCli } = await import('./helpers/cli')
    const first = await runCli(['find', RAND, '--text', 'ArrayScope', '--max', '5'])
    expect(first).toEqual({ code: 0, stdout: '1000\t0x3e8\n250000\t0x3d090\n', stderr: '' })
    const back = await runCli(['find', RAND, '--hex', '41 72 ?? 61', '--backwards'])
    expect(back.stdout).toBe('250000\t0x3d090\n')
    const value = await runCli([
      'find',
      F4,
      '--dtype',
      '<f4',
      '--offset',
      '3',
      '--value',
      '3.5',
      '--tolerance',
      '0.05',
      '--aligned',
      '--max',
      '9'
    ])
    const ref = py<number[]>(`
v = np.fromfile(${JSON.stringify(F4)}, '<f4', offset=3).astype(np.float64)
print(json.dumps((3 + 4 * np.nonzero(np.abs(v - 3.5) <= 0.05)[0][:9]).tolist()))`)
    expect(value.stdout).toBe(ref.map((o) => `${o}\t0x${o.toString(16)}\n`).join(''))
    expect(await runCli(['find', RAND, '--text', 'not in there'])).toEqual({ code: 1, stdout: '', stderr: '' })
    const bad = await runCli(['find', RAND, '--hex', 'zz'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^arrayscope: 'z' is not a hex digit or \?/)
    const none = await runCli(['find', RAND])
    expect(none.stderr).toMatch(/find needs one of --hex/)
  })
})
