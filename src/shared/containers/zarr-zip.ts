// A Zarr store in a ZIP archive (zarr-python's ZipStore, `.zarr.zip`): the members are the store's keys. Detected
// from the file's first member (a Zarr metadata document) or its name; the metadata documents are read through the
// archive's central directory (stored members as they are, deflated ones through ctx.inflatePrefix), and the chunk
// reader (src/main/service/zarr-fill.ts) reads chunk members the same way.
import { ContainerError, readExact, type ParseContext } from './model'
import { readZipDirectory, type ZipMember } from './zip'

const MARKERS = ['zarr.json', '.zmetadata', '.zgroup', '.zarray']

/** A ZIP archive whose first member is a Zarr metadata document, or a ZIP archive named *.zarr.zip. */
export function isZarrZip(head: Uint8Array, fileName: string): boolean {
  if (head.length < 30 || head[0] !== 0x50 || head[1] !== 0x4b || head[2] !== 3 || head[3] !== 4) return false
  if (/\.zarr\.zip$/i.test(fileName)) return true
  const n = head[26]! | (head[27]! << 8)
  const name = new TextDecoder().decode(head.subarray(30, Math.min(head.length, 30 + n)))
  return MARKERS.includes(name)
}

/** The store's members by key (names without a leading './'; folders' own entries left out). */
export function zipMembers(ctx: { read: ParseContext['read']; size: number }): Map<string, ZipMember> {
  const members = new Map<string, ZipMember>()
  for (const m of readZipDirectory(ctx)) {
    if (m.name.endsWith('/')) continue
    members.set(m.name.replace(/^\.\//, ''), m)
  }
  return members
}

/** ParseContext.store over an archive: metadata documents by key, sub-folders from the member names. */
export function zipStore(ctx: ParseContext): NonNullable<ParseContext['store']> {
  const members = zipMembers(ctx)
  const folders = new Map<string, Set<string>>()
  for (const key of members.keys()) {
    const parts = key.split('/')
    for (let k = 0; k < parts.length - 1; k++) {
      const parent = parts.slice(0, k).join('/')
      let set = folders.get(parent)
      if (!set) folders.set(parent, (set = new Set()))
      set.add(parts[k]!)
    }
  }
  return {
    text(key) {
      const m = members.get(key)
      if (!m) return null
      if (m.uncompressedSize > 256 << 20)
        throw new ContainerError(`${key} is ${m.uncompressedSize} bytes: too large for a metadata document`)
      let bytes: Uint8Array
      if (m.method === 0) bytes = readExact(ctx, m.dataOffset, m.compressedSize, key)
      else if (m.method === 8 && ctx.inflatePrefix) {
        bytes = ctx.inflatePrefix(m.dataOffset, m.compressedSize, m.uncompressedSize, 'raw')
      } else
        throw new ContainerError(
          `its member ${key} is compressed with ZIP method ${m.method} (stored and deflate are read)`
        )
      return new TextDecoder().decode(bytes)
    },
    folders(folder) {
      return [...(folders.get(folder) ?? [])].filter((n) => !n.startsWith('.'))
    }
  }
}
