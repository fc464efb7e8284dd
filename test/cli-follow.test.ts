// `show --follow` and `stats --watch` (issue 32, item 5) against a file a producer writes while the command runs:
// in-place rewrites, rows appended to an inferred axis, an .npy whose header the producer rewrites, a file cut
// short of its layout (reported, then followed again), and Ctrl+C ending it.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { py, tempDir } from './helpers/numpy'
import { pythonPath } from './helpers/python'
import { UsageError } from '../src/main/cli/args'
import { follow, type FileVersion } from '../src/main/cli/follow'
import { ArrayService } from '../src/main/service/array-service'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const BIN = path.join(__dirname, '..', 'bin', 'arrayscope.js')

interface Running {
  child: ChildProcess
  out(): string
  err(): string
  /** Waits until stdout (from its start) matches. */
  until(re: RegExp, ms?: number): Promise<void>
  stop(): Promise<number | null>
}

function run(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {
    child,
    out: () => out,
    err: () => err,
    until: async (re, ms = 10_000) => {
      const end = Date.now() + ms
      while (!re.test(out)) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${re}; stdout:\n${out}\nstderr:\n${err}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    },
    stop: async () => {
      child.kill('SIGINT')
      return exited
    }
  }
}

const f32 = (values: number[]): Buffer => Buffer.from(new Float32Array(values).buffer)

