// Requests passed down as props with a sequence number (go to this cell, select this byte's element) are
// events, not state: the app keeps the last one, so a table mounted later (a new tab, a tab switched back to)
// must not replay it. This runs the handler when the number changes after mount, never for the value at mount.
import { useEffect, useRef } from 'react'

export function useSignal(seq: number | undefined, handler: () => void): void {
  const seen = useRef(seq)
  useEffect(() => {
    if (seq === undefined || seq === seen.current) return
    seen.current = seq
    handler()
  }, [seq]) // eslint-disable-line react-hooks/exhaustive-deps
}
