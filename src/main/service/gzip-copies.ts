// A gzip-compressed FITS file (.fits.gz, .fit.gz, .fts.gz, which astropy opens transparently): FITS headers are
// spread through the whole stream (each HDU's header follows the previous HDU's data), so it is inflated once, whole,
// into a temporary copy — the service's own file, never a path a request names — which is then parsed as FITS
// and whose arrays are mapped read-only. Before a request that lists or opens one runs, the copy is made by
// streaming through zlib (progress and Cancel when the open form gave a job id); a caller that skipped that step
// (a synchronous parse) gets it inflated in one piece. A copy is shared by the sessions of its file and removed when
// the last one closes (copies only listed: the oldest beyond two, or when the process exits). A remote .fits.gz
// (a URL) is inflated the same way from range reads of the object (byte-stream.ts): its copy is keyed by the
// object's size and validator instead of the file's size and time.
import fs from 'node:fs'
import os from 'node:os'
import pathModule from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import { gzipSize, isGzip } from '../../shared/containers/gzip'
import { ApiError } from '../../shared/contract'
import type { PathPolicy } from './path-policy'
import { isRemote } from './remote-url'
import { ScanJob } from './scan'
import { byteSize, rangeStream } from './byte-stream'
import { remoteStore } from './remote-sources'
import { removeTemp, tempFolder } from './temp-files'

interface Copy {
  /** The version inflated: size and time of a file, size and validator of a remote object. */
  version: string
  file: string
  users: number
}

const copies = new Map<string, Copy>()
const pending = new Map<string, Promise<void>>()
const IDLE_KEPT = 2

/** Whether a path or URL is named as a gzip-compressed FITS file (.fits.gz, .fit.gz, .fts.gz). */
export function isGzipFitsName(path: string): boolean {
  return /\.(fits|fit|fts)\.gz$/i.test(isRemote(path) ? path.replace(/[?#].*$/, '') : path)
}

/** Whether a path (or a prepared remote object) is a gzip-compressed FITS file: its name and gzip's magic. */
export function isGzipFits(path: string): boolean {
  if (!isGzipFitsName(path)) return false
  if (isRemote(path)) {
    try {
      const store = remoteStore(path)
      return store.has(0, 3) && isGzip(store.readSync(0, 3))
    } catch {
      return false // not opened: not prepared as one
    }
  }
  try {
    const fd = fs.openSync(path, 'r')
    try {
      const head = Buffer.alloc(3)
      return fs.readSync(fd, head, 0, 3, 0) === 3 && isGzip(head)
    } finally {
      fs.closeSync(fd)
    }
  } catch {
    return false
  }
}

/** The version of a file (size, time) or of a prepared remote object (size, validator). */
function versionOf(path: string): string {
  if (isRemote(path)) {
    const store = remoteStore(path)
    return `${store.size} ${store.validator ?? ''}`
  }
  const st = fs.statSync(path)
  return `${st.size} ${st.mtimeMs}`
}

/** Reads bytes of a file or of a remote object (fetched first where the copy lacks them). */
function readerOf(path: string): (offset: number, length: number) => Uint8Array {
  if (isRemote(path)) {
    const store = remoteStore(path)
    return (o, l) => store.readSync(o, l)
  }
  return (o, l) => {
    const fd = fs.openSync(path, 'r')
    try {
      const b = Buffer.alloc(l)
      return b.subarray(0, fs.readSync(fd, b, 0, l, o))
    } finally {
      fs.closeSync(fd)
    }
  }
}

function current(path: string): Copy | undefined {
  const c = copies.get(path)
  if (!c) return undefined
  if (versionOf(path) === c.version) return c
  // the file changed: a copy no session uses goes; one in use stays until its last session closes
  copies.delete(path)
  if (c.users === 0) removeTemp(c.file)
  return undefined
}

function register(path: string, version: string, file: string): void {
  copies.set(path, { version, file, users: 0 })
  const idle = [...copies].filter(([p, c]) => c.users === 0 && p !== path)
  for (const [p, c] of idle.slice(0, Math.max(0, idle.length - IDLE_KEPT))) {
    copies.delete(p)
    removeTemp(c.file)
  }
}

function newCopyFile(path: string): string {
  const dir = tempFolder('arrayscope-fitsgz-')
  return pathModule.join(
    dir,
    pathModule
      .basename(isRemote(path) ? new URL(path.replace(/^s3:/, 'http:')).pathname : path)
      .replace(/\.gz$/i, '')
      .replace(/[^\w.-]+/g, '_')
  )
}

/** zlib's complaint as what is wrong with the file. */
function streamError(path: string, e: unknown, done: number): ApiError {
  if (e instanceof ApiError) return e
  const err = e as NodeJS.ErrnoException
  if (err.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(err.message)) {
    return new ApiError(
      'layout',
      `${path}: the gzip stream ends early (after ${done} inflated bytes): the file is truncated — download or copy it again`
    )
  }
  if (err.code?.startsWith('Z_') || /incorrect|invalid|check/i.test(err.message)) {
    return new ApiError('layout', `${path}: the gzip stream is corrupt (${err.message}): the file is damaged`)
  }
  return new ApiError('io', `cannot decompress ${path}: ${err.message}`)
}

function checkSpace(path: string, need: number): void {
  try {
    const free = fs.statfsSync(os.tmpdir())
    const available = free.bavail * free.bsize
    if (available < need) {
      throw new ApiError(
        'io',
        `decompressing ${path} needs ${need} bytes in the temporary folder, which has ${available} free: set TMPDIR to a larger disk`
      )
    }
  } catch (e) {
    if (e instanceof ApiError) throw e
  }
}

/** Inflates the whole stream into a new copy, streaming: progress against gzip's size, Cancel between pieces. */
async function inflateWhole(
  path: string,
  control: { cancelled: () => boolean; onProgress?: (done: number, total: number) => void }
): Promise<void> {
  const version = versionOf(path)
  const size = byteSize(path)
  // gzip's size is in its last 4 bytes: a remote object's last block fetched without blocking first
  if (isRemote(path)) await remoteStore(path).fillRange(Math.max(0, size - 8), size)
  const isize = gzipSize(readerOf(path), size)
  checkSpace(path, isize)
  const file = newCopyFile(path)
  let done = 0
  let last = 0
  const counter = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      if (control.cancelled()) return callback(new ApiError('cancelled', `decompressing ${path} was cancelled`))
      done += chunk.length
      const now = Date.now()
      if (now - last > 50) {
        last = now
        // gzip's size is known modulo 2^32: past it, the total grows with what is done
        control.onProgress?.(done, Math.max(isize, done))
      }
      callback(null, chunk)
    }
  })
  try {
    await pipeline(rangeStream(path, 0), zlib.createGunzip(), counter, fs.createWriteStream(file, { flags: 'wx' }))
  } catch (e) {
    removeTemp(file)
    throw streamError(path, e, done)
  }
  control.onProgress?.(done, done)
  register(path, version, file)
}

