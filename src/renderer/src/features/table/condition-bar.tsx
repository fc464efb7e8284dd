// Find by condition in the table: the next (or previous) element of the sliced array, in C order from the
// cursor, that is NaN, ±Inf, above or below a value, equal to it, or larger in magnitude — searched natively
// over the whole array (every axis, not only the 2-D view shown) with progress and Cancel, going round the end.
// The hex view's find looks for bytes; this one looks at values.
import { useState } from 'react'
import type { Request, SessionInfo } from '../../../../shared/contract'
import { api } from '../../transport'
import { useSearchRun, wrappedNote } from '../progress/search-run'

type Condition = Request<'find:condition'>['condition']

const LABELS: Record<Condition, string> = {
  nan: 'NaN',
  inf: '±Inf',
  gt: 'value >',
  lt: 'value <',
  eq: 'value ==',
  absgt: '|value| >'
}

/** Flat C-order index of an element of an array of this shape, and back. */
export function flatIndex(index: readonly number[], shape: readonly number[]): number {
  return index.reduce((acc, i, k) => acc * shape[k]! + i, 0)
}
export function unflatIndex(flat: number, shape: readonly number[]): number[] {
  const out = shape.map(() => 0)
  for (let k = shape.length - 1; k >= 0; k--) {
    const n = shape[k]!
    out[k] = n ? flat % n : 0
    flat = n ? Math.floor(flat / n) : 0
  }
  return out
}

export function ConditionBar(props: {
  session: SessionInfo
  slice: string
  /** The sliced array's shape (the search covers all of it). */
  shape: number[]
  /** The cursor's element in the sliced array: searches start next to it. */
  cursor: number[]
  /** Where the match is: its index in the sliced array and in the whole array. */
  onFound: (index: number[]) => void
  describe: (index: number[]) => string
}): React.JSX.Element {
  const { session } = props
  const scanId = `condition-${session.session}`
  const [condition, setCondition] = useState<Condition>('nan')
  const [value, setValue] = useState('')
  const { running, setStatus, search, tail } = useSearchRun(scanId, 'condition')
  const needsValue = condition !== 'nan' && condition !== 'inf'

  const run = (backwards: boolean): void => {
    const x = Number(value)
    if (needsValue && (value.trim() === '' || !Number.isFinite(x)))
      return setStatus({ ok: false, text: `type a number to compare with, not '${value}'` })
    const here = flatIndex(props.cursor, props.shape)
    search(
      () =>
        api.invoke('find:condition', {
          session: session.session,
          scanId,
          ...(props.slice.trim() ? { slice: props.slice } : {}),
          condition,
          ...(needsValue ? { value: x } : {}),
          start: backwards ? here : here + 1,
          backwards,
          wrap: true
        }),
      (r) => {
        if (r.index === null)
          return setStatus({ ok: false, text: `no element is ${LABELS[condition]}${needsValue ? ` ${value}` : ''}` })
        const index = unflatIndex(r.index, props.shape)
        setStatus({ ok: true, text: `${props.describe(index)}${wrappedNote(r.wrapped, backwards)}` })
        props.onFound(index)
      }
    )
  }

  return (
    <form
      className="table-tools condition-bar"
      data-testid="condition-bar"
      onSubmit={(e) => {
        e.preventDefault()
        run(false)
      }}
    >
      <label>
        Find
        <select name="condition" value={condition} onChange={(e) => setCondition(e.target.value as Condition)}>
          {(Object.keys(LABELS) as Condition[]).map((c) => (
            <option key={c} value={c}>
              {LABELS[c]}
            </option>
          ))}
        </select>
      </label>
      {needsValue && (
        <input
          name="condition-value"
          aria-label="value to compare with"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="x"
          size={8}
          spellCheck={false}
        />
      )}
      <button type="submit" disabled={running} title="the next element after the cursor (C order, whole array)">
        Next
      </button>
      <button type="button" disabled={running} onClick={() => run(true)} title="the previous element">
        Previous
      </button>
      {tail}
    </form>
  )
}
