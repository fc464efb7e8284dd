// A table window before the fill (issue 27: a window's p99 while a chunked pass runs). A window (or a byte read)
// that needs chunks not decoded yet decodes them at once, on libuv's pool, while the fill's chunks run on the
// addon's own threads (native/src/background_pool.cc). While a window waits, the fill takes no new chunk, and
// the fill's chunks being decoded at that moment are niced (yieldBackground), so the window's decode soon has a
// core to itself; their threads then end, and the fill's next chunks run at full priority again. A fill niced
// all along would crawl on a machine busy with other programs; this one yields only while a window waits, for
// as long as the window's own chunks take: it is never starved.
import { native } from './native'

export class WindowFirst {
  private waiting = 0
  private readonly resumers: (() => void)[] = []

  /**
   * Runs a window's decode; the fill takes no new chunk until it (and every other window's) has ended. own: the
   * window decodes a chunk itself (not only awaits the fill's): the fill's running chunks are niced then.
   */
  async first<T>(decode: () => Promise<T>, own: boolean): Promise<T> {
    this.waiting++
    try {
      const a = native()
      if (own && typeof a.yieldBackground === 'function') a.yieldBackground()
      return await decode()
    } finally {
      if (--this.waiting === 0) for (const resume of this.resumers.splice(0)) resume()
    }
  }

  /** Resolves once no window awaits its chunks (at once when none does): the fill's next chunk may start. */
  async served(): Promise<void> {
    while (this.waiting > 0) await new Promise<void>((resume) => this.resumers.push(resume))
  }
}
