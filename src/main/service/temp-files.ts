// Temporary copies (a deflated .npz member, a chunked HDF5 dataset's values) live in folders under the system's
// temporary folder named arrayscope-KIND-PID-XXXXXX: removed when their session closes, at the latest when the
// process exits — and, when the process was killed (SIGKILL, a crash, a power cut) and could not, by the next
// ArrayScope process that starts, which removes the folders of owners that are no longer running.
import fs from 'node:fs'
import os from 'node:os'
import pathModule from 'node:path'

const live = new Set<string>()
let hooked = false

/** arrayscope-KIND-PID-XXXXXX: the kind, and the pid of the process that made it. */
const NAME = /^arrayscope-[a-z0-9]+-(\d+)-[A-Za-z0-9]{6}$/

function removeAll(): void {
  for (const dir of live) fs.rmSync(dir, { recursive: true, force: true })
  live.clear()
}

/**
 * A new folder under the system's temporary folder (or under `base`), removed with removeTemp (or when the
 * process exits).
 */
export function tempFolder(prefix: string, base = os.tmpdir()): string {
  if (!hooked) {
    hooked = true
    process.once('exit', removeAll)
  }
  const dir = fs.mkdtempSync(pathModule.join(base, `${prefix}${process.pid}-`))
  live.add(dir)
  return dir
}

/** Removes a temporary copy (and its folder). */
export function removeTemp(file: string): void {
  const dir = pathModule.dirname(file)
  fs.rmSync(dir, { recursive: true, force: true })
  live.delete(dir)
}

/** Whether a process with this pid runs (EPERM: it does, as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Removes the temporary folders left by ArrayScope processes that no longer run (this user's only); returns
 * the folders removed. A folder of a running process — even one whose pid was reused by another program — is
 * kept: removing a live session's copy would pull its mapping from under it.
 */
export function removeStaleTemps(dir = os.tmpdir()): string[] {
  const removed: string[] = []
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return removed
  }
  const uid = process.getuid?.()
  for (const name of names) {
    const m = NAME.exec(name)
    if (!m) continue
    const pid = Number(m[1])
    if (pid === process.pid || running(pid)) continue
    const full = pathModule.join(dir, name)
    try {
      const st = fs.lstatSync(full)
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue
      fs.rmSync(full, { recursive: true, force: true })
      removed.push(full)
    } catch {
      /* gone meanwhile, or not ours to remove */
    }
  }
  return removed
}

let swept = false
/** Once a process: the temporary copies of ArrayScope processes that were killed before they could remove them. */
export function sweepStaleTemps(): void {
  if (swept) return
  swept = true
  removeStaleTemps()
}
