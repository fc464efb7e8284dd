// Ending ArrayScope from outside (issue 25, item 6): SIGHUP — a dropped SSH session, a closed terminal — stops
// serve mode like Ctrl+C does (unflushed r+ edits put back, temporary copies removed); a CLI command killed
// half-way removes its temporary copy; and the copies of a process that could not clean up (SIGKILL) are
// removed by the next ArrayScope process that starts.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { py, tempDir } from './helpers/numpy'
import { connect, startServed } from './helpers/served'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const BIN = path.join(__dirname, '..', 'bin', 'arrayscope.js')
const sha = (p: string): string => createHash('sha256').update(fs.readFileSync(p)).digest('hex')

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** A fresh folder to be the processes' TMPDIR, so their temporary copies can be counted. */
function tmpdirFor(name: string): string {
  const dir = path.join(tmp.dir, name)
  fs.mkdirSync(dir)
  return dir
}

/** An .npz whose member 'a' is deflated and inflates to n float64 zeros. */
function deflatedNpz(name: string, n: number): string {
  const file = path.join(tmp.dir, name)
  py(`np.savez_compressed(${JSON.stringify(file)}, a=np.zeros(${n})); print(1)`)
  return file
}

describe('SIGHUP', () => {
  it('stops serve mode in order: unflushed r+ edits put back, temporary copies removed, exit 0', async () => {
    const file = path.join(tmp.dir, 'hup.bin')
    py(`np.arange(100, dtype='<f4').tofile(${JSON.stringify(file)}); print(1)`)
    const original = sha(file)
    const npz = deflatedNpz('hup.npz', 1000)
    const tmpdir = tmpdirFor('hup-tmp')
    const served = await startServed([], { TMPDIR: tmpdir })
    const c = await connect(served)
    const open = (await c.call('session:open', {
      path: file,
      layout: { dtype: '<f4', shape: null, offset: 0, order: 'C' },
      mode: 'r+'
    })) as { value: { session: string } }
    await c.call('edit:apply', {
      session: open.value.session,
      writes: [{ offset: 0, bytes: new Uint8Array([1, 2, 3, 4]) }]
    })
    expect(sha(file)).not.toBe(original)
    expect(await c.call('session:open', { path: npz, layout: null, array: 'a', mode: 'r' })).toMatchObject({ ok: true })
    expect(fs.readdirSync(tmpdir).filter((n) => n.startsWith('arrayscope-'))).toHaveLength(1)
    const exited = new Promise<number | null>((resolve) => served.child.once('exit', (code) => resolve(code)))
    served.child.kill('SIGHUP')
    expect(await exited).toBe(0)
    expect(sha(file)).toBe(original)
    expect(fs.readdirSync(tmpdir)).toEqual([])
  })
})

describe('a CLI command ended by a signal', () => {
  // large enough that the copy is still being written when the signal comes
  let big: string | undefined
  for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM'] as const) {
    it(`removes its temporary copy (${signal})`, async () => {
      const npz = (big ??= deflatedNpz('big.npz', 100_000_000))
      const tmpdir = tmpdirFor(`cli-${signal}`)
      const child = spawn(process.execPath, [BIN, 'stats', npz, '--array', 'a'], {
        env: { ...process.env, TMPDIR: tmpdir },
        stdio: 'ignore'
      })
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
      await until(() => fs.readdirSync(tmpdir).some((n) => n.startsWith('arrayscope-npz-')))
      child.kill(signal)
      const code = await exited
      expect(code).toBe(128 + { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal])
      expect(fs.readdirSync(tmpdir)).toEqual([])
    })
  }
})

describe('copies left by a killed process', () => {
  it('are removed by the next ArrayScope process; those of running processes are kept', () => {
    const tmpdir = tmpdirFor('stale')
    // a pid that ran and has ended
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString()
    const stale = path.join(tmpdir, `arrayscope-h5-${gone}-AbC123`)
    const alive = path.join(tmpdir, `arrayscope-npz-${process.pid}-xyz789`)
    const other = path.join(tmpdir, `arrayscope-unrelated`)
    for (const d of [stale, alive, other]) {
      fs.mkdirSync(d)
      fs.writeFileSync(path.join(d, 'values.bin'), 'x')
    }
    const file = path.join(tmp.dir, 'any.bin')
    fs.writeFileSync(file, Buffer.alloc(8))
    const r = spawnSync(process.execPath, [BIN, 'info', file, '--dtype', 'u1'], {
      env: { ...process.env, TMPDIR: tmpdir }
    })
    expect(r.status).toBe(0)
    expect(fs.existsSync(stale)).toBe(false)
    expect(fs.existsSync(alive)).toBe(true)
    expect(fs.existsSync(other)).toBe(true)
  })

  it('after SIGKILL of serve mode holding a copy', async () => {
    const npz = deflatedNpz('kill.npz', 1000)
    const tmpdir = tmpdirFor('kill-tmp')
    const served = await startServed([], { TMPDIR: tmpdir })
    const c = await connect(served)
    expect(await c.call('session:open', { path: npz, layout: null, array: 'a', mode: 'r' })).toMatchObject({ ok: true })
    const exited = new Promise<void>((resolve) => served.child.once('exit', () => resolve()))
    served.child.kill('SIGKILL')
    await exited
    expect(fs.readdirSync(tmpdir)).toHaveLength(1)
    const next = await startServed([], { TMPDIR: tmpdir })
    try {
      expect(fs.readdirSync(tmpdir)).toEqual([])
    } finally {
      await next.stop()
    }
  })
})
