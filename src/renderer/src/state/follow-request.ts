// The app opens read-only files in follow mode (issue 32: on by default in mode r), so another program's writes
// show as they come; the view bar's switch turns it off.
import type { Request } from '../../../shared/contract'

export function withFollow(r: Request<'session:open'>): Request<'session:open'> {
  // a text array the app opens answers once its first rows are parsed and grows as the rest is (issue 33)
  const early = r.layout?.text ? { early: true } : {}
  return r.mode === 'r' ? { ...r, follow: true, ...early } : r
}
