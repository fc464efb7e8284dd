// Containers on the Node side: the parse context over a file (header reads through a read-only mapping; zlib for
// the .npy header of a deflated .npz member; shard files beside an index), a small cache of parsed containers
// keyed by size and mtime, and the detection the open form's probe uses.
import fs from 'node:fs'
import pathModule from 'node:path'
import zlib from 'node:zlib'
import { ApiError } from '../../shared/contract'
import {
  ContainerError,
  DETECT_BYTES,
  detectFormat,
  findEntry,
  formatList,
  parseContainer,
  type Container,
  type ContainerEntry,
  type ContainerFormat,
  type ParseContext
} from '../../shared/containers'
import { dropGzipCopy, gzipCopySync, isGzipFits } from './gzip-copies'
import { native } from './native'
import { parseStopped, remoteRead, remoteSiblingStore, remoteStore } from './remote-sources'
import { isRemote, remoteName } from './remote-url'
import { readZarrStore, storeStamp, zarrMarker } from './zarr-store'
import { isZarrUrl, readRemoteZarr, zarrGeneration } from './zarr-remote'

function fileReader(fd: number, size: number): (offset: number, length: number) => Uint8Array {
  return (offset, length) => {
    const n = Math.max(0, Math.min(length, size - offset))
    const buf = new Uint8Array(n)
    let done = 0
    while (done < n) {
      const got = fs.readSync(fd, buf, done, n - done, offset + done)
      if (got === 0) break
      done += got
    }
    return buf.subarray(0, done)
  }
}

