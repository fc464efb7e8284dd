// Reads what a file says about itself: size, mtime, and a .npy header. Reads only the header bytes.
import fs from 'node:fs'
import { ApiError, type LayoutSpecMsg, type ProbeResult } from '../../shared/contract'
import { NPY_PREAMBLE, NpyError, isNpy, npyHeaderLength, npyLayout, parseNpyHeader } from '../../shared/npy'
import { detectContainer, enviHeaderFor } from './containers'
import { zarrMarker } from './zarr-store'
import { remoteRead, remoteStore } from './remote-sources'
import { isRemote } from './remote-url'

function statFile(path: string, folderStore = false): fs.Stats {
  let st: fs.Stats
  try {
    st = fs.statSync(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new ApiError('not-found', `no such file: ${path}`)
    if (code === 'EACCES') throw new ApiError('permission', `permission denied: ${path}`)
    if (code === 'ENOTDIR')
      throw new ApiError('not-found', `no such file: ${path} (a part of the path before its last name is a file)`)
    if (code === 'ENAMETOOLONG')
      throw new ApiError('bad-request', `the path ${path} is too long for the file system: check it`)
    if (code === 'ELOOP') throw new ApiError('bad-request', `too many symbolic links in ${path}: check the links`)
    throw new ApiError('io', `cannot read ${path}: ${(e as Error).message}`)
  }
  // a folder is opened only as a Zarr store
  if (st.isDirectory() && folderStore && zarrMarker(path)) return st
  if (st.isDirectory()) throw new ApiError('bad-request', `${path} is a folder, not a file: name a file in it`)
  if (!st.isFile()) throw new ApiError('bad-request', `${path} is not a regular file`)
  return st
}

function readFilePrefix(fd: number, length: number): Uint8Array {
  const buf = new Uint8Array(length)
  const n = fs.readSync(fd, buf, 0, length, 0)
  return buf.subarray(0, n)
}

/**
 * The layout a .npy file's header gives: null when the file does not start with the .npy magic. A file that
 * does but whose header np.load refuses (truncated, unknown version, shorter than its length, wrong keys…) gives
 * the reason instead, as np.load's error: reading it as raw bytes is then the user's explicit choice (a layout).
 * An empty file is np.load's "No data left in file" and np.memmap's "cannot mmap an empty file".
 */
export function probeNpy(path: string, fileSize: number): { npy: LayoutSpecMsg | null; npyError?: string } {
  if (fileSize === 0) {
    return { npy: null, npyError: 'the file is empty (0 bytes): it holds no array (np.load: "No data left in file")' }
  }
  // a remote object's first bytes are in its copy already (its first block came with its size)
  const remote = isRemote(path) ? remoteRead(remoteStore(path)) : null
  const fd = remote ? -1 : fs.openSync(path, 'r')
  const readPrefix = (_: number, length: number): Uint8Array =>
    remote ? remote(0, length) : readFilePrefix(fd, length)
  try {
    const pre = readPrefix(fd, NPY_PREAMBLE)
    if (!isNpy(pre)) return { npy: null }
    const bad = (why: string): { npy: null; npyError: string } => ({
      npy: null,
      npyError: `it starts with the .npy magic (\\x93NUMPY) but np.load refuses its header: ${why}`
    })
    if (pre.length < 8) return bad(`the file ends after ${pre.length} bytes, inside the magic string (8 bytes)`)
    let total: number
    try {
      total = npyHeaderLength(pre)
    } catch (e) {
      if (!(e instanceof NpyError)) throw e
      const lengthBytes = pre[6] === 1 ? 2 : 4
      return bad(
        /truncated/.test(e.message)
          ? `the file ends after ${pre.length} bytes, inside the header length (${8 + lengthBytes} bytes with it)`
          : e.message
      )
    }
    if (total > fileSize) return bad(`the header says it is ${total} bytes long, the file has ${fileSize}`)
    try {
      return { npy: npyLayout(parseNpyHeader(readPrefix(fd, total))) }
    } catch (e) {
      if (e instanceof NpyError) return bad(e.message)
      throw e
    }
  } finally {
    if (fd >= 0) fs.closeSync(fd)
  }
}

/** The refusal of a file whose .npy header np.load refuses, opened without a layout. */
export function npyRefusal(path: string, npyError: string): ApiError {
  return new ApiError(
    'layout',
    `${path}: ${npyError}; to read its bytes raw anyway, give a layout (--dtype u1, or the open form's dtype)`
  )
}

/** The layout a raw export's sidecar describes, when one sits beside the file and parses. */
export function readSidecar(path: string, allowed: (file: string) => boolean = () => true): LayoutSpecMsg | null {
  // a sidecar that is a link out of serve mode's --root is not read
  if (!allowed(`${path}.arrayscope.json`)) return null
  try {
    const j = JSON.parse(fs.readFileSync(`${path}.arrayscope.json`, 'utf8')) as Record<string, unknown>
    if (j.format !== 'arrayscope-raw/1' || typeof j.dtype !== 'string' || !Array.isArray(j.shape)) return null
    return {
      dtype: j.dtype,
      shape: j.shape as number[],
      offset: Number(j.offset ?? 0),
      order: j.order === 'F' ? 'F' : 'C'
    }
  } catch {
    return null
  }
}

/** allowed: serve mode's --root check, for the sidecar beside the file (the file itself is checked already). */
export function probeFile(path: string, allowed?: (file: string) => boolean): Omit<ProbeResult, 'recent'> {
  if (isRemote(path)) {
    // a remote object: its size from the server, no sidecar or ENVI header beside it
    const size = remoteStore(path).size
    const { npy, npyError } = probeNpy(path, size)
    return {
      path,
      size,
      mtimeMs: 0,
      npy,
      ...(npyError ? { npyError } : {}),
      sidecar: null,
      container: npy ? null : detectContainer(path, size)
    }
  }
  const st = statFile(path, true)
  if (st.isDirectory()) {
    return { path, size: 0, mtimeMs: st.mtimeMs, npy: null, sidecar: null, container: 'zarr' }
  }
  const { npy, npyError } = probeNpy(path, st.size)
  return {
    path,
    size: st.size,
    mtimeMs: st.mtimeMs,
    npy,
    ...(npyError ? { npyError } : {}),
    sidecar: readSidecar(path, allowed),
    // an ENVI data file has no header of its own: the .hdr beside it makes it one
    container: npy ? null : (detectContainer(path, st.size) ?? (enviHeaderFor(path, allowed) ? 'envi' : null))
  }
}
