// Alt+G puts the keyboard in the table's grid from anywhere (the tab strip, a panel, a dialog's field): Ctrl+G is
// the browser's "find next", F6 and Alt+1… are the browser's own. The grid is the one with data-testid="grid"
// (in a comparison, A's).
import { useEffect } from 'react'

export const GRID_SHORTCUT = 'Alt+G'

export function useGridShortcut(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.code !== 'KeyG') return
      const grid = document.querySelector<HTMLElement>('[data-testid="grid"]')
      if (!grid) return
      e.preventDefault()
      grid.focus()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}
