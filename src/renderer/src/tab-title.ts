// A tab's name. An array of a container leads with the array's name (the tabs of one checkpoint differ there);
// the container is in the long form (the tooltip, the Compare dialog's list).
import type { SessionInfo } from '../../shared/contract'

/**
 * The short names of tabs side by side: an array's name where it is the only one so named, else followed by
 * its container's file name (two files' "/d (chunked)" were the same tab name).
 */
export function tabTitles(sessions: SessionInfo[]): string[] {
  const short = sessions.map((s) => tabTitle(s, false))
  const seen = new Map<string, number>()
  short.forEach((t) => seen.set(t, (seen.get(t) ?? 0) + 1))
  return short.map((t, k) => {
    const a = sessions[k]!.array
    return seen.get(t)! > 1 && a && !sessions[k]!.derived && !sessions[k]!.text
      ? `${t} · ${a.container.split(/[\\/]/).pop() ?? a.container}`
      : t
  })
}

export function tabTitle(s: SessionInfo, long: boolean): string {
  const base = (p: string): string => (long ? p : (p.split(/[\\/]/).pop() ?? p))
  if (s.derived) return `${s.derived.label} (${base(s.path)} vs ${base(s.derived.pathB)})`
  // a text array maps its parsed copy: the tab names the text
  if (s.text) return base(s.text.path)
  if (!s.array) return base(s.path)
  const note = s.array.chunks ? ' (chunked)' : s.array.decompressed ? ' (decompressed copy)' : ''
  return long ? `${s.array.name}${note} — ${s.array.container}` : `${s.array.name}${note}`
}
