// Buffered synchronous output: show and export stream millions of values without building one string.
import fs from 'node:fs'

export class PipeClosed extends Error {}

/** Where the CLI writes. Tests replace these to run commands in-process. */
export const io = {
  out(text: string): void {
    fs.writeSync(1, text)
  },
  err(text: string): void {
    process.stderr.write(text)
  }
}

export class Output {
  private parts: string[] = []
  private size = 0

  /** sink: where flushed text goes (io.out unless given; show --follow keeps a small printout to compare). */
  constructor(private readonly sink: (text: string) => void = (text) => io.out(text)) {}

  write(text: string): void {
    this.parts.push(text)
    this.size += text.length
    if (this.size >= 1 << 20) this.flush()
  }

  flush(): void {
    if (this.parts.length === 0) return
    const text = this.parts.join('')
    this.parts = []
    this.size = 0
    try {
      this.sink(text)
    } catch (e) {
      // `arrayscope show … | head` closes the pipe early: stop quietly.
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') throw new PipeClosed()
      throw e
    }
  }
}
