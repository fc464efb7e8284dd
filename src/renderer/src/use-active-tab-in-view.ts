// The active tab is always scrolled into the strip's view: when it changes, when tabs come and go, and when the
// strip's width changes (a narrower window, the tools wrapping) — else it could sit outside the strip unseen.
import { useEffect, useRef } from 'react'

export function useActiveTabInView(active: number, count: number): React.RefObject<HTMLElement | null> {
  const strip = useRef<HTMLElement>(null)
  useEffect(() => {
    const el = strip.current
    if (!el) return
    const show = (): void =>
      el.querySelector<HTMLElement>('.tab.active')?.scrollIntoView({ block: 'nearest', inline: 'nearest' })
    show()
    const ro = new ResizeObserver(show)
    ro.observe(el)
    return () => ro.disconnect()
  }, [active, count])
  return strip
}
