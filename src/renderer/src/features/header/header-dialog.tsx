// The .npy header editor: dtype, shape and fortran_order, rewritten in place (undoable). Changes whose
// data size no longer matches the file are refused, as are headers that would no longer fit before the data.
import { useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { parseShape } from '../../../../shared/layout'
import { api } from '../../transport'

export function HeaderDialog(props: { session: SessionInfo; onClose: () => void }): React.JSX.Element {
  const l = props.session.layout
  const [dtype, setDtype] = useState(l.dtype)
  const [shape, setShape] = useState(l.shape.join(', '))
  const [fortran, setFortran] = useState(l.order === 'F')
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const apply = (): void => {
    let dims: number[]
    try {
      dims = parseShape(shape) ?? []
    } catch (e) {
      return setMessage({ ok: false, text: (e as Error).message })
    }
    api
      .invoke('npy:header', { session: props.session.session, dtype: dtype.trim(), shape: dims, fortranOrder: fortran })
      .then(() => setMessage({ ok: true, text: 'header rewritten (Undo restores it; Flush writes it in r+)' }))
      .catch((e: Error) => setMessage({ ok: false, text: e.message }))
  }
  return (
    <div className="recipe" role="dialog" aria-label=".npy header">
      <h2>.npy header</h2>
      <div className="form-grid">
        <label>
          dtype
          <input name="header-dtype" value={dtype} onChange={(e) => setDtype(e.target.value)} spellCheck={false} />
        </label>
        <label>
          shape
          <input name="header-shape" value={shape} onChange={(e) => setShape(e.target.value)} />
        </label>
        <label>
          <input
            type="checkbox"
            name="header-fortran"
            checked={fortran}
            onChange={(e) => setFortran(e.target.checked)}
          />{' '}
          fortran_order
        </label>
      </div>
      <div className="row">
        <button onClick={apply}>Apply</button>
        <button onClick={props.onClose}>Close</button>
      </div>
      {message && (
        <div className={message.ok ? 'validation ok' : 'validation bad'} data-testid="header-message">
          {message.text}
        </div>
      )}
    </div>
  )
}
