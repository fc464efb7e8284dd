// A tab's name. An array of a container leads with the array's name (the tabs of one checkpoint differ there);
// the container is in the long form (the tooltip, the Compare dialog's list).
import type { SessionInfo } from '../../shared/contract'

export function tabTitle(s: SessionInfo, long: boolean): string {
  const base = (p: string): string => (long ? p : (p.split(/[\\/]/).pop() ?? p))
  if (s.derived) return `${s.derived.label} (${base(s.path)} vs ${base(s.derived.pathB)})`
  // a text array maps its parsed copy: the tab names the text
  if (s.text) return base(s.text.path)
  if (!s.array) return base(s.path)
  const note = s.array.chunks ? ' (chunked)' : s.array.decompressed ? ' (decompressed copy)' : ''
  return long ? `${s.array.name}${note} — ${s.array.container}` : `${s.array.name}${note}`
}
