// Undo, Redo and (r+ and w+) Flush of the active tab's edits, with the unflushed-edits mark.
import type { EditState, SessionInfo } from '../../shared/contract'
import { api } from './transport'

export function EditTools(props: {
  session: SessionInfo
  edits: EditState
  onError: (message: string) => void
}): React.JSX.Element {
  const { session, edits } = props
  const run = (channel: 'edit:undo' | 'edit:redo' | 'edit:flush'): void =>
    void api.invoke(channel, { session: session.session }).catch((e: Error) => props.onError(e.message))
  return (
    <span className="edit-tools">
      <button disabled={!edits.canUndo} onClick={() => run('edit:undo')}>
        Undo
      </button>
      <button disabled={!edits.canRedo} onClick={() => run('edit:redo')}>
        Redo
      </button>
      {session.mode !== 'c' && (
        <>
          {edits.dirty && (
            <span className="dirty" data-testid="dirty">
              ● unflushed edits
            </span>
          )}
          <button disabled={!edits.dirty} onClick={() => run('edit:flush')}>
            Flush
          </button>
        </>
      )}
    </span>
  )
}
