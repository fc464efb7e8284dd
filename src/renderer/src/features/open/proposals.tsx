// Candidate layouts from the solver, best first; one click applies one to the form.
import { useEffect, useState } from 'react'
import type { CandidateLayout } from '../../../../shared/contract'
import { formatShape } from '../../../../shared/layout'
import { api } from '../../transport'

export function Proposals(props: {
  path: string
  onApply: (c: CandidateLayout) => void
  /** The candidates arrived (the form preselects the best). */
  onLoaded?: (candidates: CandidateLayout[]) => void
}): React.JSX.Element | null {
  const [candidates, setCandidates] = useState<CandidateLayout[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    setCandidates(null)
    setError(null)
    let live = true
    api
      .invoke('file:propose', { path: props.path })
      .then((r) => {
        if (!live) return
        setCandidates(r.candidates)
        props.onLoaded?.(r.candidates)
      })
      .catch((e: Error) => live && setError(e.message))
    return () => {
      live = false
    }
  }, [props.path]) // eslint-disable-line react-hooks/exhaustive-deps
  if (error) return <div className="validation bad">{error}</div>
  if (!candidates) return <div className="muted">Proposing layouts…</div>
  if (!candidates.length) return null
  return (
    <div className="proposals" data-testid="proposals">
      <div className="muted">Proposed layouts (from the size, the name and the data):</div>
      <ol>
        {candidates.slice(0, 6).map((c, k) => (
          <li key={k}>
            <button type="button" onClick={() => props.onApply(c)} data-testid={`proposal-${k}`}>
              Use
            </button>{' '}
            <code>
              {c.dtype} {formatShape(c.shape)} offset {c.offset}
            </code>{' '}
            <span className="muted">
              score {c.score.toFixed(1)} — {c.reasons.join('; ')}
            </span>
          </li>
        ))}
      </ol>
    </div>
  )
}
