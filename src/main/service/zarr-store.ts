// A Zarr directory store on the Node side: which folders are stores, and the parse context over one. Every file
// read under the store is a key checked to stay inside it (no '..', no absolute key) and a path the service's
// policy allows (serve mode's --root, after resolving symbolic links): a link inside the store pointing out of
// --root is refused like any other path.
import fs from 'node:fs'
import pathModule from 'node:path'
import { ApiError } from '../../shared/contract'
import { ContainerError, parseContainer, type Container } from '../../shared/containers'
import { ZARR_MARKERS, safeKey } from '../../shared/containers/zarr'

/** Metadata documents larger than this are refused (a .zmetadata of 100,000 arrays is a few tens of MB). */
const MAX_DOC = 256 << 20

/** The metadata document that makes a folder a Zarr store (zarr.json, .zmetadata, .zgroup, .zarray), or null. */
export function zarrMarker(dir: string): string | null {
  for (const name of ZARR_MARKERS) {
    try {
      if (fs.statSync(pathModule.join(dir, name)).isFile()) return name
    } catch {
      /* not this one */
    }
  }
  return null
}

/** What a folder's store looks like for the cache: the folder's and its marker's mtimes. */
export function storeStamp(dir: string): number {
  const marker = zarrMarker(dir)
  const m = marker ? fs.statSync(pathModule.join(dir, marker)).mtimeMs : 0
  return Math.max(m, fs.statSync(dir).mtimeMs)
}

/** A key of the store as a path, refused when it would leave the store or the folder the service may read. */
export function storePath(dir: string, key: string, allows: (p: string) => boolean): string {
  if (!safeKey(key)) throw new ApiError('permission', `${dir}: the key ${key} lies outside the store: it is not read`)
  const p = pathModule.join(dir, key)
  if (!allows(p)) {
    throw new ApiError('permission', `${p} lies outside the folder this server may read (--root): it is not read`)
  }
  return p
}

/** Parses the store in a folder; null when the folder holds no Zarr metadata. */
export function readZarrStore(dir: string, allows: (p: string) => boolean): Container | null {
  const marker = zarrMarker(dir)
  if (!marker) return null
  const text = (key: string): string | null => {
    const p = storePath(dir, key, allows)
    let fd: number
    try {
      fd = fs.openSync(p, 'r')
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null
      throw new ApiError('io', `cannot read ${p}: ${(e as Error).message}`)
    }
    try {
      const st = fs.fstatSync(fd)
      if (!st.isFile()) return null
      if (st.size > MAX_DOC) throw new ApiError('layout', `${p} is ${st.size} bytes: too large for a metadata document`)
      return fs.readFileSync(fd, 'utf8')
    } finally {
      fs.closeSync(fd)
    }
  }
  const folders = (folder: string): string[] => {
    const p = storePath(dir, folder, allows)
    try {
      // symbolic links to folders are not followed by the walk (a link cycle, a link out of the store)
      return fs
        .readdirSync(p, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
        .map((d) => d.name)
    } catch {
      return []
    }
  }
  const head = Buffer.from((text(marker) ?? '').slice(0, 512))
  try {
    return parseContainer({
      read: (offset, length) => head.subarray(offset, offset + length),
      size: head.length,
      fileName: marker,
      store: { text, folders }
    })
  } catch (e) {
    if (e instanceof ContainerError) throw new ApiError('layout', `${dir}: ${e.message}`)
    throw e
  }
}
