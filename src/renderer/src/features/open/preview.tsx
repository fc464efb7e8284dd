// A thumbnail of the first rows and columns as the layout form would read them.
import { useEffect, useState } from 'react'
import type { LayoutSpecMsg } from '../../../../shared/contract'
import { decodeWindow, type DecodedWindow } from '../../../../shared/decode'
import { api } from '../../transport'

export function Preview(props: { path: string; layout: LayoutSpecMsg | null }): React.JSX.Element | null {
  const [win, setWin] = useState<DecodedWindow | null>(null)
  const key = JSON.stringify(props.layout)
  useEffect(() => {
    setWin(null)
    if (!props.layout) return
    let live = true
    const t = setTimeout(() => {
      api
        .invoke('file:preview', { path: props.path, layout: props.layout! })
        .then((r) => live && setWin(decodeWindow(r.bytes, r.dtype, r.rows, r.cols)))
        .catch(() => undefined)
    }, 120)
    return () => {
      live = false
      clearTimeout(t)
    }
  }, [props.path, key]) // eslint-disable-line react-hooks/exhaustive-deps
  if (!win || !props.layout) return null
  return (
    <table className="preview" data-testid="preview">
      <tbody>
        {Array.from({ length: win.rows }, (_, i) => (
          <tr key={i}>
            {Array.from({ length: win.cols }, (_, j) => (
              <td key={j}>{win.text(i, j)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  )
}
