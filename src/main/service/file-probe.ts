// Reads what a file says about itself: size, mtime, and a .npy header. Reads only the header bytes.
import fs from 'node:fs'
import { ApiError, type LayoutSpecMsg, type ProbeResult } from '../../shared/contract'
import { NPY_PREAMBLE, isNpy, npyHeaderLength, npyLayout, parseNpyHeader } from '../../shared/npy'
import { detectContainer, enviHeaderFor } from './containers'

function statFile(path: string): fs.Stats {
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
  if (st.isDirectory()) throw new ApiError('bad-request', `${path} is a folder, not a file: name a file in it`)
  if (!st.isFile()) throw new ApiError('bad-request', `${path} is not a regular file`)
  return st
}

function readPrefix(fd: number, length: number): Uint8Array {
  const buf = new Uint8Array(length)
  const n = fs.readSync(fd, buf, 0, length, 0)
  return buf.subarray(0, n)
}

/** The layout a .npy file's header gives, or null when the file is not .npy. */
export function readNpyLayout(path: string, fileSize: number): LayoutSpecMsg | null {
  if (fileSize < NPY_PREAMBLE) return null
  const fd = fs.openSync(path, 'r')
  try {
    const pre = readPrefix(fd, NPY_PREAMBLE)
    if (!isNpy(pre)) return null
    const total = npyHeaderLength(pre)
    if (total > fileSize)
      throw new ApiError('layout', `.npy header is ${total} bytes, longer than the file (${fileSize})`)
    return npyLayout(parseNpyHeader(readPrefix(fd, total)))
  } finally {
    fs.closeSync(fd)
  }
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
  const st = statFile(path)
  const npy = readNpyLayout(path, st.size)
  return {
    path,
    size: st.size,
    mtimeMs: st.mtimeMs,
    npy,
    sidecar: readSidecar(path, allowed),
    // an ENVI data file has no header of its own: the .hdr beside it makes it one
    container: npy ? null : (detectContainer(path, st.size) ?? (enviHeaderFor(path, allowed) ? 'envi' : null))
  }
}
