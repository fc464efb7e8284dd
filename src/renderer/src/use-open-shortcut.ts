// Ctrl+O (⌘O) shows the open form, as "+ Open"'s tooltip says: Electron's menu does it in the window, this does
// it in a browser (serve mode), where the key would otherwise open the browser's own file dialog.
import { useEffect } from 'react'

export function useOpenShortcut(onOpen: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || e.key.toLowerCase() !== 'o') return
      e.preventDefault()
      onOpen()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onOpen])
}
