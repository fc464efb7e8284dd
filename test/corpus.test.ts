// The reference corpus: every array astropy, scipy (loadmat, netcdf_file), numpy and nibabel read from the test
// data they ship (in the venv) is shown by ArrayScope with their exact values, or listed with a reason naming what
// is missing — never different values, never a crash — and at most 3 % are listed (issue 28's criterion).
// Arrays the library itself refuses do not count. The helpers are in test/helpers/corpus.ts.
import { afterAll, describe, expect, it } from 'vitest'
import { compare, readFile, referenceCorpus, table, type Outcome, type Pending } from './helpers/corpus'
import { tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

describe('the reference libraries’ own test data', () => {
  it('every array is shown with their values or listed with a reason (≤ 3 %); none wrong, none crashed', async () => {
    const files = referenceCorpus(tmp.dir)
    const outcomes: Outcome[] = []
    const pending: Pending[] = []
    const seq = { n: 0 }
    for (const f of files) {
      if (f.refused !== null) continue
      for (const r of await readFile(f, tmp.dir, seq)) {
        if ('got' in r) pending.push(r)
        else outcomes.push(r)
      }
    }
    outcomes.push(...compare(pending))
    console.log(table(files, outcomes))
    // the corpus is there: each library read something
    for (const lib of ['astropy', 'scipy.io.loadmat', 'scipy.io.netcdf_file', 'numpy.load', 'nibabel']) {
      expect(outcomes.filter((o) => o.lib === lib).length, lib).toBeGreaterThan(0)
    }
    const line = (o: Outcome): string => `${o.file}:${o.name} ${o.verdict}: ${o.reason}`
    expect(outcomes.filter((o) => o.verdict === 'crashed').map(line)).toEqual([])
    expect(outcomes.filter((o) => o.verdict === 'wrong').map(line)).toEqual([])
    const listed = outcomes.filter((o) => o.verdict === 'listed')
    console.log(
      `listed: ${listed.length} of ${outcomes.length} (${((100 * listed.length) / outcomes.length).toFixed(1)} %)`
    )
    expect(listed.length / outcomes.length, listed.map(line).join('\n')).toBeLessThanOrEqual(0.03)
  }, 300_000)
})
