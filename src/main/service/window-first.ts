// A table window before the fill (issue 27: a window's p99 while a chunked pass runs). A window (or a byte read)
// that needs chunks not decoded yet decodes them at once, on libuv's pool at the process's priority, while the
// fill's chunks run on the addon's niced threads (native/src/background_pool.cc); and while it waits, the fill
// takes no new chunk, so the fill's chunks in flight end and the window soon has a core to itself. The fill is
// paused only for as long as a window's own chunks take: it is never starved. The fill runs niced only once a
// window was asked of the dataset (the app, serve): a process that shows none (the CLI's stats, export) has
// nothing to yield to, and its fill keeps the share of the CPU the user started it with.
export class WindowFirst {
  /** Whether a window (or a byte read) ever awaited chunks of this dataset: the fill then runs niced. */
  asked = false
  private waiting = 0
  private readonly resumers: (() => void)[] = []

  /** Runs a window's decode; the fill takes no new chunk until it (and every other window's) has ended. */
  async first<T>(decode: () => Promise<T>): Promise<T> {
    this.asked = true
    this.waiting++
    try {
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
