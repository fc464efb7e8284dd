/**
 * A store still being written in order by a pass (a text file's values): how far it is. Windows wait for their
 * last element; passes wait for the end.
 */
export interface GrowingStore {
  /** Elements written so far (a mapping of the copy sees them). */
  written(): number
  /** Resolves once at least n elements are written, or the pass ended. */
  waitFor(n: number): Promise<void>
  /** Settles when the pass ends (rejects with its error). */
  readonly done: Promise<unknown>
  readonly finished: boolean
  /** Stops the pass (the source is closing). */
  cancel(): void
}
