// The app opens read-only files in follow mode (issue 32: on by default in mode r), so another program's writes
// show as they come; the view bar's switch turns it off.
import type { Request } from '../../../shared/contract'

export function withFollow(r: Request<'session:open'>): Request<'session:open'> {
  return r.mode === 'r' ? { ...r, follow: true } : r
}
