// Export via numpy's tofile semantics: the whole array, the current view or the selection; raw (optionally
// cast, with a layout sidecar), text with sep/format, .npy, CSV. Progress and cancel; a cancelled or failed
// export leaves nothing behind.
import { useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { api } from '../../transport'
import { ProgressLine, started, useProgress } from '../progress/progress-line'
import type { ScanScope } from '../stats/stats-panel'

export interface ExportScopes {
  view: ScanScope
  /** The selection as [start, stop) per axis of the current view, or null. */
  selection: { scope: ScanScope; ranges: [number, number][] } | null
}

export function ExportDialog(props: {
  session: SessionInfo
  scopes: ExportScopes
  onClose: () => void
}): React.JSX.Element {
  const { session } = props
  const base = (session.text?.path ?? session.path).replace(/\.[^./\\]*$/, '')
  // a typed slice is what the user is looking at: that is what goes out unless they choose otherwise
  const [scope, setScope] = useState<'array' | 'view' | 'selection'>(props.scopes.view.slice ? 'view' : 'array')
  const [as, setAs] = useState<'raw' | 'text' | 'npy' | 'csv'>('npy')
  const [out, setOut] = useState(`${base}-export.npy`)
  const [sep, setSep] = useState(' ')
  const [fmt, setFmt] = useState('')
  const [toDtype, setToDtype] = useState('')
  const [sidecar, setSidecar] = useState(true)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const scanId = `export-${session.session}`

  const [progress, setProgress] = useProgress('export:progress', scanId)

  const setFormat = (f: typeof as): void => {
    setAs(f)
    setOut(
      (o) => o.replace(/\.(npy|bin|raw|txt|csv)$/, '') + { npy: '.npy', raw: '.bin', text: '.txt', csv: '.csv' }[f]
    )
  }

  const run = (overwrite = false): void => {
    const target =
      scope === 'array'
        ? {}
        : scope === 'view'
          ? props.scopes.view
          : { ...props.scopes.selection!.scope, ranges: props.scopes.selection!.ranges }
    setMessage(null)
    setProgress(started(scanId))
    api
      .invoke('export:run', {
        session: session.session,
        scanId,
        ...target,
        out,
        as,
        ...(as === 'text' ? { sep } : {}),
        ...((as === 'text' || as === 'csv') && fmt ? { fmt } : {}),
        ...((as === 'raw' || as === 'npy') && toDtype ? { toDtype } : {}),
        ...(as === 'raw' ? { sidecar } : {}),
        overwrite
      })
      .then((r) => setMessage({ ok: true, text: `wrote ${r.bytes.toLocaleString('en-US')} bytes to ${r.out}` }))
      .catch((e: Error & { code?: string }) => {
        if (e.code === 'exists' && window.confirm(`${e.message}\n\nReplace it?`)) return run(true)
        setMessage({ ok: false, text: e.message })
      })
      .finally(() => setProgress(null))
  }

  return (
    <div className="recipe export-dialog" role="dialog" aria-label="Export">
      <h2>Export</h2>
      <div className="form-grid">
        <label>
          what
          <select name="export-scope" value={scope} onChange={(e) => setScope(e.target.value as typeof scope)}>
            <option value="array">the whole array</option>
            <option value="view">the current view</option>
            {props.scopes.selection && <option value="selection">the selection</option>}
          </select>
        </label>
        <label>
          as
          <select name="export-as" value={as} onChange={(e) => setFormat(e.target.value as typeof as)}>
            <option value="npy">.npy</option>
            <option value="raw">raw binary (tofile)</option>
            <option value="text">text (tofile with sep)</option>
            <option value="csv">CSV (1-D or 2-D)</option>
          </select>
        </label>
        <label className="wide">
          to file
          <input name="export-out" value={out} onChange={(e) => setOut(e.target.value)} spellCheck={false} />
        </label>
        {as === 'text' && (
          <label>
            sep
            <input name="export-sep" value={sep} onChange={(e) => setSep(e.target.value)} />
          </label>
        )}
        {(as === 'text' || as === 'csv') && (
          <label>
            format
            <input
              name="export-fmt"
              value={fmt}
              onChange={(e) => setFmt(e.target.value)}
              placeholder="%.6g (empty: str)"
            />
          </label>
        )}
        {(as === 'raw' || as === 'npy') && (
          <label>
            cast to dtype
            <input
              name="export-to-dtype"
              value={toDtype}
              onChange={(e) => setToDtype(e.target.value)}
              placeholder="(unchanged)"
            />
          </label>
        )}
        {as === 'raw' && (
          <label>
            <input type="checkbox" checked={sidecar} onChange={(e) => setSidecar(e.target.checked)} /> write a layout
            sidecar
          </label>
        )}
      </div>
      <div className="row">
        <button onClick={() => run()} disabled={progress !== null}>
          Export
        </button>
        {progress !== null && (
          <>
            <ProgressLine progress={progress} testId="export-progress" />
            <button onClick={() => void api.invoke('export:cancel', { scanId })}>Cancel</button>
          </>
        )}
        <button onClick={props.onClose}>Close</button>
      </div>
      {message && (
        <div className={message.ok ? 'validation ok' : 'validation bad'} data-testid="export-message">
          {message.text}
        </div>
      )}
    </div>
  )
}
