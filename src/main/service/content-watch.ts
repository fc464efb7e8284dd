// Writes that neither notifications nor the file's size and modification time tell (issue 32): a producer
// writing through a shared mapping. inotify reports no write made through a mapping, and the modification time
// changes only when a page is made writable again — on a disk file after msync or write-back cleaned it, on a
// tmpfs file (/dev/shm, where the seed's SharedMemoryArray lives) only at the first write to each page, never
// again. So for a followed file the windows and byte pages its views showed last are read again at each check
// and compared with what was sent: only what is on screen, never the whole file; a few kilobytes a check.
const KEEP = 24

interface Seen {
  read: () => Uint8Array
  bytes: Uint8Array
}

export class ContentWatch {
  private readonly seen = new Map<string, Map<string, Seen>>()

  /** What a view was sent (key: the request), and how to read it again. The last KEEP per session are kept. */
  remember(session: string, key: string, bytes: Uint8Array, read: () => Uint8Array): void {
    let m = this.seen.get(session)
    if (!m) this.seen.set(session, (m = new Map()))
    m.delete(key)
    m.set(key, { read, bytes: bytes.slice() })
    while (m.size > KEEP) m.delete(m.keys().next().value as string)
  }

  /** Reads what the session's views were sent again: whether any byte differs (the new bytes are kept). */
  changed(session: string): boolean {
    const m = this.seen.get(session)
    if (!m) return false
    let any = false
    for (const [key, s] of m) {
      let now: Uint8Array
      try {
        now = s.read()
      } catch {
        m.delete(key) // no longer readable (a shrunk array): the view asks for what it shows now
        continue
      }
      if (!Buffer.from(now.buffer, now.byteOffset, now.length).equals(s.bytes)) {
        s.bytes = now
        any = true
      }
    }
    return any
  }

  forget(session: string): void {
    this.seen.delete(session)
  }
}
