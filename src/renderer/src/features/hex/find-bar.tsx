// Find in the hex view: a hex pattern (?? wildcards), text, or a typed value ("3.5 as <f4", optionally within
// a tolerance), searched natively over the whole file from the cursor, forwards or backwards, going round the
// end; progress and cancel for big files. A match moves the cursor there.
import { useRef, useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { api } from '../../transport'
import { useSearchRun, wrappedNote } from '../progress/search-run'

type Kind = 'hex' | 'text' | 'value'

const PLACEHOLDER: Record<Kind, string> = {
  hex: 'DE AD ?? EF',
  text: 'text (UTF-8)',
  value: '3.5 as <f4'
}

export function FindBar(props: {
  session: SessionInfo
  /** The cursor's byte offset: searches start here. */
  cursor: number
  onFound: (match: { offset: number; length: number }) => void
}): React.JSX.Element {
  const { session, cursor } = props
  const scanId = `find-${session.session}`
  const [kind, setKind] = useState<Kind>('hex')
  const [text, setText] = useState('')
  const [tolerance, setTolerance] = useState('')
  const [aligned, setAligned] = useState(false)
  const { running, setStatus, search, tail } = useSearchRun(scanId, 'find')
  // the last match: "next" from it starts one byte further, so that it is not found again
  const last = useRef<{ offset: number; length: number } | null>(null)

  const run = (backwards: boolean): void => {
    if (!text) return setStatus({ ok: false, text: 'type what to find' })
    const tol = kind === 'value' && tolerance.trim() !== '' ? Number(tolerance) : undefined
    if (tol !== undefined && !(tol >= 0)) {
      return setStatus({ ok: false, text: `the tolerance must be a number >= 0, not '${tolerance}'` })
    }
    const onMatch = last.current?.offset === cursor
    const start = backwards ? cursor : onMatch ? cursor + 1 : cursor
    search(
      () =>
        api.invoke('find:run', {
          session: session.session,
          scanId,
          kind,
          text,
          ...(tol !== undefined ? { tolerance: tol } : {}),
          aligned,
          start,
          backwards,
          wrap: true
        }),
      (r) => {
        if (r.offset === null) {
          last.current = null
          return setStatus({ ok: false, text: 'not found' })
        }
        last.current = { offset: r.offset, length: r.length }
        setStatus({ ok: true, text: `at ${r.offset} (0x${r.offset.toString(16)})${wrappedNote(r.wrapped, backwards)}` })
        props.onFound({ offset: r.offset, length: r.length })
      }
    )
  }

  return (
    <form
      className="hex-tools"
      data-testid="find-bar"
      onSubmit={(e) => {
        e.preventDefault()
        run(false)
      }}
    >
      <select
        name="find-kind"
        value={kind}
        onChange={(e) => {
          const k = e.target.value as Kind
          setKind(k)
          setAligned(k === 'value')
        }}
      >
        <option value="hex">hex</option>
        <option value="text">text</option>
        <option value="value">value</option>
      </select>
      <input
        name="find-text"
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={PLACEHOLDER[kind]}
        size={16}
      />
      {kind === 'value' && (
        <input
          name="find-tolerance"
          value={tolerance}
          onChange={(e) => setTolerance(e.target.value)}
          placeholder="± tolerance"
          size={8}
          title="finds values within this distance (empty: the exact bytes)"
        />
      )}
      <label title="only at the array's element boundaries">
        <input type="checkbox" name="find-aligned" checked={aligned} onChange={(e) => setAligned(e.target.checked)} />
        aligned
      </label>
      <button type="submit" disabled={running}>
        Find next
      </button>
      <button type="button" disabled={running} onClick={() => run(true)}>
        Previous
      </button>
      {tail}
    </form>
  )
}
