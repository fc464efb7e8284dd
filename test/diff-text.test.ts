// `arrayscope diff`'s text against numpy.testing.assert_allclose's own message on the same .npy pairs: the
// mismatch lines (float32 values as numpy prints them, 99.99993896484375; at most 5), their heading, and the
// largest differences as np.array2string prints them in the dtype numpy subtracts in.
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

/** numpy's message for A and B (python expressions), from "Not equal" to its "Max relative" line. */
function numpyMessage(name: string, a: string, b: string): { fa: string; fb: string; lines: string[] } {
  const fa = path.join(tmp.dir, `${name}.a.npy`)
  const fb = path.join(tmp.dir, `${name}.b.npy`)
  const lines = py<string[]>(`
a = ${a}
b = ${b}
np.save(${JSON.stringify(fa)}, a); np.save(${JSON.stringify(fb)}, b)
try:
    np.testing.assert_allclose(a, b)
    print(json.dumps([]))
except AssertionError as e:
    lines = str(e).strip('\\n').split('\\n')
    print(json.dumps(lines[:[i for i, l in enumerate(lines) if l.startswith('Max relative')][-1] + 1]))`)
  return { fa, fb, lines }
}

async function cliLines(fa: string, fb: string): Promise<string[]> {
  const out = await runCli(['diff', fa, fb])
  expect(out.code).toBe(1)
  return out.stdout.replace(/\n$/, '').split('\n')
}

describe("diff prints assert_allclose's message", () => {
  it('float32 pairs: values as numpy prints them, 5 listed, differences in float32', async () => {
    const { fa, fb, lines } = numpyMessage(
      'f4',
      'np.float32([99.99994, 1.5, 3, 4, 5, 6, 7, 0.1, 1e-7, 2.5])',
      'np.float32([100, 1.5, 2, 1, 1, 1, 1, 0.3, 2e-7, 2.5])'
    )
    expect(lines).toContain(' [0]: 99.99993896484375 (ACTUAL), 100.0 (DESIRED)')
    expect(lines).toContain('First 5 mismatches are at indices:')
    expect(await cliLines(fa, fb)).toEqual(lines)
  })

  it('one mismatch in 2-D, float32 against float64 (differences in float64)', async () => {
    const { fa, fb, lines } = numpyMessage(
      'f4f8',
      'np.float32([[99.99994, 1.5], [2, 3]])',
      'np.float64([[100, 1.5], [2, 3]])'
    )
    expect(lines).toContain('Mismatch at index:')
    expect(await cliLines(fa, fb)).toEqual(lines)
  })

  it('a few mismatches, a tiny float32 difference (scientific), a zero in B', async () => {
    const { fa, fb, lines } = numpyMessage(
      'few',
      'np.float32([99.99994, 1.5, 3, 1e-3])',
      'np.float32([100, 1.5, 0, 1e-3])'
    )
    expect(lines).toContain('Mismatch at indices:')
    expect(await cliLines(fa, fb)).toEqual(lines)
  })

  it('integers and float16', async () => {
    const ints = numpyMessage('i2', 'np.int16([1, 2, 3, -7])', 'np.int16([1, 5, 3, 9])')
    expect(await cliLines(ints.fa, ints.fb)).toEqual(ints.lines)
    const half = numpyMessage('f2', 'np.float16([1.1, 2.2, 3])', 'np.float16([0, 2.2, 3.5])')
    expect(await cliLines(half.fa, half.fb)).toEqual(half.lines)
  })
})
