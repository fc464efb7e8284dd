// The data inspector: the bytes at the cursor decoded as every type the engine knows, in both byte orders,
// plus their ASCII/UTF-8 text. Values are editable in r+ and c (one undoable edit each); read-only in r.
import { useEffect, useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { TYPES, makeScalar } from '../../../../shared/dtypes'
import { api } from '../../transport'

const SPAN = 16

export function Inspector(props: { session: SessionInfo; offset: number }): React.JSX.Element {
  const { session, offset } = props
  // The bytes shown are those read at the cursor's offset: until they arrive no row is shown, so nothing is
  // typed over the previous offset's values. A draft belongs to the offset it was typed at and stays when the
  // bytes arrive (or are read again after another edit) until Enter writes it: under load the bytes of a new
  // cursor arrived after the user had typed, and wiped the draft.
  const [loaded, setLoaded] = useState<{ offset: number; bytes: Uint8Array } | null>(null)
  const [draftState, setDraftState] = useState<{ offset: number; values: Record<string, string> }>({
    offset,
    values: {}
  })
  const bytes = loaded?.offset === offset ? loaded.bytes : null
  const drafts = draftState.offset === offset ? draftState.values : {}
  const setDraft = (at: number, key: string, value: string | null): void =>
    setDraftState((d) => {
      if (value !== null) return { offset: at, values: { ...(d.offset === at ? d.values : {}), [key]: value } }
      if (d.offset !== at || !(key in d.values)) return d
      const values = { ...d.values }
      delete values[key]
      return { offset: at, values }
    })
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const [version, setVersion] = useState(0)
  const readOnly = session.mode === 'r'
  // an array whose bytes are not its values (quantized, a decompressed copy) says why instead
  const why = session.array?.readOnly
    ? `read-only: ${session.array.readOnly}`
    : 'read-only (mode r): reopen the file with r+ or c to edit'

  useEffect(
    () => api.on('session:edited', (e) => e.session === session.session && setVersion((v) => v + 1)),
    [session.session]
  )
  useEffect(() => {
    let live = true
    api
      .invoke('bytes:get', { session: session.session, offset, length: SPAN })
      .then((r) => live && setLoaded({ offset, bytes: r.bytes }))
      .catch((e: Error) => live && setMessage({ ok: false, text: e.message }))
    return () => {
      live = false
    }
  }, [session.session, offset, version])

  const rows: { key: string; label: string; text: string; write: (t: string) => Uint8Array }[] = []
  if (bytes) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    for (const type of TYPES) {
      if (type.size > bytes.length) continue
      for (const little of type.size === 1 ? [true] : [true, false]) {
        const dt = makeScalar(type, little)
        rows.push({
          key: dt.str,
          label: `${type.name}${type.size === 1 ? '' : little ? ' LE' : ' BE'}`,
          text: type.format(type.decode(view, 0, little)),
          write: (t) => {
            const out = new Uint8Array(type.size)
            type.encode(new DataView(out.buffer), 0, type.parse(t), little)
            return out
          }
        })
      }
    }
  }

  const commit = (key: string, write: (t: string) => Uint8Array): void => {
    const draft = drafts[key]
    if (draft === undefined) return // nothing typed: Enter leaves the bytes as they are
    try {
      const out = write(draft)
      api
        .invoke('edit:apply', { session: session.session, writes: [{ offset, bytes: out }] })
        .then(() => {
          setDraft(offset, key, null) // the value read back after the edit shows instead
          setMessage({ ok: true, text: `wrote ${out.length} bytes at ${offset}` })
        })
        .catch((e: Error) => setMessage({ ok: false, text: e.message }))
    } catch (e) {
      setMessage({ ok: false, text: (e as Error).message })
    }
  }

  const ascii = bytes ? Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('') : ''
  const utf8 = bytes ? new TextDecoder('utf-8', { fatal: false }).decode(bytes) : ''
  return (
    <div className="inspector" data-testid="inspector">
      <div className="muted">
        at byte {offset} (0x{offset.toString(16)}){readOnly ? ` — ${why}` : ''}
      </div>
      <table>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-type={r.key}>
              <th>{r.label}</th>
              <td>
                <input
                  value={drafts[r.key] ?? r.text}
                  readOnly={readOnly}
                  title={readOnly ? why : 'Enter writes the value'}
                  onChange={(e) => setDraft(offset, r.key, e.target.value)}
                  onKeyDown={(e) => e.key === 'Enter' && !readOnly && commit(r.key, r.write)}
                />
              </td>
            </tr>
          ))}
          <tr>
            <th>ASCII</th>
            <td data-testid="inspector-ascii">{ascii}</td>
          </tr>
          <tr>
            <th>UTF-8</th>
            <td>{Array.from(utf8, (ch) => (ch.charCodeAt(0) < 0x20 ? '·' : ch)).join('')}</td>
          </tr>
        </tbody>
      </table>
      {message && <div className={message.ok ? 'validation ok' : 'validation bad'}>{message.text}</div>}
    </div>
  )
}
