// The tab strip, one stop in the Tab order (a roving tabindex, as WAI-ARIA's tabs pattern has it): the arrows,
// Home and End move the focus between tabs, Enter or Space shows the focused tab, Delete or Ctrl+W closes it (with
// the usual question when it has unsaved edits). With 13 tabs open the keyboard used to stop 26 times here.
import { useEffect, useRef, useState, type Ref } from 'react'
import type { Tab } from './state/use-tabs'
import { tabTitle, tabTitles } from './tab-title'

export function TabStrip(props: {
  tabs: Tab[]
  active: number
  stripRef: Ref<HTMLElement>
  workspace: string
  onSelect: (k: number) => void
  onCloseTab: (k: number) => void
}): React.JSX.Element {
  const { tabs, active } = props
  // the tab holding the strip's one stop: the active one until the arrows move it
  const [focus, setFocus] = useState(active)
  useEffect(() => setFocus(active), [active])
  const stop = Math.max(0, Math.min(focus, tabs.length - 1))
  const items = useRef<(HTMLElement | null)[]>([])

  const moveTo = (k: number): void => {
    const n = tabs.length
    if (!n) return
    const next = ((k % n) + n) % n
    setFocus(next)
    items.current[next]?.focus()
  }

  const onKeyDown = (e: React.KeyboardEvent, k: number): void => {
    const mod = e.ctrlKey || e.metaKey
    let handled = true
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') moveTo(k + 1)
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') moveTo(k - 1)
    else if (e.key === 'Home') moveTo(0)
    else if (e.key === 'End') moveTo(tabs.length - 1)
    else if ((e.key === 'Enter' || e.key === ' ') && !mod) props.onSelect(k)
    else if (e.key === 'Delete' || (mod && e.key.toLowerCase() === 'w')) props.onCloseTab(k)
    else handled = false
    if (handled) e.preventDefault()
  }

  const short = tabTitles(tabs.map((t) => t.session))
  return (
    <nav
      className="tabs"
      role="tablist"
      aria-label="Open arrays"
      ref={props.stripRef}
      data-testid="tab-strip"
      data-workspace={props.workspace}
    >
      {tabs.map((t, k) => (
        <span
          key={t.session.session}
          ref={(el) => {
            items.current[k] = el
          }}
          className={k === active ? 'tab active' : 'tab'}
          role="tab"
          data-index={k}
          aria-selected={k === active}
          aria-keyshortcuts="Delete Control+W"
          tabIndex={k === stop ? 0 : -1}
          onKeyDown={(e) => onKeyDown(e, k)}
          onFocus={() => setFocus(k)}
        >
          {/* the mouse's targets; the keyboard reaches them through the tab itself */}
          <button
            className="tab-title"
            tabIndex={-1}
            title={tabTitle(t.session, true)}
            onClick={() => props.onSelect(k)}
          >
            {short[k]}
            {t.session.mode === 'c' ? ' (private copy)' : ''}
          </button>
          <button
            className="tab-close"
            tabIndex={-1}
            aria-label={`close ${tabTitle(t.session, true)}`}
            onClick={() => props.onCloseTab(k)}
          >
            ×
          </button>
        </span>
      ))}
    </nav>
  )
}

/** The tab the keyboard is on in the strip, if the focus is there (Electron's Ctrl+W menu item closes it). */
export function focusedTab(): number | null {
  const el = document.activeElement?.closest('[role=tab][data-index]')
  return el instanceof HTMLElement ? Number(el.dataset.index) : null
}
