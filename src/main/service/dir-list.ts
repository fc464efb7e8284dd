// dir:list — one folder for the open form's file browser. Serve mode has no native dialog, and a folder typed
// into the path field is more use listed than refused. Only what the path policy allows is listed: under
// --root, the browser stops at the root and a link pointing outside it is left out.
import fs from 'node:fs'
import os from 'node:os'
import pathModule from 'node:path'
import { ApiError } from '../../shared/contract'
import { DETECT_BYTES, detectFormat } from '../../shared/containers'
import type { DirEntry, DirListing } from '../../shared/dir-listing'
import type { PathPolicy } from './path-policy'
import { zarrMarker } from './zarr-store'

/** Entries listed at most (a folder of a million files still answers quickly). */
const LIMIT = 2000
/** Files whose first bytes are read to mark their format. */
const DETECT_LIMIT = 500

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY

function formatOf(file: string, size: number, name: string): string | null {
  let fd: number | null = null
  try {
    fd = fs.openSync(file, 'r')
    const head = new Uint8Array(Math.min(size, DETECT_BYTES))
    fs.readSync(fd, head, 0, head.length, 0)
    if (NPY_MAGIC.every((b, i) => head[i] === b)) return 'npy'
    return detectFormat(head, size, name)?.format ?? null
  } catch {
    return null // unreadable: listed without a format
  } finally {
    if (fd !== null) fs.closeSync(fd)
  }
}

export function listDir(paths: PathPolicy, typed: string): DirListing {
  const dir = paths.resolve(typed.trim() === '' ? (paths.root ?? os.homedir()) : typed.trim())
  let st: fs.Stats
  try {
    st = fs.statSync(dir)
  } catch {
    throw new ApiError('not-found', `${dir}: no such folder`)
  }
  if (!st.isDirectory()) throw new ApiError('bad-request', `${dir} is a file, not a folder`)
  const real = fs.realpathSync(dir)
  const names = fs
    .readdirSync(real)
    .filter((n) => !n.startsWith('.'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  const entries: DirEntry[] = []
  for (const name of names) {
    const full = pathModule.join(real, name)
    if (!paths.allows(full)) continue
    let s: fs.Stats
    try {
      s = fs.statSync(full) // follows links: a link to a folder browses like one
    } catch {
      continue // a dangling link
    }
    if (s.isDirectory()) entries.push({ name, kind: 'dir', size: 0, format: null })
    else if (s.isFile()) entries.push({ name, kind: 'file', size: s.size, format: null })
  }
  entries.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'dir' ? -1 : 1))
  const shown = entries.slice(0, LIMIT)
  let detected = 0
  for (const e of shown) {
    if (detected >= DETECT_LIMIT) continue
    detected++
    // a folder holding Zarr metadata is a store: it opens like a container file
    if (e.kind === 'dir') e.format = zarrMarker(pathModule.join(real, e.name)) ? 'zarr' : null
    else e.format = formatOf(pathModule.join(real, e.name), e.size, e.name)
  }
  const up = pathModule.dirname(real)
  const atTop = up === real || (paths.root !== null && real === paths.root)
  return { path: real, parent: atTop ? null : up, entries: shown, more: entries.length - shown.length }
}
