// The optional disk cache of remote objects (ARRAYSCOPE_REMOTE_CACHE): the blocks fetched of a remote object kept
// in the user's cache folder after the process ends, so that the next command or session on the same URL reads
// only what it has not read before. One file per 1 MiB block, under a folder per URL and one per version of the
// object (its size and validator: ETag or Last-Modified; an object without one is never cached), so a replaced
// object never mixes with its old blocks. Bounded: ARRAYSCOPE_REMOTE_CACHE_MAX (default 8 GiB); when a write
// would pass it, the least recently used blocks (of any object) are removed until the cache is under 90 % of it.
// The cache only feeds the object's private temporary copy (remote-store.ts), never maps its files: another
// process evicting a block, or replacing a version, can only make this one fetch the block again.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import pathModule from 'node:path'
import { ApiError } from '../../shared/contract'

export const DEFAULT_CACHE_MAX = 8 * 2 ** 30
const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }

/** The cache folder: ARRAYSCOPE_REMOTE_CACHE (a folder, or 1/on for ~/.cache/arrayscope/remote), or null: off. */
export function remoteCacheDir(env = process.env): string | null {
  const v = env.ARRAYSCOPE_REMOTE_CACHE
  if (!v || v === '0' || v === 'off') return null
  if (v === '1' || v === 'on') {
    const base = env.XDG_CACHE_HOME || pathModule.join(os.homedir(), '.cache')
    return pathModule.join(base, 'arrayscope', 'remote')
  }
  return pathModule.resolve(v)
}

/** The cache's bound in bytes: ARRAYSCOPE_REMOTE_CACHE_MAX (bytes, or a number with K, M, G or T). */
export function remoteCacheMax(env = process.env): number {
  const v = env.ARRAYSCOPE_REMOTE_CACHE_MAX
  if (v === undefined || v.trim() === '') return DEFAULT_CACHE_MAX
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*$/i.exec(v)
  if (!m) {
    throw new ApiError(
      'bad-request',
      `ARRAYSCOPE_REMOTE_CACHE_MAX=${v} is not a size: give bytes, or a number with K, M, G or T (e.g. 20G)`
    )
  }
  return Math.floor(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!)
}

const hash = (s: string, n: number): string => createHash('sha256').update(s).digest('hex').slice(0, n)

interface Held {
  path: string
  bytes: number
  used: number
}

/** Every file under the cache folder with its disk use and last use (the walk eviction sorts). */
function walk(dir: string, out: Held[] = []): Held[] {
  let names: fs.Dirent[]
  try {
    names = fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return out
  }
  for (const d of names) {
    const p = pathModule.join(dir, d.name)
    if (d.isDirectory()) walk(p, out)
    else {
      try {
        const st = fs.statSync(p)
        // disk really used (a sparse file of an older cache counts what it holds)
        out.push({ path: p, bytes: Math.min(st.size, st.blocks * 512), used: st.mtimeMs })
      } catch {
        // removed meanwhile by another process
      }
    }
  }
  return out
}

/** The bytes the cache folder holds. */
export function cacheUse(dir: string): number {
  return walk(dir).reduce((a, h) => a + h.bytes, 0)
}

/** Per cache folder, this process's estimate of its use (the last walk plus what was written since). */
const estimates = new Map<string, { use: number; sinceWalk: number }>()

/** The cached blocks of one version of one object. */
export class BlockCache {
  private constructor(
    private readonly root: string,
    private readonly folder: string,
    private readonly size: number,
    private readonly block: number,
    private readonly max: number
  ) {}

  /** The cache of an object of this size and validator (older versions of the URL removed), or null: none. */
  static open(dir: string, url: string, size: number, validator: string | null, block: number): BlockCache | null {
    if (!validator) return null
    const max = remoteCacheMax()
    const entry = pathModule.join(dir, hash(url, 32))
    const version = hash(`${size}\0${validator}`, 16)
    const folder = pathModule.join(entry, version)
    try {
      fs.mkdirSync(folder, { recursive: true, mode: 0o700 })
      for (const other of fs.readdirSync(entry)) {
        if (other !== version) fs.rmSync(pathModule.join(entry, other), { recursive: true, force: true })
      }
    } catch {
      return null // a cache that cannot be made is only no cache
    }
    return new BlockCache(dir, folder, size, block, max)
  }

  private length(b: number): number {
    return Math.min(this.size, (b + 1) * this.block) - b * this.block
  }

  /** A block's bytes when the cache holds them whole (its use recorded for the LRU), else null. */
  get(b: number): Buffer | null {
    const file = pathModule.join(this.folder, String(b))
    try {
      const bytes = fs.readFileSync(file)
      if (bytes.length !== this.length(b)) return null
      const now = new Date()
      fs.utimesSync(file, now, now)
      return bytes
    } catch {
      return null
    }
  }

  /** get without blocking the thread. */
  async getAsync(b: number): Promise<Buffer | null> {
    const file = pathModule.join(this.folder, String(b))
    try {
      const bytes = await fs.promises.readFile(file)
      if (bytes.length !== this.length(b)) return null
      const now = new Date()
      await fs.promises.utimes(file, now, now)
      return bytes
    } catch {
      return null
    }
  }

  /** Keeps the whole blocks that bytes fetched at offset hold. */
  putRange(offset: number, bytes: Uint8Array): void {
    const end = offset + bytes.length
    for (let b = Math.ceil(offset / this.block); b * this.block < end; b++) {
      const n = this.length(b)
      const at = b * this.block - offset
      if (at + n > bytes.length) break
      this.put(b, bytes.subarray(at, at + n))
    }
  }

  private put(b: number, bytes: Uint8Array): void {
    if (bytes.length > this.max) return
    this.makeRoom(bytes.length)
    const file = pathModule.join(this.folder, String(b))
    const tmp = `${file}.${process.pid}.tmp`
    try {
      fs.writeFileSync(tmp, bytes, { mode: 0o600 })
      fs.renameSync(tmp, file) // whole or absent for a reader in another process
      const e = estimates.get(this.root)!
      e.use += bytes.length
      e.sinceWalk += bytes.length
    } catch {
      fs.rmSync(tmp, { force: true }) // a full disk, a folder removed meanwhile: the block is fetched next time
    }
  }

  /**
   * Removes least recently used blocks so that n more bytes keep the cache under its bound. The folder is walked
   * at the first write and whenever this process wrote an eighth of the bound since (other processes' writes are
   * seen then), else the estimate is trusted.
   */
  private makeRoom(n: number): void {
    let e = estimates.get(this.root)
    if (!e || e.sinceWalk > this.max / 8 || e.use + n > this.max) {
      const held = walk(this.root)
      e = { use: held.reduce((a, h) => a + h.bytes, 0), sinceWalk: 0 }
      estimates.set(this.root, e)
      if (e.use + n > this.max) {
        const goal = Math.max(0, Math.floor(this.max * 0.9) - n)
        held.sort((a, b) => a.used - b.used)
        for (const h of held) {
          if (e.use <= goal) break
          fs.rmSync(h.path, { force: true })
          e.use -= h.bytes
        }
      }
    }
  }
}