/** The copy of a gzip-compressed FITS file, inflated in one piece when no step made it before (a synchronous parse). */
export function gzipCopySync(path: string): string {
  const have = current(path)
  if (have) return have.file
  const version = versionOf(path)
  let data: Buffer
  try {
    data = zlib.gunzipSync(isRemote(path) ? readerOf(path)(0, byteSize(path)) : fs.readFileSync(path))
  } catch (e) {
    throw streamError(path, e, 0)
  }
  checkSpace(path, data.length)
  const file = newCopyFile(path)
  try {
    fs.writeFileSync(file, data, { flag: 'wx' })
  } catch (e) {
    removeTemp(file)
    throw new ApiError('io', `cannot write the decompressed copy of ${path}: ${(e as Error).message}`)
  }
  register(path, version, file)
  return file
}

/** The channels whose path a gzip-compressed FITS file is inflated for, before they run. */
const CHANNELS = new Set(['session:open', 'container:list', 'container:metadata'])

/**
 * Makes the copy of the gzip-compressed FITS file a request names, before the (synchronous) handler parses it:
 * as a job of the registry when the request has a job id (the open form's progress and Cancel).
 */
export async function prepareGzipCopy(
  channel: string,
  request: unknown,
  paths: PathPolicy,
  run: (id: string, start: (progress: (done: number, total: number) => void) => ScanJob<void>) => Promise<void>
): Promise<void> {
  const r = request as { path?: unknown; scanId?: unknown }
  if (!CHANNELS.has(channel) || typeof r.path !== 'string') return
  let path: string
  try {
    path = paths.resolve(r.path)
  } catch {
    return // the handler reports the refusal
  }
  if (!isGzipFits(path) || current(path)) return
  let wait = pending.get(path)
  if (!wait) {
    const job = (onProgress?: (done: number, total: number) => void): ScanJob<void> =>
      new ScanJob((_, cancelled) => inflateWhole(path, { cancelled, onProgress }))
    wait = (typeof r.scanId === 'string' ? run(r.scanId, job) : job().promise).finally(() => pending.delete(path))
    pending.set(path, wait)
  }
  await wait
}

/** Removes a copy no session holds (one that did not parse: nothing will read it). */
export function dropGzipCopy(path: string): void {
  const c = copies.get(path)
  if (!c || c.users > 0) return
  copies.delete(path)
  removeTemp(c.file)
}

/** The CLI's listing: the copy streamed (not inflated in memory) before the synchronous parse. */
export async function makeGzipCopy(path: string): Promise<void> {
  if (isGzipFits(path) && !current(path)) await inflateWhole(path, { cancelled: () => false })
}

/** Holds the copy for a session: its path, and what the session calls when it closes (the last one removes it). */
export function acquireGzipCopy(path: string): { file: string; release: () => void } {
  gzipCopySync(path)
  const c = copies.get(path)!
  c.users++
  let released = false
  return {
    file: c.file,
    release: () => {
      if (released) return
      released = true
      if (--c.users > 0) return
      if (copies.get(path) === c) copies.delete(path)
      removeTemp(c.file)
    }
  }
}

/** Why an array of a gzip-compressed FITS file opens read-only. */
export const GZIP_READ_ONLY =
  'it is read from a temporary decompressed copy of a gzip-compressed FITS file (gunzip it to edit it)'
