// The text parser under seeded mutants (issue 33): CSV, whitespace and complex texts with bytes replaced,
// inserted, deleted, cut, or lines duplicated — every `show` and `stats` with a separator ends in exit 0 (the
// values numpy would read) or 2 (one line saying what is wrong), never a crash of the process.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { tempDir } from './helpers/numpy'

const { dir, cleanup } = tempDir()
afterAll(cleanup)

function prng(seed: number): (n: number) => number {
  let s = seed >>> 0
  return (n) => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s % n
  }
}

const SEEDS: { text: string; flags: string[] }[] = [
  { text: 'a,b,c\r\n1,2.5,-3\r\n# note\r\n4,nan,6e-3\r\n7,inf,9\r\n', flags: ['--sep', ',', '--skip-rows', '1'] },
  { text: '1 2 3\n4 5 6\n7 8 9\n', flags: ['--sep', ' ', '--dtype', 'i2'] },
  { text: '1+2j 3-4j 5j nan+infj', flags: ['--sep', ' ', '--dtype', 'c8'] },
  { text: '1;2;3;4;5;6;', flags: ['--sep', ';', '--no-rows', '--shape', '-1,2', '--dtype', 'f2'] }
]
const ALPHABET = '0123456789.,;eE+-j #\n\r\tnaif()x\u00e9'

it('300 seeded mutants of text arrays: exit 0 or 2 with one line saying why', async () => {
  const rand = prng(33)
  const failures: string[] = []
  for (let k = 0; k < 300; k++) {
    const seed = SEEDS[k % SEEDS.length]!
    let t = seed.text
    for (let m = 0; m <= rand(4); m++) {
      const at = rand(t.length + 1)
      const c = ALPHABET[rand(ALPHABET.length)]!
      const op = rand(5)
      if (op === 0) t = t.slice(0, at) + c + t.slice(at + 1)
      else if (op === 1) t = t.slice(0, at) + c + t.slice(at)
      else if (op === 2) t = t.slice(0, at) + t.slice(at + 1)
      else if (op === 3) t = t.slice(0, at)
      else t = t + t.slice(0, at)
    }
    const file = path.join(dir, `m${k}.txt`)
    fs.writeFileSync(file, t)
    // every other mutant parsed in segments of 40 bytes on several threads, as a large text is
    if (k % 2) process.env.ARRAYSCOPE_TEXT_SPLIT_MB = '0'
    else delete process.env.ARRAYSCOPE_TEXT_SPLIT_MB
    process.env.ARRAYSCOPE_TEXT_SEGMENT_KB = '0.04'
    for (const cmd of ['show', 'stats']) {
      const r = await runCli([cmd, file, ...seed.flags])
      const ok =
        r.code === 0 ||
        (r.code === 2 && r.stderr.startsWith('arrayscope: ') && r.stderr.trim().split('\n').length === 1)
      if (!ok) failures.push(`${cmd} ${JSON.stringify(t)} ${seed.flags.join(' ')}: exit ${r.code} ${r.stderr}`)
    }
  }
  delete process.env.ARRAYSCOPE_TEXT_SPLIT_MB
  delete process.env.ARRAYSCOPE_TEXT_SEGMENT_KB
  expect(failures).toEqual([])
}, 120_000)
