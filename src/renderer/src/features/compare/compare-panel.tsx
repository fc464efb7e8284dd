// The result of comparing A (this tab) with B: assert_allclose's figures with "go to" on each maximum, the
// mismatches to step through (F3 / Shift+F3, fetched past the listed ones as needed), derived arrays to open
// (|A−B|, A−B, ULP distance), side by side, and a map of where the mismatches are (or of max |A−B|, mean
// A−B, max ULP distance) whose click goes there.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { DiffSummary, JsonFloat, SessionInfo } from '../../../../shared/contract'
import { pyFloatRepr } from '../../../../shared/json-value'
import { api } from '../../transport'
import { ProgressLine, started, useProgress } from '../progress/progress-line'
import { CompareMap, type MapKind } from './compare-map'
import type { Tolerance } from './use-mismatches'

const LISTED = 100

export function ravel(index: readonly number[], shape: readonly number[]): number {
  return index.reduce((flat, i, k) => flat * shape[k]! + i, 0)
}

export function unravel(flat: number, shape: readonly number[]): number[] {
  const out = shape.map(() => 0)
  for (let k = shape.length - 1; k >= 0; k--) {
    out[k] = flat % shape[k]!
    flat = Math.floor(flat / shape[k]!)
  }
  return out
}

// Python's repr of the float64 figure, as numpy's assert_allclose prints it
const figure = (x: JsonFloat | null): string => (x === null ? '—' : typeof x === 'number' ? pyFloatRepr(x) : x)

