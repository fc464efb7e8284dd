// The tools above the table: the Go to field (row, col or @byte offset) with the table's last message, and the
// find-by-condition bar for arrays whose values the scan kernels can compare.
import { useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import type { SliceOrigin } from '../../../../shared/slice'
import type { DType } from '../../../../shared/structured'
import { ConditionBar } from './condition-bar'
import type { Message } from './use-cell-edit'

export function TableTools(props: {
  session: SessionInfo
  dtype: DType
  slice: string
  shape: number[]
  sliceError: string | null
  origin: SliceOrigin
  message: Message
  tilesError: string | null
  /** The element under the cursor (view indices). */
  cursorIndex: number[]
  onGoTo: (text: string) => void
  onFound: (index: number[]) => void
}): React.JSX.Element {
  const { message, origin } = props
  const [goTo, setGoTo] = useState('')
  const submitGoTo = (e: React.FormEvent): void => {
    e.preventDefault()
    props.onGoTo(goTo)
  }
  return (
    <>
      <form className="table-tools" onSubmit={submitGoTo}>
        <label>
          Go to
          <input
            name="goto"
            value={goTo}
            onChange={(e) => setGoTo(e.target.value)}
            placeholder="row, col  or  @byte offset"
            spellCheck={false}
          />
        </label>
        <button type="submit">Go</button>
        {message && (
          <span className={message.ok ? 'validation ok' : 'validation bad'} role="status" data-testid="table-message">
            {message.text}
          </span>
        )}
        {props.tilesError && (
          <span className="validation bad" role="alert">
            {props.tilesError}
          </span>
        )}
      </form>
      {realValued(props.dtype) && props.sliceError === null && (
        <ConditionBar
          session={props.session}
          slice={props.slice}
          shape={props.shape}
          cursor={props.cursorIndex}
          onFound={props.onFound}
          describe={(index) =>
            origin.identity
              ? `at (${index.join(', ')})`
              : `at view (${index.join(', ')}) · array (${origin.arrayIndex(index).join(', ')})`
          }
        />
      )}
    </>
  )
}

/** Whether the kernels can scan this dtype's values (real numbers and bools; not complex, records, strings). */
function realValued(dtype: DType): boolean {
  return (
    dtype.kind === 'scalar' &&
    ['int', 'uint', 'float', 'bool'].includes(dtype.type.kind) &&
    !dtype.type.name.startsWith('longdouble')
  )
}
