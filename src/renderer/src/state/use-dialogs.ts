// Which dialogs and side panels are shown. The dialogs are independent flags (any can be open over a tab);
// the panels (hex, analysis) are part of the saved workspace.
import { useCallback, useState } from 'react'
import type { Workspace } from '../../../shared/contract'

export type DialogName = 'recipe' | 'export' | 'header' | 'compare'
export type Panels = Workspace['panels']

export interface Dialogs {
  shown: Record<DialogName, boolean>
  show: (d: DialogName) => void
  hide: (d: DialogName) => void
  panels: Panels
  setPanels: (p: Panels) => void
  togglePanel: (p: keyof Panels) => void
}

export function useDialogs(): Dialogs {
  const [shown, setShown] = useState<Record<DialogName, boolean>>({
    recipe: false,
    export: false,
    header: false,
    compare: false
  })
  const [panels, setPanels] = useState<Panels>({ hex: false, analysis: false })
  // stable: the window's menu subscribes once
  const show = useCallback((d: DialogName) => setShown((s) => ({ ...s, [d]: true })), [])
  return {
    shown,
    show,
    hide: (d) => setShown((s) => ({ ...s, [d]: false })),
    panels,
    setPanels,
    togglePanel: (p) => setPanels((ps) => ({ ...ps, [p]: !ps[p] }))
  }
}