describe('show --follow', () => {
  it('prints the slice again when a row is rewritten and when rows are appended to the inferred axis', async () => {
    const file = path.join(tmp.dir, 'grow.f4')
    fs.writeFileSync(file, f32([0, 1, 2, 3, 4, 5, 6, 7]))
    const r = run(['show', file, '--dtype', '<f4', '--shape', '-1,4', '--follow', '--interval', '30'])
    await r.until(/\[\[0\. 1\. 2\. 3\.\]\n \[4\. 5\. 6\. 7\.\]\]/)
    expect(r.out()).toMatch(/^# size 32 bytes, modified /)
    // in place: row 0 rewritten
    const fd = fs.openSync(file, 'r+')
    fs.writeSync(fd, f32([9, 9, 9, 9]), 0, 16, 0)
    fs.closeSync(fd)
    await r.until(/\[\[9\. 9\. 9\. 9\.\]\n \[4\. 5\. 6\. 7\.\]\]/)
    // growth: two rows appended; the inferred axis follows
    fs.appendFileSync(file, f32([10, 11, 12, 13, 14, 15, 16, 17]))
    await r.until(
      /# size 64 bytes[^\n]*\n\[\[ 9\. {2}9\. {2}9\. {2}9\.\]\n \[ 4\. {2}5\. {2}6\. {2}7\.\]\n \[10\. 11\. 12\. 13\.\]\n \[14\. 15\. 16\. 17\.\]\]/
    )
    expect(await r.stop()).toBe(130)
  })

  it('follows an .npy whose header the producer rewrites, and reports a version it cannot read', async () => {
    const file = path.join(tmp.dir, 'steps.npy')
    py(`np.save(${JSON.stringify(file)}, np.arange(3, dtype='<i2')); print(1)`)
    const r = run(['show', file, '--json', '--follow', '--interval', '30'])
    await r.until(/^\[0, 1, 2\]\n/)
    // a half-written file (the header alone), then the whole new one
    const header = fs.readFileSync(file).subarray(0, 128)
    fs.writeFileSync(file, header.subarray(0, 20))
    await new Promise((res) => setTimeout(res, 300))
    py(`np.save(${JSON.stringify(file)}, np.arange(5, dtype='<i2').reshape(5, 1) * 2); print(1)`)
    await r.until(/\[\[0\], \[2\], \[4\], \[6\], \[8\]\]\n/)
    expect(r.err()).toMatch(/waiting for the next change/)
    // JSON: nothing but the arrays on stdout, one line per version
    for (const line of r.out().trim().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow()
    expect(await r.stop()).toBe(130)
  })
})

describe('show --follow beside a block-buffered writer', () => {
  it('prints the complete rows of a file that ends inside a row, and the row once it is whole', async () => {
    const file = path.join(tmp.dir, 'blocks.f8')
    const f64 = (v: number[]): Buffer => Buffer.from(new Float64Array(v).buffer)
    fs.writeFileSync(file, f64([0, 1, 2]))
    const r = run(['show', file, '--dtype', '<f8', '--shape', '-1,3', '--follow', '--interval', '30'])
    await r.until(/\[\[0\. 1\. 2\.\]\]/)
    // two rows and the first value of a third
    fs.appendFileSync(file, f64([3, 4, 5, 6, 7, 8, 9]))
    await r.until(/\[\[0\. 1\. 2\.\]\n \[3\. 4\. 5\.\]\n \[6\. 7\. 8\.\]\]/)
    fs.appendFileSync(file, f64([10, 11]))
    await r.until(/ \[ 9\. 10\. 11\.\]\]/)
    expect(r.err()).not.toMatch(/cannot infer/)
    expect(await r.stop()).toBe(130)
  })
})

describe('show --follow beside a producer writing through a shared mapping', () => {
  it('prints each write, though on tmpfs only the first one changes the modification time', async () => {
    // the seed's producer/consumer: np.memmap r+ in /dev/shm; a write to a page already dirty changes neither the
    // size nor the time, so only the bytes tell it
    const dir = fs.existsSync('/dev/shm') ? fs.mkdtempSync('/dev/shm/arrayscope-test-') : tmp.dir
    const file = path.join(dir, 'shared.f4')
    try {
      fs.writeFileSync(file, f32([0, 0, 0, 0]))
      const r = run(['show', file, '--dtype', '<f4', '--follow', '--interval', '30'])
      await r.until(/\[0\. 0\. 0\. 0\.\]/)
      const producer = spawn(pythonPath(), [
        '-c',
        `import numpy as np, time\nm = np.memmap(${JSON.stringify(file)}, '<f4', 'r+')\nm[0] = 1\ntime.sleep(0.4)\nm[1] = 2\ntime.sleep(0.4)\nm[2] = 3\ntime.sleep(3)`
      ])
      try {
        await r.until(/\[1\. 2\. 3\. 0\.\]/, 8000)
      } finally {
        producer.kill()
      }
      expect(await r.stop()).toBe(130)
    } finally {
      fs.rmSync(file, { force: true })
      if (dir !== tmp.dir) fs.rmdirSync(dir)
    }
  })
})

describe('show --follow notices by notification', () => {
  it('prints a write at once though it polls only once a minute; a bad --follow-rate is refused', async () => {
    const file = path.join(tmp.dir, 'notified.f4')
    fs.writeFileSync(file, f32([1, 2]))
    const r = run(['show', file, '--dtype', '<f4', '--follow', '--interval', '60000', '--follow-rate', '50'])
    await r.until(/\[1\. 2\.\]/)
    fs.appendFileSync(file, f32([3]))
    await r.until(/\[1\. 2\. 3\.\]/, 2000)
    expect(await r.stop()).toBe(130)
    const bad = run(['show', file, '--dtype', '<f4', '--follow', '--follow-rate', '0'])
    expect(await new Promise<number | null>((resolve) => bad.child.once('exit', resolve))).toBe(2)
    expect(bad.err()).toMatch(/--follow-rate must be checks a second from 0.01 to 1000, got '0'/)
  })
})

describe('follow', () => {
  it('sees a write made while the first version prints, though it polls only once a minute', async () => {
    // the watch is armed before the first look at the file: a producer writing while the first printout runs
    // (CI saw it, between the print and the arming) is noticed by its notification, not by the next poll
    const file = path.join(tmp.dir, 'first-print.f4')
    fs.writeFileSync(file, f32([1, 2]))
    const seen: FileVersion[] = []
    const service = new ArrayService({})
    const followed = follow(file, service, { pollMs: 60_000, rate: 50 }, async (v) => {
      seen.push(v)
      if (seen.length === 1) fs.appendFileSync(file, f32([3]))
      else throw new UsageError('enough') // a usage error ends following (and its watch)
    })
    const ended = await Promise.race([
      followed.catch((e: Error) => e.message),
      new Promise((r) => setTimeout(() => r('still following after 2 s'), 2000))
    ])
    expect(seen.map((v) => v.size)).toEqual([8, 12])
    expect(ended).toBe('enough')
    service.closeAll()
  })
})

describe('stats --watch', () => {
  it('computes the statistics again for each new version, saying which', async () => {
    const file = path.join(tmp.dir, 'watch.f4')
    fs.writeFileSync(file, f32([1, 2, 3]))
    const r = run(['stats', file, '--dtype', '<f4', '--watch', '0.03', '--json'])
    await r.until(/"count":3/)
    fs.appendFileSync(file, f32([10]))
    await r.until(/"count":4/)
    const lines = r
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { version: { size: number }; count: number; max: number })
    expect(lines[0]).toMatchObject({ version: { size: 12 }, count: 3, max: 3 })
    expect(lines.at(-1)).toMatchObject({ version: { size: 16 }, count: 4, max: 10 })
    expect(await r.stop()).toBe(130)
  })

  it('refuses a watch period that is not a number of seconds', async () => {
    const file = path.join(tmp.dir, 'watch.f4')
    const r = run(['stats', file, '--dtype', '<f4', '--watch', 'soon'])
    const code = await new Promise<number | null>((resolve) => r.child.once('exit', resolve))
    expect(code).toBe(2)
    expect(r.err()).toMatch(/--watch takes seconds/)
  })
})
