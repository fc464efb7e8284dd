// Metadata as JSON with floats as Python prints them; a long array the listing shortened (a GGUF vocabulary of
// 150,000 tokens) is paged in, a thousand items per click, from the container itself.
import { useState } from 'react'
import type { JsonValue } from '../../../../shared/json-value'
import { metadataJson } from '../../../../shared/metadata-json'
import { api } from '../../transport'

const PAGE = 1000

/** How many items a shortened array had ("… 1000 items of string in all" closes it), or null. */
function fullLength(v: JsonValue): number | null {
  if (!Array.isArray(v)) return null
  const last = v[v.length - 1]
  const m = typeof last === 'string' ? /^… (\d+) items\b.* in all$/.exec(last) : null
  return m ? Number(m[1]) : null
}

export function MetadataView(props: {
  /** The container, when its top-level arrays can be paged in. */
  path?: string
  metadata: Record<string, JsonValue>
  testId: string
}): React.JSX.Element {
  const [loaded, setLoaded] = useState<Record<string, JsonValue[]>>({})
  const [error, setError] = useState<string | null>(null)
  const paged = Object.entries(props.metadata).flatMap(([key, v]) => {
    const total = fullLength(v)
    return total === null ? [] : [{ key, total, have: loaded[key]?.length ?? (v as JsonValue[]).length - 1 }]
  })
  const shown: Record<string, JsonValue> = { ...props.metadata }
  for (const p of paged) {
    const items = loaded[p.key] ?? (props.metadata[p.key] as JsonValue[]).slice(0, -1)
    shown[p.key] = p.have < p.total ? [...items, `… ${p.total - p.have} more of ${p.total}`] : items
  }
  const more = (key: string, have: number): void => {
    if (!props.path) return
    const first = (props.metadata[key] as JsonValue[]).slice(0, -1)
    api
      .invoke('container:metadata', { path: props.path, key, start: have, count: PAGE })
      .then((r) => setLoaded((l) => ({ ...l, [key]: [...(l[key] ?? first).slice(0, r.start), ...r.items] })))
      .catch((e: Error) => setError(e.message))
  }
  return (
    <>
      <pre data-testid={props.testId}>{metadataJson(shown, 1)}</pre>
      {props.path &&
        paged
          .filter((p) => p.have < p.total)
          .map((p) => (
            <button key={p.key} className="link" onClick={() => more(p.key, p.have)}>
              show {Math.min(PAGE, p.total - p.have)} more of {p.key} ({p.have} of {p.total} shown)
            </button>
          ))}
      {error && <div className="validation bad">{error}</div>}
    </>
  )
}
