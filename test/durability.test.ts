// Killing the Node side after a flush loses nothing flushed: serve mode in a child process, an edit over the
// WebSocket, flush, SIGKILL — the file has the edit; an unflushed edit in mode c never reaches the file.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import WebSocket from 'ws'
import { afterAll, expect, it } from 'vitest'
import { decodeFrame, encodeFrame } from '../src/shared/wire'
import { tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const BIN = path.join(__dirname, '..', 'bin', 'arrayscope.js')

async function served(args: string[]): Promise<{
  call: (channel: string, request: unknown) => Promise<Record<string, unknown>>
  kill: () => Promise<void>
}> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]+)/.exec(out)
      if (m) resolve(`ws://127.0.0.1:${m[1]}/ws?token=${m[2]}`)
    })
    child.on('exit', (c) => reject(new Error(`serve exited ${c}`)))
  })
  const ws = new WebSocket(url)
  await new Promise((r) => ws.once('open', r))
  let id = 0
  const call = (channel: string, request: unknown): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      const my = ++id
      ws.on('message', (data: Buffer) => {
        const msg = decodeFrame(new Uint8Array(data)) as Record<string, unknown>
        if (msg.id === my) resolve(msg)
      })
      ws.send(encodeFrame({ id: my, channel, request }))
    })
  const kill = (): Promise<void> =>
    new Promise((resolve) => {
      child.once('exit', () => resolve())
      child.kill('SIGKILL')
    })
  return { call, kill }
}

it('a flushed r+ edit survives SIGKILL of the Node side', async () => {
  const file = path.join(tmp.dir, 'durable.bin')
  fs.writeFileSync(file, new Uint8Array(1 << 16))
  const s = await served([file, '--dtype', 'u1', '--mode', 'r+'])
  const info = (await s.call('app:info', {})) as { value: { initial: unknown } }
  const opened = (await s.call('session:open', info.value.initial)) as { ok: boolean; value: { session: string } }
  expect(opened.ok).toBe(true)
  const session = opened.value.session
  expect(
    (await s.call('edit:apply', { session, writes: [{ offset: 40_000, bytes: new Uint8Array([1, 2, 3]) }] })).ok
  ).toBe(true)
  expect((await s.call('edit:flush', { session })).ok).toBe(true)
  await s.kill()
  expect([...fs.readFileSync(file).subarray(40_000, 40_003)]).toEqual([1, 2, 3])
})

it('edits in mode c never reach the file, even when the process dies', async () => {
  const file = path.join(tmp.dir, 'private.bin')
  fs.writeFileSync(file, new Uint8Array(1 << 16).fill(5))
  const digest = createHash('sha256').update(fs.readFileSync(file)).digest('hex')
  const s = await served([file, '--dtype', 'u1', '--mode', 'c'])
  const info = (await s.call('app:info', {})) as { value: { initial: unknown } }
  const opened = (await s.call('session:open', info.value.initial)) as { value: { session: string } }
  await s.call('edit:apply', { session: opened.value.session, writes: [{ offset: 10, bytes: new Uint8Array([9, 9]) }] })
  await s.call('edit:flush', { session: opened.value.session })
  await s.kill()
  expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(digest)
})
