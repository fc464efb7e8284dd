// A text array's pass in the view bar (issue 33): while the text is parsed the table grows as rows arrive
// (rows past the pass show as loading); the pass's progress, and its error when it stopped at a bad value.
import type { SessionInfo } from '../../../../shared/contract'

export function TextStatus(props: { session: SessionInfo }): React.JSX.Element | null {
  const text = props.session.text
  if (!text) return null
  if (text.error) {
    return (
      <span className="text-status bad" data-testid="text-status" role="alert">
        text stopped: {text.error}
      </span>
    )
  }
  if (!text.loading) return null
  const { bytes, total } = text.loading
  const percent = total > 0 ? Math.floor((100 * bytes) / total) : 100
  return (
    <span className="text-status" data-testid="text-status" role="status">
      parsing text {percent}% — {text.found.values.toLocaleString('en-US')} values so far{' '}
      <progress max={total} value={bytes} />
    </span>
  )
}
