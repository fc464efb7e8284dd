// Where a Zarr array's chunk objects come from, by key: a folder on disk, a .zarr.zip archive, or a remote store
// (zarr-remote.ts). The chunk reader (zarr-fill.ts) asks for keys ('folder/c/0/1'), never for paths, so each
// kind of store is one small implementation of ZarrKeys. A folder's and an archive's chunks are listed when the
// array opens (a missing chunk is the fill value without a read); a remote store is not listed (plain HTTP has
// no listing; an S3 listing of every chunk would cost more than the reads it saves): each chunk is fetched and
// one that is not there (404, NoSuchKey) is the fill value.
import fs from 'node:fs'
import pathModule from 'node:path'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { ZipMember } from '../../shared/containers/zip'
import { zipMembers } from '../../shared/containers/zarr-zip'
import type { RemoteBytes } from './chunk-filler'
import { decode, decodeSync } from './codecs/registry'
import { storePath } from './zarr-store'

const readAsync = promisify(fs.read)

/** Why a chunk's stored bytes are unusable (the chunk reader says which chunk of which array). */
export class ChunkDamage extends Error {}

/** One object read by ranges: its size, its first bytes, and ranges of the same version. */
export interface ObjectRanges {
  size: number
  head: Uint8Array
  read(offset: number, length: number): Promise<Uint8Array>
  readSync(offset: number, length: number): Uint8Array
}

/** A Zarr store's objects by key. */
export interface ZarrKeys {
  /**
   * The keys of the objects under a folder (relative to it), descending at most `depth` folders; null when the
   * store cannot list them (every chunk is read, and a missing one is the fill value).
   */
  list(folder: string, depth: number): Iterable<string> | null
  /** An object's bytes, or null when the store has no object of that key. */
  read(key: string): Promise<Uint8Array | null>
  readSync(key: string): Uint8Array | null
  /** An object read by ranges, its first `first` bytes fetched (a remote shard), or null when it is not there. */
  ranges?(key: string, first: number): Promise<ObjectRanges | null>
  rangesSync?(key: string, first: number): ObjectRanges | null
  close(): void
}

/** A folder on disk: every key checked to stay in the store and in the folder the service may read. */
export class FolderKeys implements ZarrKeys {
  constructor(
    private readonly dir: string,
    private readonly allows: (p: string) => boolean
  ) {}

  list(folder: string, depth: number): string[] {
    const root = storePath(this.dir, folder, this.allows)
    const keys: string[] = []
    const walk = (rel: string, level: number): void => {
      let items: fs.Dirent[]
      try {
        items = fs.readdirSync(rel ? pathModule.join(root, rel) : root, { withFileTypes: true })
      } catch {
        return
      }
      for (const d of items) {
        const key = rel ? `${rel}/${d.name}` : d.name
        if (d.isDirectory()) {
          if (level + 1 < depth) walk(key, level + 1)
        } else keys.push(key)
      }
    }
    walk('', 0)
    return keys
  }

  /** The file of a key (checked as a read's is): the native chunk reader (zarr-chunk-file.ts) opens it itself. */
  pathOf(key: string): string {
    return storePath(this.dir, key, this.allows)
  }

  read(key: string): Promise<Uint8Array> {
    return fs.promises.readFile(storePath(this.dir, key, this.allows))
  }

  readSync(key: string): Uint8Array {
    return fs.readFileSync(storePath(this.dir, key, this.allows))
  }

  close(): void {}
}

/** A .zarr.zip archive: its central directory read once; members read (and inflated) with their CRC-32 checked. */
export class ZipKeys implements ZarrKeys {
  private readonly fd: number
  private readonly members: Map<string, ZipMember>

  /** file: the archive, or a remote archive's sparse copy whose bytes `remote` fetches before they are read. */
  constructor(
    file: string,
    private readonly remote?: RemoteBytes
  ) {
    this.fd = fs.openSync(file, 'r')
    try {
      const fd = this.fd
      const size = fs.fstatSync(fd).size
      const read = (offset: number, length: number): Uint8Array => {
        const b = Buffer.alloc(Math.max(0, Math.min(length, size - offset)))
        remote?.ensure(offset, offset + b.length)
        const n = b.length ? fs.readSync(fd, b, 0, b.length, offset) : 0
        return b.subarray(0, n)
      }
      this.members = zipMembers({ read, size })
    } catch (e) {
      fs.closeSync(this.fd)
      throw e
    }
  }

  list(folder: string): string[] {
    const prefix = folder ? `${folder}/` : ''
    return [...this.members.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length))
  }

  async read(key: string): Promise<Uint8Array | null> {
    const m = this.members.get(key)
    if (!m) return null
    const raw = Buffer.allocUnsafe(m.compressedSize)
    await this.remote?.fetch(m.dataOffset, m.dataOffset + raw.length)
    for (let done = 0; done < raw.length; ) {
      const { bytesRead } = await readAsync(this.fd, raw, done, raw.length - done, m.dataOffset + done)
      if (bytesRead === 0) throw new ChunkDamage('ends early (the archive is truncated)')
      done += bytesRead
    }
    return this.check(m, m.method === 8 ? await decode('deflate', raw, m.uncompressedSize) : raw)
  }

  readSync(key: string): Uint8Array | null {
    const m = this.members.get(key)
    if (!m) return null
    const raw = Buffer.allocUnsafe(m.compressedSize)
    this.remote?.ensure(m.dataOffset, m.dataOffset + raw.length)
    for (let done = 0; done < raw.length; ) {
      const n = fs.readSync(this.fd, raw, done, raw.length - done, m.dataOffset + done)
      if (n === 0) throw new ChunkDamage('ends early (the archive is truncated)')
      done += n
    }
    return this.check(m, m.method === 8 ? decodeSync('deflate', raw, m.uncompressedSize) : raw)
  }

  private check(m: ZipMember, bytes: Uint8Array): Uint8Array {
    if (m.method !== 0 && m.method !== 8) {
      throw new ChunkDamage(`is compressed with ZIP method ${m.method} (stored and deflate are read)`)
    }
    if (zlib.crc32(bytes) >>> 0 !== m.crc32 >>> 0) throw new ChunkDamage('fails its ZIP CRC-32 check')
    return bytes
  }

  close(): void {
    fs.closeSync(this.fd)
  }
}

/** The keys of a local store: a folder, or a .zarr.zip archive. */
export function localKeys(dir: string, allows: (p: string) => boolean): ZarrKeys {
  if (fs.statSync(dir).isFile()) return new ZipKeys(dir)
  return new FolderKeys(dir, allows)
}
