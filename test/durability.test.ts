// Killing the Node side after a flush loses nothing flushed: serve mode in a child process, an edit over the
// WebSocket, flush, SIGKILL — the file has the edit; an unflushed edit in mode c never reaches the file.
//
// An r+ edit reaches the page cache at once (MAP_SHARED), so the file having the edit after a kill proves nothing
// about flush. What flush adds is that the pages are written back: the kernel's count of the mapping's dirty
// pages (/proc/<pid>/smaps) is above zero after the edit and zero after the flush, and the service's dirty
// state is cleared. The file lives under the repository, not in a tmpfs /tmp, where msync writes nothing back.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import type { EditState } from '../src/shared/contract'
import { connect, startServed, type Served } from './helpers/served'

const TMP = path.join(__dirname, '..', '.tmp')
fs.mkdirSync(TMP, { recursive: true })
const dir = fs.mkdtempSync(path.join(TMP, 'durability-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function kill(served: Served): Promise<void> {
  return new Promise((resolve) => {
    served.child.once('exit', () => resolve())
    served.child.kill('SIGKILL')
  })
}

/** kB of the process's mappings of file that the kernel counts as dirty (not yet written back). */
function dirtyKb(pid: number, file: string): number {
  let inFile = false
  let kb = 0
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ /.exec(line)
    if (header) inFile = line.endsWith(` ${file}`)
    const dirty = /^(?:Shared|Private)_Dirty:\s+(\d+) kB/.exec(line)
    if (inFile && dirty) kb += Number(dirty[1])
  }
  return kb
}

it('a flush writes an r+ edit back (no dirty pages left) and the edit survives SIGKILL of the Node side', async () => {
  const file = path.join(dir, 'durable.bin')
  fs.writeFileSync(file, new Uint8Array(1 << 16))
  const fd = fs.openSync(file, 'r')
  fs.fsyncSync(fd) // written back now: the only dirty page below is the edit's
  fs.closeSync(fd)
  const served = await startServed([file, '--dtype', 'u1', '--mode', 'r+'])
  const client = await connect(served)
  const info = (await client.call('app:info', {})) as { value: { initial: unknown } }
  const opened = (await client.call('session:open', info.value.initial)) as { ok: boolean; value: { session: string } }
  expect(opened.ok).toBe(true)
  const session = opened.value.session
  const pid = served.child.pid!
  // The kernel may write the page back on its own (a busy machine past its dirty threshold): edit again until
  // the edit is seen dirty, so that the flush below is what cleans it.
  let edited: EditState | undefined
  for (let i = 0; i < 20 && dirtyKb(pid, file) === 0; i++) {
    const r = (await client.call('edit:apply', {
      session,
      writes: [{ offset: 40_000, bytes: new Uint8Array([1, 2, 3 + i]) }]
    })) as { ok: boolean; value: EditState }
    expect(r.ok).toBe(true)
    edited = r.value
  }
  expect(dirtyKb(pid, file)).toBeGreaterThan(0)
  expect(edited?.dirty).toBe(true)
  const written = [...fs.readFileSync(file).subarray(40_000, 40_003)]
  const flushed = (await client.call('edit:flush', { session })) as { ok: boolean; value: EditState }
  expect(flushed.ok).toBe(true)
  expect(flushed.value.dirty).toBe(false)
  expect(dirtyKb(pid, file)).toBe(0)
  await kill(served)
  expect([...fs.readFileSync(file).subarray(40_000, 40_003)]).toEqual(written)
  expect(written.slice(0, 2)).toEqual([1, 2])
})

it('edits in mode c never reach the file, even when the process dies', async () => {
  const file = path.join(dir, 'private.bin')
  fs.writeFileSync(file, new Uint8Array(1 << 16).fill(5))
  const digest = createHash('sha256').update(fs.readFileSync(file)).digest('hex')
  const served = await startServed([file, '--dtype', 'u1', '--mode', 'c'])
  const client = await connect(served)
  const info = (await client.call('app:info', {})) as { value: { initial: unknown } }
  const opened = (await client.call('session:open', info.value.initial)) as { value: { session: string } }
  const session = opened.value.session
  expect(
    (await client.call('edit:apply', { session, writes: [{ offset: 10, bytes: new Uint8Array([9, 9]) }] })).ok
  ).toBe(true)
  await client.call('edit:flush', { session })
  await kill(served)
  expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(digest)
})
