// Follow mode's switch in the view bar (issue 32): on, another program's writes to a read-only file are shown
// as they come (the view re-reads what it shows, an inferred axis grows); off, they are reported as a change.
import { useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { api } from '../../transport'

export function FollowToggle(props: { session: SessionInfo }): React.JSX.Element | null {
  const { session } = props
  const [following, setFollowing] = useState(Boolean(session.following))
  const [error, setError] = useState<string | null>(null)
  if (session.mode !== 'r' || session.derived) return null
  return (
    <label className="follow-toggle" title="Show what other programs write to this file as they write it">
      <input
        type="checkbox"
        name="follow"
        checked={following}
        onChange={(e) => {
          const follow = e.target.checked
          // shown at once; put back if the service refuses
          setFollowing(follow)
          api
            .invoke('session:follow', { session: session.session, follow })
            .then((r) => {
              setFollowing(r.following)
              setError(null)
            })
            .catch((err: Error) => {
              setFollowing(!follow)
              setError(err.message)
            })
        }}
      />
      follow file{error ? ` — ${error}` : ''}
    </label>
  )
}