export function ComparePanel(props: {
  a: SessionInfo
  b: SessionInfo
  tolerance: Tolerance
  slice: string
  /** The table cursor's index in the (sliced) array, for stepping from it. */
  cursor: number[] | null
  onGoTo: (index: number[]) => void
  onDerive: (kind: 'absdiff' | 'diff' | 'ulp') => void
  sideBySide: boolean
  onSideBySide: (on: boolean) => void
  onClose: () => void
}): React.JSX.Element {
  const { a, b, tolerance, slice, cursor, onGoTo } = props
  const scanId = `compare-${a.session}`
  const [report, setReport] = useState<DiffSummary | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [status, setStatus] = useState<string | null>(null)
  const [mapKind, setMapKind] = useState<MapKind>('counts')
  const [progress, setProgress] = useProgress('scan:progress', scanId)
  const request = useCallback(
    (extra: { after?: number; before?: number; last?: boolean; max?: number }) =>
      api.invoke('diff:run', {
        scanId: `${scanId}-step`,
        a: a.session,
        b: b.session,
        ...(slice.trim() ? { slice } : {}),
        ...tolerance,
        ...extra
      }),
    [a.session, b.session, slice, tolerance, scanId]
  )

  useEffect(() => {
    setReport(null)
    setError(null)
    setProgress(started(scanId))
    api
      .invoke('diff:run', {
        scanId,
        a: a.session,
        b: b.session,
        ...(slice.trim() ? { slice } : {}),
        ...tolerance,
        max: LISTED,
        map: { rows: 128, cols: 256 },
        mapValues: true
      })
      .then(setReport, (e: Error) => setError(e.message))
      .finally(() => setProgress(null))
    return () => void api.invoke('scan:cancel', { scanId }).catch(() => undefined)
  }, [a.session, b.session, slice, tolerance, scanId, setProgress])

  // Where the last step went, until the cursor shows it: a second F3 pressed before the table has reported the
  // jump back as its cursor steps on from there, not again from the old cursor.
  const jumped = useRef<number | null>(null)
  useEffect(() => {
    jumped.current = null
  }, [cursor])

  /** The next (or previous) mismatch from the cursor: from the listed ones, else from another pass. */
  const step = useCallback(
    async (backwards: boolean): Promise<void> => {
      if (!report || report.mismatched === 0) return setStatus('no mismatches')
      const shape = report.shape
      const here = jumped.current ?? (cursor ? ravel(cursor, shape) : -1)
      const listed = report.mismatches.map((m) => ravel(m.index, shape))
      let target: number | undefined = backwards
        ? [...listed].reverse().find((f) => f < here)
        : listed.find((f) => f > here)
      const complete = listed.length === report.mismatched
      const beyond = backwards ? here > (listed.at(-1) ?? -1) : true
      if (target === undefined && !complete && beyond) {
        const r = await request(backwards ? { last: true, before: Math.max(0, here), max: 1 } : { after: here, max: 1 })
        target = r.mismatches[0] ? ravel(r.mismatches[0].index, shape) : undefined
      }
      if (target === undefined)
        return setStatus(backwards ? 'no mismatch before the cursor' : 'no mismatch after the cursor')
      const index = unravel(target, shape)
      setStatus(`mismatch at (${index.join(', ')})`)
      jumped.current = target
      onGoTo(index)
    },
    [report, cursor, request, onGoTo]
  )

  // F3 / Shift+F3 anywhere: the listener stays, the step it calls is always this render's (the cursor of a
  // jump made a moment ago)
  const stepRef = useRef(step)
  stepRef.current = step
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'F3') return
      e.preventDefault()
      void stepRef.current(e.shiftKey).catch((err: Error) => setStatus(err.message))
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  /** A block of the map: to the first mismatch in it, or its first element. */
  const goToBlock = (r0: number, c0: number, r1: number, c1: number): void => {
    if (!report) return
    const shape = report.shape
    const rowLen = shape.length ? shape[shape.length - 1]! : 1
    const start = r0 * rowLen + c0
    void request({ after: start - 1, max: 1 })
      .then((r) => {
        const m = r.mismatches[0]
        const flat = m ? ravel(m.index, shape) : -1
        const inside = m && Math.floor(flat / rowLen) < r1 && flat % rowLen >= c0 && flat % rowLen < c1
        onGoTo(unravel(inside ? flat : start, shape))
      })
      .catch((e: Error) => setStatus(e.message))
  }

  const pct = report && report.total ? ((100 * report.mismatched) / report.total).toPrecision(3) : '0'
  return (
    <aside className="analysis compare-panel" data-testid="compare-panel">
      <div className="row">
        <strong>
          A: {a.array?.name ?? a.path.split(/[\\/]/).pop()} · B: {b.array?.name ?? b.path.split(/[\\/]/).pop()}
        </strong>
        <button onClick={props.onClose}>Close comparison</button>
      </div>
      <div className="muted">
        rtol {tolerance.rtol}, atol {tolerance.atol}, NaN {tolerance.equalNan ? 'equals' : 'differs from'} NaN
        {slice.trim() ? ` · slice ${slice}` : ''}
      </div>
      {progress && <ProgressLine progress={progress} testId="compare-progress" />}
      {error && <div className="validation bad">{error}</div>}
      {report && (
        <>
          <table className="stats-table">
            <tbody>
              <tr>
                <th>mismatched</th>
                <td data-testid="compare-mismatched">
                  {report.mismatched} / {report.total} ({pct}%)
                </td>
              </tr>
              <tr>
                <th>max |A − B|</th>
                <td>
                  <span data-testid="compare-max-abs">{figure(report.maxAbsDiff)}</span>{' '}
                  {report.maxAbsIndex && (
                    <button className="link" onClick={() => onGoTo(report.maxAbsIndex!)}>
                      go to ({report.maxAbsIndex.join(', ')})
                    </button>
                  )}
                </td>
              </tr>
              <tr>
                <th>max |A − B| / |B|</th>
                <td>
                  <span data-testid="compare-max-rel">{figure(report.maxRelDiff)}</span>{' '}
                  {report.maxRelIndex && (
                    <button className="link" onClick={() => onGoTo(report.maxRelIndex!)}>
                      go to ({report.maxRelIndex.join(', ')})
                    </button>
                  )}
                </td>
              </tr>
              <tr>
                <th>with NaN / ±inf</th>
                <td>
                  {report.nanMismatched} / {report.infMismatched}
                </td>
              </tr>
            </tbody>
          </table>
          <div className="row">
            <button onClick={() => void step(true)} title="Shift+F3">
              ◀ Previous
            </button>
            <button onClick={() => void step(false)} title="F3">
              Next ▶
            </button>
            <label>
              <input
                type="checkbox"
                checked={props.sideBySide}
                onChange={(e) => props.onSideBySide(e.target.checked)}
              />
              side by side
            </label>
            {status && (
              <span className="muted" data-testid="compare-status">
                {status}
              </span>
            )}
          </div>
          <div className="row">
            Open as a tab:
            <button onClick={() => props.onDerive('absdiff')}>|A − B|</button>
            <button onClick={() => props.onDerive('diff')}>A − B</button>
            <button onClick={() => props.onDerive('ulp')}>ULP distance</button>
          </div>
          {report.map && (
            <>
              <label>
                Map{' '}
                <select name="compare-map" value={mapKind} onChange={(e) => setMapKind(e.target.value as MapKind)}>
                  <option value="counts">mismatches</option>
                  <option value="abs">max |A − B|</option>
                  <option value="mean">mean A − B</option>
                  <option value="ulp">max ULP distance</option>
                </select>
              </label>
              <CompareMap map={report.map} kind={mapKind} shape={report.shape} onPick={goToBlock} />
            </>
          )}
          {report.mismatches.length > 0 && (
            <ol className="mismatch-list" data-testid="compare-mismatches">
              {report.mismatches.map((m) => (
                <li key={m.index.join(',')}>
                  <button className="link" onClick={() => onGoTo(m.index)}>
                    ({m.index.join(', ')})
                  </button>{' '}
                  {m.a} (A), {m.b} (B)
                </li>
              ))}
              {report.mismatched > report.mismatches.length && (
                <li className="muted">… {report.mismatched - report.mismatches.length} more (F3 steps through them)</li>
              )}
            </ol>
          )}
        </>
      )}
    </aside>
  )
}
