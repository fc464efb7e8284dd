// The sidebar's drag handle: a container's long array names need more room than 340 px, and a table beside an
// open Analysis panel needs less sidebar. Drag it (or focus it and press ←/→) to set the width, kept between
// MIN and MAX and remembered for the next sidebar. It sizes the element before it (the sidebar) directly: the
// width is layout state of this page only, no part of the workspace.
import { useEffect, useRef, useState } from 'react'

const MIN = 180
const MAX_SHARE = 0.6 // of the window: the table keeps the rest
const KEY = 'arrayscope.sidebarWidth'

function clamp(px: number): number {
  return Math.round(Math.max(MIN, Math.min(px, Math.max(MIN, window.innerWidth * MAX_SHARE))))
}

export function SidebarHandle(): React.JSX.Element {
  const ref = useRef<HTMLDivElement>(null)
  const [width, setWidth] = useState<number | null>(null)
  const sidebar = (): HTMLElement | null => (ref.current?.previousElementSibling as HTMLElement | null) ?? null
  const apply = (px: number): void => {
    const w = clamp(px)
    const s = sidebar()
    if (s) s.style.width = `${w}px`
    setWidth(w)
    try {
      localStorage.setItem(KEY, String(w))
    } catch {
      // storage unavailable (private mode): the width lasts as long as the sidebar
    }
  }
  useEffect(() => {
    const saved = Number(localStorage.getItem(KEY))
    const s = sidebar()
    if (saved > 0) apply(saved)
    else if (s) setWidth(s.getBoundingClientRect().width)
  }, []) // eslint-disable-line react-hooks/exhaustive-deps

  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>): void => {
    const s = sidebar()
    if (!s) return
    e.preventDefault()
    const left = s.getBoundingClientRect().left
    const el = e.currentTarget
    el.setPointerCapture(e.pointerId)
    const move = (m: PointerEvent): void => apply(m.clientX - left)
    const up = (): void => {
      el.removeEventListener('pointermove', move)
      el.removeEventListener('pointerup', up)
      el.removeEventListener('pointercancel', up)
    }
    el.addEventListener('pointermove', move)
    el.addEventListener('pointerup', up)
    el.addEventListener('pointercancel', up)
  }
  return (
    <div
      ref={ref}
      className="sidebar-handle"
      data-testid="sidebar-handle"
      role="separator"
      aria-orientation="vertical"
      aria-label="Sidebar width"
      aria-valuemin={MIN}
      aria-valuenow={width ?? undefined}
      tabIndex={0}
      title="Drag to resize the sidebar (or ←/→)"
      onPointerDown={onPointerDown}
      onKeyDown={(e) => {
        const step = e.shiftKey ? 64 : 16
        const w = sidebar()?.getBoundingClientRect().width ?? 340
        if (e.key === 'ArrowLeft') apply(w - step)
        else if (e.key === 'ArrowRight') apply(w + step)
        else return
        e.preventDefault()
      }}
    />
  )
}
