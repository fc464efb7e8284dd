// The pickle reader (src/shared/containers/pickle-reader.ts) on pickles CPython writes: plain values of every
// protocol read as Python reads them; the ways a pickle names code — GLOBAL, STACK_GLOBAL, INST, the copyreg
// extension registry (EXT1), out-of-band buffers — are refused by name with torch's hooks; damaged pickles
// (an unknown memo, a truncated stream, a pop past a mark) are errors saying so.
import { describe, expect, it } from 'vitest'
import { readPickle, type PValue } from '../src/shared/containers/pickle-reader'
import { torchHooks } from '../src/shared/containers/torch-pickle'
import { py } from './helpers/numpy'

/** CPython's pickles of a few snippets, as byte arrays. */
function pickles(code: string): Record<string, Uint8Array> {
  const hex = py<Record<string, string>>(
    `import pickle, copyreg, os\n${code}\nprint(json.dumps({k: v.hex() for k, v in out.items()}))`
  )
  return Object.fromEntries(Object.entries(hex).map(([k, v]) => [k, Uint8Array.from(Buffer.from(v, 'hex'))]))
}

/** A read value as JSON-like data (dicts as [key, value] pairs). */
function plain(v: PValue): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? `${v}n` : v
  if (v.t === 'bytes') return `b:${Buffer.from(v.b).toString('latin1')}`
  if (v.t === 'list' || v.t === 'tuple') return v.items.map(plain)
  if (v.t === 'dict') return v.entries.map(([k, x]) => [plain(k), plain(x)])
  return v.t
}

describe('pickle reader', () => {
  it('reads plain values of protocols 0-5 as Python wrote them', () => {
    const got = pickles(`
value = {'s': 'text é', 'i': [0, -1, 255, 65536, -2**31, 2**62, -2**70], 'f': 1.5, 'n': None, 't': (True, False),
         'b': b'\\x00\\xff', 'nested': [[1], {'k': (2, 3)}], 'shared': None}
shared = [7]
value['shared'] = (shared, shared)
out = {f'p{p}': pickle.dumps(value, protocol=p) for p in range(6)}`)
    const want = [
      ['s', 'text é'],
      ['i', [0, -1, 255, 65536, -(2 ** 31), `${2n ** 62n}n`, `${-(2n ** 70n)}n`]],
      ['f', 1.5],
      ['n', null],
      ['t', [true, false]],
      ['b', 'b:\x00\xff'],
      ['nested', [[1], [['k', [2, 3]]]]],
      ['shared', [[7], [7]]]
    ]
    for (const [name, bytes] of Object.entries(got)) {
      expect(plain(readPickle(bytes, torchHooks(), 0, name).value), name).toEqual(want)
    }
  })

  it('refuses every way of naming code, by name', () => {
    const got = pickles(`
class R:
    def __reduce__(self): return (os.system, ('touch nowhere',))
out = {'global': pickle.dumps(R(), protocol=2), 'stack_global': pickle.dumps(R(), protocol=4),
       'inst': b"(S'touch nowhere'\\nios\\nsystem\\n.",
       'buffer': pickle.dumps(pickle.PickleBuffer(b'abc'), protocol=5, buffer_callback=lambda b: False)}
# the same call through the copyreg extension registry: code named by a number
copyreg.add_extension(os.system.__module__, 'system', 240)
out['ext1'] = pickle.dumps(R(), protocol=2)`)
    const run = (name: string): string => {
      try {
        readPickle(got[name]!, torchHooks(), 0, name)
      } catch (e) {
        return (e as Error).message
      }
      return 'read'
    }
    expect(run('global')).toMatch(
      /global (posix|os)\.system, which is not one of the few torch uses .*refused \(nothing in the pickle was run\)/
    )
    expect(run('stack_global')).toMatch(/global (posix|os)\.system/)
    expect(run('inst')).toMatch(/global os\.system/)
    expect(run('ext1')).toMatch(/extension registry \(EXT opcodes\)/)
    expect(run('buffer')).toMatch(/out-of-band buffer/)
  })

  it('damaged pickles are errors saying what is wrong', () => {
    const bad = (bytes: number[]): string => {
      try {
        readPickle(Uint8Array.from(bytes), torchHooks(), 0, 'p')
      } catch (e) {
        return (e as Error).message
      }
      return 'read'
    }
    expect(bad([0x80, 0x02, 0x68, 0x05, 0x2e])).toMatch(/reads memo 5, which was never stored/)
    expect(bad([0x80, 0x02, 0x5d])).toMatch(/ends without a STOP opcode/)
    expect(bad([0x80, 0x02, 0x58, 0xff, 0xff, 0, 0])).toMatch(/ends inside an opcode's argument/)
    expect(bad([0x80, 0x02, 0x4b, 1, 0x28, 0x30, 0x30, 0x2e])).toMatch(/pops an empty stack|pops a mark/)
    expect(bad([0x80, 0x07, 0x2e])).toMatch(/protocol 7, newer than 5/)
    expect(bad([0x80, 0x02, 0x5d, 0x4b, 1, 0x4b, 2, 0x73, 0x2e])).toMatch(/sets items of something that is not a dict/)
  })
})
