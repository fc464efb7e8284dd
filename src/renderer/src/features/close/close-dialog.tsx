// Asked before a tab with unsaved edits closes. In r+ an edit is in the file's pages at once (numpy's r+), so
// "close and lose them" is only true because Discard puts every byte edited since the last flush back from the
// edit log; Flush writes them to disk. In mode c the edits live in a private copy that closing drops: Discard
// or Cancel. The choice is carried out by the Node side (session:close), which keeps the tab open if it fails.
import { useEffect, useRef, useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'

export type CloseChoice = 'flush' | 'discard' | 'cancel'

export function CloseDialog(props: {
  session: SessionInfo
  edits: number
  onChoose: (choice: CloseChoice) => Promise<void>
}): React.JSX.Element {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const cancel = useRef<HTMLButtonElement>(null)
  const copy = props.session.mode === 'c'
  useEffect(() => cancel.current?.focus(), [])
  const choose = (choice: CloseChoice): void => {
    setBusy(true)
    setError(null)
    props
      .onChoose(choice)
      .catch((e: Error) => setError(e.message))
      .finally(() => setBusy(false))
  }
  const name = props.session.path.split(/[\\/]/).pop()
  return (
    <div
      className="recipe close-dialog"
      role="alertdialog"
      aria-label="Close with unsaved edits"
      onKeyDown={(e) => e.key === 'Escape' && choose('cancel')}
    >
      <h2>{copy ? `Close ${name} with edits in its private copy?` : `${name} has edits that are not flushed`}</h2>
      <p data-testid="close-detail">
        {copy
          ? `Mode c keeps ${props.edits} edit(s) in a private copy that the file never sees: closing discards them.`
          : 'Flush writes them to the file. Discard puts back every byte edited since the last flush, so the file is as it was then.'}
      </p>
      <div className="row">
        {!copy && (
          <button disabled={busy} onClick={() => choose('flush')}>
            Flush
          </button>
        )}
        <button disabled={busy} onClick={() => choose('discard')}>
          Discard
        </button>
        <button ref={cancel} disabled={busy} onClick={() => choose('cancel')}>
          Cancel
        </button>
      </div>
      {error && (
        <div className="validation bad" role="alert" data-testid="close-error">
          {error}
        </div>
      )}
    </div>
  )
}
