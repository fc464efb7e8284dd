// The format registry (src/shared/containers/registry.ts): one descriptor per format, none claimed by two modules,
// and the lists people read — the CLI's usage and `ls` error, the service's "not a container" — name every module.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FORMAT_DESCRIPTORS, FORMATS, formatList, holdsOneArray } from '../src/shared/containers'
import { ContainerCache } from '../src/main/service/containers'
import { runCli } from './helpers/cli'
import { tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

const labels = FORMATS.map((m) => FORMAT_DESCRIPTORS[m.format].label)

describe('format registry', () => {
  it('describes every format once, each module announcing one of its own', () => {
    const declared = FORMATS.flatMap((m) => Object.keys(m.formats))
    expect(new Set(declared).size).toBe(declared.length)
    expect(Object.keys(FORMAT_DESCRIPTORS).sort()).toEqual([...declared].sort())
    for (const m of FORMATS) expect(Object.keys(m.formats)).toContain(m.format)
    for (const d of Object.values(FORMAT_DESCRIPTORS)) {
      expect(d.label.trim()).not.toBe('')
      expect(d.description).toMatch(/^an? /)
      expect(d.extensions.length).toBeGreaterThan(0)
    }
  })

  it('says which files hold one array', () => {
    const single = Object.keys(FORMAT_DESCRIPTORS).filter((f) => holdsOneArray(f as keyof typeof FORMAT_DESCRIPTORS))
    expect(single.sort()).toEqual(['envi', 'nifti', 'nrrd'])
  })

  it("names every module in the CLI's and the service's messages", async () => {
    expect(formatList().split(', ')).toEqual(labels)
    const usage = await runCli(['--help'])
    const ls = await runCli(['ls'])
    expect(ls.code).toBe(2)
    const raw = path.join(tmp.dir, 'data.bin')
    fs.writeFileSync(raw, new Uint8Array(64).fill(7))
    let service = ''
    try {
      new ContainerCache(1).require(raw)
    } catch (e) {
      service = (e as Error).message
    }
    expect(service).toMatch(/is not a container ArrayScope reads/)
    for (const label of labels) {
      expect(usage.stdout.replace(/\s+/g, ' ')).toContain(label)
      expect(ls.stderr).toContain(label)
      expect(service).toContain(label)
    }
  })
})
