// The signals that end ArrayScope from outside: Ctrl+C (SIGINT), a service manager or kill (SIGTERM), and a
// closed terminal or dropped SSH session (SIGHUP). Each gets the same orderly stop — unflushed edits discarded,
// temporary copies removed — instead of the default of dying on the spot with both left behind.
export const TERMINATING: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

/** The exit status a shell gives a process ended by this signal (128 + its number). */
export function signalStatus(signal: NodeJS.Signals): number {
  return 128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as Record<string, number>)[signal]!
}

/** Calls stop on the first terminating signal; returns a function that stops listening. */
export function onTerminate(stop: (signal: NodeJS.Signals) => void): () => void {
  let stopping = false
  const handler = (signal: NodeJS.Signals): void => {
    // a second signal while stopping does not start a second stop
    if (stopping) return
    stopping = true
    stop(signal)
  }
  for (const s of TERMINATING) process.on(s, handler)
  return () => {
    for (const s of TERMINATING) process.off(s, handler)
  }
}
