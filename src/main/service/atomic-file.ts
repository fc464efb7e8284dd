// An export's output: written to a temporary file beside the target and renamed over it only when every byte
// is written, so a failed or cancelled export leaves nothing — no partial target, no temporary file. Every
// write loop checks for short writes (a full disk may accept part of a buffer before refusing the rest).
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { ApiError } from '../../shared/contract'
import type { Mapping } from './native'

const writeAsync = promisify(fs.write)

/** The longest file name most file systems take (ext4, xfs, btrfs, tmpfs, APFS, NTFS: 255 bytes). */
const NAME_MAX = 255

/** Writes all of data at the file's position, however many calls the file system needs. */
export function writeAll(fd: number, data: Uint8Array): void {
  let off = 0
  while (off < data.length) {
    const n = fs.writeSync(fd, data, off, data.length - off)
    // write(2) on a regular file returns 0 only when it can take nothing more: a full device
    if (n <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    off += n
  }
}

/** Temporary files not renamed or removed yet: removed when the process exits (Ctrl+C on a CLI export). */
const pending = new Set<string>()
let exitHook = false

function track(tmp: string): void {
  pending.add(tmp)
  if (exitHook) return
  exitHook = true
  // 'exit' runs synchronously even after process.exit() from a signal handler, which an export's own
  // cleanup (after its awaits) never reaches
  process.on('exit', () => {
    for (const f of pending) fs.rmSync(f, { force: true })
  })
}

export class AtomicFile {
  readonly tmp: string
  private fd: number
  private buffered: Uint8Array[] = []
  private size = 0

  constructor(readonly target: string) {
    const dir = path.dirname(path.resolve(target))
    const base = path.basename(target)
    if (Buffer.byteLength(base) > NAME_MAX) {
      throw new ApiError(
        'bad-request',
        `the file name ${base.slice(0, 40)}… is ${Buffer.byteLength(base)} bytes long; file systems take at most ${NAME_MAX}: choose a shorter name`
      )
    }
    if (!fs.existsSync(dir)) throw new ApiError('not-found', `the folder ${dir} does not exist`)
    const tag = randomBytes(4).toString('hex')
    // beside the target (same file system, so the rename is atomic); a long target name gets a short temp name
    const named = `.${base}.arrayscope-${tag}.tmp`
    this.tmp = path.join(dir, Buffer.byteLength(named) <= NAME_MAX ? named : `.arrayscope-${tag}.tmp`)
    this.fd = fs.openSync(this.tmp, 'wx', 0o644)
    track(this.tmp)
  }

  write(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
    this.buffered.push(bytes)
    this.size += bytes.length
    if (this.size >= 1 << 22) this.flush()
  }

  private flush(): void {
    for (const d of this.buffered) writeAll(this.fd, d)
    this.buffered = []
    this.size = 0
  }

  /** Appends the mapping's bytes [offset, offset + length) straight from the mapping (no copy through JS). */
  copyFrom(mapping: Mapping, offset: number, length: number): void {
    this.flush()
    mapping.copyTo(this.fd, offset, length)
  }

  /** Writes at once, without a copy (for chunks whose buffer is reused afterwards). */
  writeNow(data: Uint8Array): void {
    this.flush()
    writeAll(this.fd, data)
  }

  /** As writeNow, on libuv's pool (the main thread receives meanwhile); the caller awaits each before the next. */
  async writeNowAsync(data: Uint8Array): Promise<void> {
    this.flush()
    for (let off = 0; off < data.length; ) {
      const { bytesWritten: n } = await writeAsync(this.fd, data, off, data.length - off, null)
      if (n <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
      off += n
    }
  }

  /** Writes data at position (a header written into room left for it before the rest); the appends go on as before. */
  writeAt(data: Uint8Array, position: number): void {
    this.flush()
    let off = 0
    while (off < data.length) {
      const n = fs.writeSync(this.fd, data, off, data.length - off, position + off)
      if (n <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
      off += n
    }
  }

  /** Writes what is buffered and closes the temporary file; rename() then puts it in place. */
  finish(): void {
    this.flush()
    // No fsync: the rename makes the export appear whole or not at all (ext4 and others order the data
    // before a replacing rename); an fsync would triple the time of a 1 GiB export for a power-loss case.
    fs.closeSync(this.fd)
    this.fd = -1
  }

  rename(): void {
    fs.renameSync(this.tmp, this.target)
    pending.delete(this.tmp)
  }

  /** Removes the temporary file (whatever state it is in). */
  abort(): void {
    if (this.fd >= 0) {
      try {
        fs.closeSync(this.fd)
      } catch {
        /* already closed */
      }
      this.fd = -1
    }
    fs.rmSync(this.tmp, { force: true })
    pending.delete(this.tmp)
  }
}
