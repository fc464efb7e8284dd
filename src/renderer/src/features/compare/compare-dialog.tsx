// "Compare with…": choose B — another open tab, or a file (read with A's layout unless it has its own header,
// or an array of a container) — and np.isclose's tolerances (assert_allclose's defaults).
import { useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { api } from '../../transport'
import { initialCompare, rememberCompare } from './compare-memory'
import type { Tolerance } from './use-mismatches'

export interface CompareChoice {
  b: SessionInfo
  /** B was opened by this dialog (closed with the comparison). */
  owned: boolean
  tolerance: Tolerance
}

export function CompareDialog(props: {
  a: SessionInfo
  /** Other open tabs that can be B. */
  tabs: { session: SessionInfo; title: string }[]
  onCompare: (c: CompareChoice) => void
  onClose: () => void
}): React.JSX.Element {
  const { a } = props
  const [start] = useState(() => initialCompare(a, props.tabs))
  const [source, setSource] = useState<'tab' | 'file'>(start.source)
  const [tab, setTab] = useState(start.tab)
  const [path, setPath] = useState(start.path)
  const [array, setArray] = useState(start.array)
  const [offset, setOffset] = useState(start.offset)
  const [rtol, setRtol] = useState(start.rtol)
  const [atol, setAtol] = useState(start.atol)
  const [equalNan, setEqualNan] = useState(start.equalNan)
  const [message, setMessage] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const tolerance = (): Tolerance => {
    const r = Number(rtol)
    const t = Number(atol)
    if (rtol.trim() === '' || !(r >= 0) || !Number.isFinite(r))
      throw new Error(`rtol must be a number ≥ 0, not '${rtol}'`)
    if (atol.trim() === '' || !(t >= 0) || !Number.isFinite(t))
      throw new Error(`atol must be a number ≥ 0, not '${atol}'`)
    return { rtol: r, atol: t, equalNan }
  }

  /** B from a file: its own header or container array, else A's dtype, shape and order at the offset given. */
  const openFile = async (): Promise<SessionInfo> => {
    if (!path.trim()) throw new Error('type the path of the file to compare with')
    const probe = await api.invoke('file:probe', { path })
    if (probe.container) {
      if (!array.trim()) throw new Error(`${probe.path} is a container: name the array to compare with`)
      return api.invoke('session:open', { path, layout: null, mode: 'r', array: array.trim() })
    }
    const own = probe.npy ?? probe.sidecar
    const off = Number(offset)
    if (!own && !(Number.isSafeInteger(off) && off >= 0))
      throw new Error(`the offset must be an integer ≥ 0, not '${offset}'`)
    const layout = own ?? { dtype: a.layout.dtype, shape: a.layout.shape, offset: off, order: a.layout.order }
    return api.invoke('session:open', { path, layout, mode: 'r' })
  }

  const submit = (e: React.FormEvent): void => {
    e.preventDefault()
    setMessage(null)
    let tol: Tolerance
    try {
      tol = tolerance()
    } catch (err) {
      return setMessage((err as Error).message)
    }
    rememberCompare(a, { source, tab, path, array, offset, rtol, atol, equalNan })
    if (source === 'tab') {
      const b = props.tabs.find((t) => t.session.session === tab)
      if (!b) return setMessage('choose the tab to compare with')
      return props.onCompare({ b: b.session, owned: false, tolerance: tol })
    }
    setBusy(true)
    openFile()
      .then((b) => props.onCompare({ b, owned: true, tolerance: tol }))
      .catch((err: Error) => setMessage(err.message))
      .finally(() => setBusy(false))
  }

  return (
    <form className="recipe compare-dialog" role="dialog" aria-label="Compare" onSubmit={submit}>
      <h3>Compare {a.array?.name ?? a.path} with…</h3>
      <div className="form-grid">
        <label>
          <input
            type="radio"
            name="compare-source"
            checked={source === 'tab'}
            disabled={!props.tabs.length}
            onChange={() => setSource('tab')}
          />
          an open tab
        </label>
        <select
          name="compare-tab"
          value={tab}
          disabled={!props.tabs.length}
          onChange={(e) => {
            setTab(e.target.value)
            setSource('tab')
          }}
        >
          {props.tabs.map((t) => (
            <option key={t.session.session} value={t.session.session}>
              {t.title}
            </option>
          ))}
        </select>
        <label>
          <input type="radio" name="compare-source" checked={source === 'file'} onChange={() => setSource('file')} />a
          file
        </label>
        <input
          name="compare-path"
          value={path}
          onChange={(e) => {
            setPath(e.target.value)
            setSource('file')
          }}
          placeholder="path (.npy, raw with A's layout, or a container)"
          spellCheck={false}
        />
        <label>
          byte offset (raw)
          <input
            name="compare-offset"
            value={offset}
            onChange={(e) => {
              setOffset(e.target.value)
              setSource('file')
            }}
          />
        </label>
        <label>
          array (container)
          <input
            name="compare-array"
            value={array}
            onChange={(e) => {
              setArray(e.target.value)
              setSource('file')
            }}
          />
        </label>
        <label>
          rtol
          <input name="compare-rtol" value={rtol} onChange={(e) => setRtol(e.target.value)} />
        </label>
        <label>
          atol
          <input name="compare-atol" value={atol} onChange={(e) => setAtol(e.target.value)} />
        </label>
        <label>
          <input
            type="checkbox"
            name="compare-equal-nan"
            checked={equalNan}
            onChange={(e) => setEqualNan(e.target.checked)}
          />
          NaN equals NaN
        </label>
      </div>
      <div className="row">
        <button type="submit" disabled={busy}>
          Compare
        </button>
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
      </div>
      {message && (
        <div className="validation bad" data-testid="compare-message">
          {message}
        </div>
      )}
    </form>
  )
}
