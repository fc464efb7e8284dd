// A tab's comparison with another array (B). B is either another open tab or a file the Compare dialog opened
// for it ("owned"); an owned B has no tab of its own, so whoever ends the comparison (a new comparison, Stop,
// closing the tab) must close B's session, and only here does that happen.
import type { SessionInfo } from '../../../shared/contract'
import type { CompareChoice } from '../features/compare/compare-dialog'
import type { Tolerance } from '../features/compare/use-mismatches'
import { api } from '../transport'
import type { CursorInfo } from './cursor'
import type { ViewState } from './view-model'
import { sourceOf, type DerivedFrom } from './workspace'

export interface Comparison {
  b: SessionInfo
  /** B was opened for this comparison (closed with it). */
  owned: boolean
  tolerance: Tolerance
  sideBySide: boolean
}

interface Compared {
  session: SessionInfo
  view: ViewState
  compare?: Comparison
}

/** Closes B's session when the comparison opened it (a B that is another tab stays open). */
export function releaseComparison(c: Comparison | undefined): void {
  if (c?.owned) void api.invoke('session:close', { session: c.b.session }).catch(() => undefined)
}

export interface ComparisonActions {
  /** Starts (or replaces) the active tab's comparison, keeping its side-by-side choice. */
  start: (c: CompareChoice) => void
  stop: () => void
  setSideBySide: (on: boolean) => void
  /** Opens |A − B|, A − B or the ULP distance as a new tab, at the cursor's cell. */
  derive: (kind: 'absdiff' | 'diff' | 'ulp') => void
}

export function useComparison<T extends Compared>(
  tab: T | undefined,
  setTab: (change: (t: T) => T) => void,
  opened: (s: SessionInfo, cell?: [number, number], derivedFrom?: DerivedFrom) => void,
  cursor: CursorInfo | null,
  onError: (message: string) => void
): ComparisonActions {
  return {
    start: (c) => {
      releaseComparison(tab?.compare)
      setTab((t) => ({ ...t, compare: { ...c, sideBySide: t.compare?.sideBySide ?? false } }))
    },
    stop: () => {
      releaseComparison(tab?.compare)
      setTab((t) => ({ ...t, compare: undefined }))
    },
    setSideBySide: (on) => setTab((t) => (t.compare ? { ...t, compare: { ...t.compare, sideBySide: on } } : t)),
    derive: (kind) => {
      if (!tab?.compare) return
      const slice = tab.view.slice.trim() ? { slice: tab.view.slice } : {}
      // how to make it again after a reload, when these sessions are gone
      const from: DerivedFrom = { kind, ...slice, a: sourceOf(tab.session), b: sourceOf(tab.compare.b) }
      void api.invoke('session:derive', { a: tab.session.session, b: tab.compare.b.session, kind, ...slice }).then(
        (s) => opened(s, cursor?.cell, from),
        (e: Error) => onError(e.message)
      )
    }
  }
}
