// Ctrl+C on a CLI command reading a remote object as it arrives (found by trying it, issue 30's streamed
// scans): a `find` whose native pass waited at the fetch's gate never ended (process.exit joined a pool thread
// that waited for bytes no one would fetch), and an `export` left its temporary file beside the target.
// A slow nginx (limit_rate) keeps each command mid-stream when the signal comes.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNginx, type Nginx } from './helpers/nginx'
import { connect, startServed } from './helpers/served'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
const BIN = path.join(__dirname, '..', 'bin', 'arrayscope.js')
let server: Nginx
beforeAll(async () => {
  const served = path.join(tmp.dir, 'served')
  fs.mkdirSync(served)
  // 64 MiB of float32 (no 12345.5 among them: find reads to the end), served at 4 MiB/s
  py(`np.save(${JSON.stringify(path.join(served, 'big.npy'))}, np.zeros(16 << 20, dtype='<f4')); print(1)`)
  server = await startNginx(served, 'limit_rate 4m;')
})
afterAll(async () => {
  await server?.stop()
  tmp.cleanup()
})

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Runs the CLI, sends SIGINT once ready() holds, and resolves with its exit code (null: still running after 8 s). */
async function interrupt(args: string[], env: Record<string, string>, ready: () => boolean): Promise<number | null> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: 'ignore' })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  try {
    await until(ready)
    child.kill('SIGINT')
    return await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 8000))])
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
}

describe('Ctrl+C during a streamed remote command', () => {
  it('ends a find waiting at its gate, and leaves no temporary copy', async () => {
    const tmpdir = path.join(tmp.dir, 'find-tmp')
    fs.mkdirSync(tmpdir)
    const start = Date.now()
    const code = await interrupt(
      ['find', `${server.url}/big.npy`, '--value', '12345.5'],
      // smaller than the object: the scan streams through a bounded private copy
      { TMPDIR: tmpdir, ARRAYSCOPE_TEMP_MAX: '16M' },
      () => Date.now() - start > 1500
    )
    expect(code).toBe(130)
    expect(fs.readdirSync(tmpdir)).toEqual([])
  }, 30_000)

  it('removes an export’s temporary file beside the target', async () => {
    const out = path.join(tmp.dir, 'out')
    fs.mkdirSync(out)
    const code = await interrupt(
      ['export', `${server.url}/big.npy`, '--out', path.join(out, 'x.npy'), '--as', 'npy'],
      {},
      () => fs.readdirSync(out).length > 0
    )
    expect(code).toBe(130)
    expect(fs.readdirSync(out)).toEqual([])
  }, 30_000)

  it("serve ends on SIGTERM while a page's find waits at its gate, leaving no temporary copy", async () => {
    const tmpdir = path.join(tmp.dir, 'serve-tmp')
    fs.mkdirSync(tmpdir)
    const served = await startServed(['--remote', `${server.url}/`], { TMPDIR: tmpdir, ARRAYSCOPE_TEMP_MAX: '16M' })
    try {
      const client = await connect(served)
      const open = await client.call('session:open', { path: `${server.url}/big.npy`, layout: null, mode: 'r' })
      expect(open.ok).toBe(true)
      const session = (open.value as { session: string }).session
      // not awaited: it reads the object at 4 MiB/s, waiting at its gate most of the time
      void client.call('find:run', { session, scanId: 'f', kind: 'value', text: '12345.5', start: 0, backwards: false })
      await new Promise((r) => setTimeout(r, 1500))
      const exited = new Promise<boolean>((resolve) => served.child.once('exit', () => resolve(true)))
      served.child.kill('SIGTERM')
      expect(await Promise.race([exited, new Promise<boolean>((r) => setTimeout(() => r(false), 8000))])).toBe(true)
      expect(fs.readdirSync(tmpdir)).toEqual([])
    } finally {
      if (served.alive()) served.child.kill('SIGKILL')
    }
  }, 30_000)
})