function statOrThrow(path: string): fs.Stats {
  try {
    return fs.statSync(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new ApiError('not-found', `no such file: ${path}`)
    throw new ApiError('io', `cannot read ${path}: ${(e as Error).message}`)
  }
}

/** The format a file's first bytes announce (no parsing beyond them), or null. */
export function detectContainer(path: string, size: number): ContainerFormat | null {
  if (size === 0) return null
  if (isRemote(path)) {
    const head = remoteRead(remoteStore(path))(0, DETECT_BYTES)
    return detectFormat(head, size, remoteName(path))?.format ?? null
  }
  const fd = fs.openSync(path, 'r')
  try {
    return detectFormat(fileReader(fd, size)(0, DETECT_BYTES), size, pathModule.basename(path))?.format ?? null
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * The header beside a data file that has none of its own: an ENVI header (data.hdr or data.img.hdr, starting with
 * "ENVI"), or the Analyze 7.5 / NIfTI pair header of a .img (data.hdr, sizeof_hdr 348 in either byte order), as
 * nibabel.load finds it from the .img.
 */
export function enviHeaderFor(path: string, allows: Allows = anyPath): string | null {
  if (/\.hdr$/i.test(path)) return null
  const candidates = [`${path}.hdr`, path.replace(/\.[^./\\]*$/, '') + '.hdr'].filter((p) => p !== path)
  for (const p of candidates) {
    // a header beside the file that links outside --root is not read (not even its first bytes)
    if (!allows(p)) continue
    let fd: number
    try {
      fd = fs.openSync(p, 'r')
    } catch {
      continue
    }
    try {
      const head = Buffer.alloc(5)
      fs.readSync(fd, head, 0, 5, 0)
      if (/^ENVI\s/.test(head.toString('latin1'))) return p
      if (/\.img$/i.test(path) && (head.readInt32LE(0) === 348 || head.readInt32BE(0) === 348)) return p
    } finally {
      fs.closeSync(fd)
    }
  }
  return null
}

/** ParseContext.inflatePrefix over a read: the first bytes of a deflate stream, reading only what they need. */
function inflater(read: (offset: number, length: number) => Uint8Array, size: number): ParseContext['inflatePrefix'] {
  return (offset, compressedSize, maxOut, stream = 'raw') => {
    // a little input is enough for a header; a highly compressible stream inflates ~1000×, so the input
    // grows only while the output is short of maxOut
    const available = compressedSize > 0 ? compressedSize : size - offset
    let want = Math.min(available, 4096)
    for (;;) {
      const input = read(offset, want)
      const opts = { finishFlush: zlib.constants.Z_SYNC_FLUSH }
      const out =
        stream === 'gzip'
          ? zlib.gunzipSync(input, opts)
          : stream === 'zlib'
            ? zlib.inflateSync(input, opts)
            : zlib.inflateRawSync(input, opts)
      if (out.length >= maxOut || want >= available) {
        return new Uint8Array(out.buffer, out.byteOffset, Math.min(out.length, maxOut))
      }
      want = Math.min(available, want * 4)
    }
  }
}

/**
 * Parses a remote object's container from its copy (prepared by remote-sources.ts: the bytes the parse reads are
 * fetched already); shards an index names resolve against its URL and are checked by allows.
 */
function readRemoteContainer(url: string, allows: Allows): Container | null {
  const store = remoteStore(url)
  const read = remoteRead(store)
  if (!store.size || !detectFormat(read(0, DETECT_BYTES), store.size, remoteName(url))) return null
  const ctx: ParseContext = {
    read,
    size: store.size,
    fileName: remoteName(url),
    inflatePrefix: inflater(read, store.size),
    openSibling: (relative) => {
      const s = remoteSiblingStore(url, relative, allows)
      return { size: s.size, read: remoteRead(s), close: () => undefined }
    }
  }
  try {
    return parseContainer(ctx)
  } catch (e) {
    if (e instanceof ContainerError) throw new ApiError('layout', `${url}: ${e.message}`)
    throw e
  }
}

/** Whether the service may read a path (serve mode's --root); the CLI and the desktop app may read any. */
export type Allows = (absolute: string) => boolean
const anyPath: Allows = () => true

/**
 * Parses a container through a read-only mapping of it; null when the file is no container format. Every other
 * file the container names (shards, detached data files, a header beside the data) is checked with allows before
 * anything of it is read, its size included: a refused file is refused the same way whether it exists or not.
 */
export function readContainer(path: string, allows: Allows = anyPath): Container | null {
  if (isZarrUrl(path)) return readRemoteZarr(path)
  // a .fits.gz (a file or a URL) is parsed, and its arrays mapped, from the service's own decompressed copy
  // (gzip-copies.ts)
  const gz = isGzipFits(path)
  if (isRemote(path) && !gz) return readRemoteContainer(path, allows)
  const st = gz ? null : statOrThrow(path)
  // a folder is a container only as a Zarr store
  if (st?.isDirectory()) return readZarrStore(path, allows) as Container | null
  if (st && st.size > 0 && !detectContainer(path, st.size)) {
    const hdr = enviHeaderFor(path, allows)
    if (hdr) {
      const c = readContainer(hdr, allows)
      // the data file itself, as the header found it or as opened
      if (c)
        for (const e of c.entries)
          e.file = pathModule.relative(
            pathModule.dirname(path),
            pathModule.resolve(pathModule.dirname(hdr), e.file ?? '')
          )
      return c
    }
  }
  const m = new (native().Mapping)(gz ? gzipCopySync(path) : path, 'r')
  try {
    m.advise('random')
    const read = (offset: number, length: number): Uint8Array => {
      const out = new Uint8Array(Math.max(0, Math.min(length, m.size - offset)))
      if (out.length) m.read(offset, out)
      return out
    }
    const dir = pathModule.dirname(path)
    const ctx: ParseContext = {
      read,
      size: m.size,
      fileName: pathModule.basename(path).replace(gz ? /\.gz$/i : /$^/, ''),
      inflatePrefix: inflater(read, m.size),
      openSibling: (relative) => {
        const p = pathModule.resolve(dir, relative)
        if (!allows(p)) {
          throw new ApiError(
            'permission',
            `${relative} lies outside the folder this server may read (--root): it is not read`
          )
        }
        const st = statOrThrow(p)
        if (!st.isFile()) throw new ApiError('bad-request', `${p} is not a regular file`)
        const fd = fs.openSync(p, 'r')
        return { size: st.size, read: fileReader(fd, st.size), close: () => fs.closeSync(fd) }
      }
    }
    try {
      const c = parseContainer(ctx)
      if (gz && !c) {
        throw new ContainerError(
          'it is named as a gzip-compressed FITS file, but what it inflates to does not start with the SIMPLE = T card'
        )
      }
      return c
    } catch (e) {
      // a copy that does not parse is of no use: it goes now (once unmapped)
      if (gz) queueMicrotask(() => dropGzipCopy(path))
      if (e instanceof ContainerError) throw new ApiError('layout', `${path}: ${e.message}`)
      throw e
    }
  } finally {
    m.close()
  }
}

/** Parsed containers by path, reused while the file keeps its size and mtime. */
export class ContainerCache {
  private readonly items = new Map<string, { size: number; mtimeMs: number; container: Container | null }>()
  constructor(
    private readonly capacity = 8,
    private readonly allows: Allows = anyPath
  ) {}

  get(path: string): Container | null {
    if (isRemote(path)) return this.getRemote(path)
    const st = statOrThrow(path)
    const folder = st.isDirectory()
    if (folder && !zarrMarker(path)) {
      throw new ApiError(
        'bad-request',
        `${path} is a folder without Zarr metadata (zarr.json, .zgroup, .zarray): name a file in it, or a Zarr store`
      )
    }
    if (!folder && !st.isFile()) throw new ApiError('bad-request', `${path} is not a regular file`)
    const mtimeMs = folder ? storeStamp(path) : st.mtimeMs
    const hit = this.items.get(path)
    if (hit && hit.size === st.size && hit.mtimeMs === mtimeMs) {
      this.items.delete(path)
      this.items.set(path, hit)
      return hit.container
    }
    const container = readContainer(path, this.allows)
    this.items.set(path, { size: st.size, mtimeMs, container })
    while (this.items.size > this.capacity) this.items.delete(this.items.keys().next().value!)
    return container
  }

  /** A remote object's container, reused while the object keeps its validator (a new version is parsed anew). */
  private getRemote(url: string): Container | null {
    const zarr = isZarrUrl(url)
    const store = zarr ? null : remoteStore(url)
    const key = store ? `${url}\n${store.validator ?? ''}\n${store.size}` : `${url}\nzarr ${zarrGeneration(url)}`
    const hit = this.items.get(key)
    if (hit) return hit.container
    const container = readContainer(url, this.allows)
    // a preparation's parse that a parser went on after a missing byte is run again once the bytes are there
    if (parseStopped()) return container
    this.items.set(key, { size: store?.size ?? 0, mtimeMs: 0, container })
    while (this.items.size > this.capacity) this.items.delete(this.items.keys().next().value!)
    return container
  }

  /** The container, or an error saying the file is none. */
  require(path: string): Container {
    const c = this.get(path)
    if (!c) {
      throw new ApiError(
        'bad-request',
        `${path} is not a container ArrayScope reads (${formatList()}): \`ls\` and --array apply to those`
      )
    }
    return c
  }

  /** The entry named, or an error naming a few that exist. */
  entry(path: string, name: string): { container: Container; entry: ContainerEntry } {
    const container = this.require(path)
    const entry = findEntry(container, name)
    if (!entry) {
      const near = container.entries
        .filter((e) => e.name.toLowerCase().includes(name.toLowerCase()))
        .slice(0, 5)
        .map((e) => e.name)
      const some = near.length ? near : container.entries.slice(0, 5).map((e) => e.name)
      throw new ApiError(
        'not-found',
        `${path} has no array '${name}' (it has ${container.entries.length}${some.length ? `, e.g. ${some.join(', ')}` : ''}): \`arrayscope ls\` lists them`
      )
    }
    return { container, entry }
  }
}
