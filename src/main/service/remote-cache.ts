// The optional disk cache of remote objects (ARRAYSCOPE_REMOTE_CACHE): a remote object's copy kept in the user's
// cache folder after the process ends, with the map of the blocks it holds, so that the next command or session
// on the same URL reads only what it has not read before. An entry is reused only while the object keeps its
// size and validator (ETag or Last-Modified; an object without one is never cached); otherwise it starts empty.
// Off by default: the copies take disk (as much as was read of each object), freed by removing the folder.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import pathModule from 'node:path'

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

interface State {
  url: string
  size: number
  validator: string
  /** The blocks held, one byte each, base64. */
  blocks: string
}

export class CachedCopy {
  private last = 0
  private filled: Uint8Array | null = null

  private constructor(
    readonly file: string,
    private readonly stateFile: string,
    private readonly state: Omit<State, 'blocks'>,
    /** The blocks the copy holds already (a reused entry), or null. */
    readonly held: Uint8Array | null
  ) {
    live.add(this)
  }

  /** The entry of an object of this size and validator: reused when it matches, else made empty. */
  static open(dir: string, url: string, size: number, validator: string | null, blocks: number): CachedCopy | null {
    if (!validator) return null
    const entry = pathModule.join(dir, createHash('sha256').update(url).digest('hex').slice(0, 32))
    fs.mkdirSync(entry, { recursive: true, mode: 0o700 })
    const file = pathModule.join(entry, 'object.bin')
    const stateFile = pathModule.join(entry, 'state.json')
    try {
      const st = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as State
      const held = new Uint8Array(Buffer.from(st.blocks, 'base64'))
      if (
        st.url === url &&
        st.size === size &&
        st.validator === validator &&
        held.length === blocks &&
        fs.statSync(file).size === size
      ) {
        return new CachedCopy(file, stateFile, { url, size, validator }, held)
      }
    } catch {
      // no entry yet, or a damaged one: made anew
    }
    fs.rmSync(stateFile, { force: true })
    // a new file renamed over the old one: another process still reading the old version keeps its own
    const tmp = `${file}.${process.pid}.tmp`
    const fd = fs.openSync(tmp, 'w', 0o600)
    try {
      fs.ftruncateSync(fd, size)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, file)
    return new CachedCopy(file, stateFile, { url, size, validator }, null)
  }

  /** Records the blocks held (written at most twice a second, and when the copy closes or the process exits). */
  persist(filled: Uint8Array, now = false): void {
    this.filled = filled
    if (!now && Date.now() - this.last < 500) return
    this.last = Date.now()
    const state: State = { ...this.state, blocks: Buffer.from(filled).toString('base64') }
    const tmp = `${this.stateFile}.${process.pid}.tmp`
    try {
      fs.writeFileSync(tmp, JSON.stringify(state))
      fs.renameSync(tmp, this.stateFile)
    } catch {
      // a cache that cannot be written is only a cache: the next run reads again
    }
  }

  close(): void {
    if (this.filled) this.persist(this.filled, true)
    live.delete(this)
  }
}

const live = new Set<CachedCopy>()
process.once('exit', () => {
  for (const c of live) c.close()
})
