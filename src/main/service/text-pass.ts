// The native pass that parses a text array into its copy (text_parse.cc), seen from the service: how far it has
// written (windows wait for their last element), its end (passes wait for it), its cancel. A session opened
// before the pass ended grows as it goes: textGrowth gives the session its next layout (rows parsed so far) and,
// once the pass ended, its final one or the pass's error.
import { ApiError } from '../../shared/contract'
import type { GrowingStore } from './growing-store'
import { native, type ScanHandle } from './native'
import type { TextParseResult, TextParseSpec } from '../../../native/index'

/** The pass's errors as the user's: the file named, what to check. */
export function textError(e: unknown, path: string): ApiError {
  if (e instanceof ApiError) return e
  const code = (e as { code?: string }).code
  const message = (e as Error).message
  if (code === 'ECANCELLED') return new ApiError('cancelled', `reading ${path} as text was cancelled`)
  if (code === 'EPARSE' || code === 'ERAGGED') {
    const hint = code === 'ERAGGED' ? '' : ', or skip a header with --skip-rows'
    return new ApiError('layout', `${path}: ${message} (check the separator and the dtype${hint})`)
  }
  if (code === 'EIO') return new ApiError('io', `${message} (set TMPDIR to a disk with room for the copy)`)
  return new ApiError('io', `cannot read ${path} as text: ${message}`)
}

export interface TextStatus {
  /** Bytes of text read. */
  bytes: number
  /** Values written to the copy. */
  written: number
  /** Table rows whose values are all written, and the values per row (-1 before the first row). */
  rows: number
  cols: number
}

export class TextPass implements GrowingStore {
  readonly done: Promise<TextParseResult>
  private handle: ReturnType<ReturnType<typeof native>['parseText']> | null = null
  private ended = false
  private result_: TextParseResult | undefined
  private error_: ApiError | undefined
  private final_: TextStatus | undefined
  private readonly waiters = new Set<{ n: number; resolve: () => void }>()
  private timer: NodeJS.Timeout | undefined

  constructor(
    spec: TextParseSpec,
    readonly path: string,
    readonly total: number,
    onProgress?: (done: number, total: number) => void
  ) {
    const h = native().parseText(spec)
    this.handle = h
    // waiting windows and progress are served every 10 ms while the pass runs
    this.timer = setInterval(() => {
      this.wake()
      onProgress?.(h.status().bytes, total)
    }, 10)
    this.done = h.promise.then(
      (r) => {
        this.result_ = r
        this.finish()
        onProgress?.(total, total)
        return r
      },
      (e: unknown) => {
        this.error_ = textError(e, path)
        this.finish()
        throw this.error_
      }
    )
    // a pass nobody awaits (a session grown past its open) must not reject unhandled
    this.done.catch(() => undefined)
  }

  private finish(): void {
    this.final_ = this.handle ? this.handle.status() : undefined
    this.ended = true
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.handle = null
    for (const w of this.waiters) w.resolve()
    this.waiters.clear()
  }

  private wake(): void {
    const written = this.written()
    for (const w of this.waiters) {
      if (w.n <= written) {
        w.resolve()
        this.waiters.delete(w)
      }
    }
  }

  get finished(): boolean {
    return this.ended
  }

  get result(): TextParseResult | undefined {
    return this.result_
  }

  get error(): ApiError | undefined {
    return this.error_
  }

  status(): TextStatus {
    const s = this.handle ? this.handle.status() : this.final_
    return s ?? { bytes: this.total, written: 0, rows: 0, cols: -1 }
  }

  written(): number {
    return this.status().written
  }

  waitFor(n: number): Promise<void> {
    if (this.ended || this.written() >= n) return Promise.resolve()
    return new Promise((resolve) => this.waiters.add({ n, resolve }))
  }

  cancel(): void {
    this.handle?.cancel()
  }

  /** Resolves once the pass has written its first values (or ended): what a first window needs. */
  async started(): Promise<void> {
    while (!this.ended && this.written() === 0) await new Promise((r) => setTimeout(r, 2))
  }

  /** The pass as a job of the registry (progress, cancel). */
  asHandle(): ScanHandle<TextParseResult> {
    return { promise: this.done, cancel: () => this.cancel() }
  }
}
