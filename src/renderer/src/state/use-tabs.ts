// The window's tabs: one open session each, with its view, its cursor cell, its unsaved edits and its comparison.
// Opening, closing (asking Flush / Discard / Cancel when edits are unsaved), the Node side's change and edit
// events, and the scaled ⇄ stored switch all change this one list, so they live together.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { EditState, SessionInfo } from '../../../shared/contract'
import type { CloseChoice } from '../features/close/close-dialog'
import { api } from '../transport'
import type { CursorInfo } from './cursor'
import { releaseComparison, type Comparison } from './use-comparison'
import { defaultViewState } from './view-model'
import type { DerivedFrom, TabState } from './workspace'
import { withFollow } from './follow-request'

export interface Tab extends TabState {
  changed: boolean
  edits: EditState | null
  /** A comparison with another array (B), when one is on. */
  compare?: Comparison
}

export function useTabs(onError: (message: string) => void) {
  const [tabs, setTabs] = useState<Tab[]>([])
  const [active, setActive] = useState(-1) // -1: the open form
  const [cursor, setCursor] = useState<CursorInfo | null>(null)
  /** The session whose tab is asking Flush / Discard / Cancel. */
  const [closing, setClosing] = useState<string | null>(null)

  const opened = useCallback((s: SessionInfo, cell?: [number, number], derivedFrom?: DerivedFrom) => {
    setTabs((t) => {
      setActive(t.length)
      const tab: Tab = { session: s, view: defaultViewState(s.layout.shape), changed: false, edits: null, cell }
      return [...t, derivedFrom ? { ...tab, derivedFrom } : tab]
    })
  }, [])

  const activeRef = useRef(active)
  activeRef.current = active
  /** The table's cursor, also kept in its tab: a tab switched back to, reloaded or restored starts there. */
  const onCursor = useCallback((c: CursorInfo) => {
    setCursor(c)
    setTabs((ts) => {
      const t = ts[activeRef.current]
      if (!t || (t.cell?.[0] === c.cell[0] && t.cell?.[1] === c.cell[1])) return ts
      return ts.map((x, k) => (k === activeRef.current ? { ...x, cell: c.cell } : x))
    })
  }, [])

  useEffect(
    () =>
      api.on('session:changed', (p) =>
        setTabs((ts) => ts.map((t) => (t.session.session === p.session ? { ...t, changed: true } : t)))
      ),
    []
  )

  useEffect(
    () =>
      api.on('session:edited', (e) =>
        setTabs((ts) =>
          ts.map((t) =>
            t.session.session !== e.session
              ? t
              : e.info // a rewritten .npy header, or a followed file grown or replaced: a new layout
                ? {
                    ...t,
                    edits: e,
                    session: e.info,
                    changed: false,
                    // the same number of axes (a followed file grown): the view keeps its axes and slice
                    view:
                      e.info.layout.shape.length === t.session.layout.shape.length
                        ? t.view
                        : defaultViewState(e.info.layout.shape)
                  }
                : { ...t, edits: e }
          )
        )
      ),
    []
  )

  // Unsaved edits (unflushed in r+, any in c): the browser (or Electron, via will-prevent-unload) asks before the
  // page goes away. A page that goes anyway loses its connection, and the Node side discards them.
  const dirty = tabs.some((t) => t.edits?.unsaved)
  useEffect(() => {
    if (!dirty) return
    const onBeforeUnload = (e: BeforeUnloadEvent): void => e.preventDefault()
    window.addEventListener('beforeunload', onBeforeUnload)
    return () => window.removeEventListener('beforeunload', onBeforeUnload)
  }, [dirty])

  /** Removes a closed session's tab, keeping a neighbour active; a Compare tab's own B session closes with it. */
  const removeTab = (session: string): void => {
    const t = tabs.find((x) => x.session.session === session)
    releaseComparison(t?.compare)
    // a restored derived tab's own A and B
    for (const id of t?.owned ?? []) void api.invoke('session:close', { session: id }).catch(() => undefined)
    setTabs((ts) => {
      const k = ts.findIndex((x) => x.session.session === session)
      if (k < 0) return ts
      setActive((a) => (ts.length > 1 ? Math.max(0, Math.min(a > k ? a - 1 : a, ts.length - 2)) : -1))
      return ts.filter((_, j) => j !== k)
    })
    setCursor(null)
  }

  const closeTab = (k: number): void => {
    const t = tabs[k]
    if (!t) return
    if (t.edits?.unsaved) {
      setActive(k)
      setClosing(t.session.session)
      return
    }
    void api.invoke('session:close', { session: t.session.session }).catch(() => undefined)
    removeTab(t.session.session)
  }

  /** Carries out the close dialog's choice; a failed flush or discard keeps the tab (the dialog shows why). */
  const closeWith = async (session: string, choice: CloseChoice): Promise<void> => {
    if (choice !== 'cancel') {
      await api.invoke('session:close', { session, unflushed: choice })
      removeTab(session)
    }
    setClosing(null)
  }

  /** Reopens a tab's array with its other values (scaled ⇄ stored), keeping the view. */
  const toggleValues = async (k: number): Promise<void> => {
    const t = tabs[k]
    const a = t?.session.array
    if (!t || !a?.scaling) return
    try {
      const next = await api.invoke(
        'session:open',
        withFollow({
          path: a.container,
          layout: null,
          mode: t.session.mode,
          array: a.name,
          values: a.scaling.applied ? 'stored' : 'scaled'
        })
      )
      void api.invoke('session:close', { session: t.session.session }).catch(() => undefined)
      setTabs((ts) => ts.map((x, j) => (j === k ? { ...x, session: next, edits: null, changed: false } : x)))
      setCursor(null)
    } catch (e) {
      onError((e as Error).message)
    }
  }

  const setTab = (change: (t: Tab) => Tab): void => setTabs((ts) => ts.map((t, k) => (k === active ? change(t) : t)))

  return {
    tabs,
    setTabs,
    active,
    setActive,
    tab: active >= 0 ? tabs[active] : undefined,
    setTab,
    cursor,
    setCursor,
    onCursor,
    opened,
    closeTab,
    closeWith,
    closingTab: tabs.find((t) => t.session.session === closing),
    toggleValues
  }
}
