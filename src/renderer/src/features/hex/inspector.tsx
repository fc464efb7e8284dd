// The data inspector: the bytes at the cursor decoded as every type the engine knows, in both byte orders,
// plus their ASCII/UTF-8 text. Values are editable in r+ and c (one undoable edit each); read-only in r.
import { useEffect, useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { TYPES, makeScalar } from '../../../../shared/dtypes'
import { api } from '../../transport'

const SPAN = 16

export function Inspector(props: { session: SessionInfo; offset: number }): React.JSX.Element {
  const { session, offset } = props
  const [bytes, setBytes] = useState<Uint8Array | null>(null)
  const [drafts, setDrafts] = useState<Record<string, string>>({})
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
      .then((r) => {
        if (!live) return
        setBytes(r.bytes)
        setDrafts({})
      })
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
    try {
      const out = write(drafts[key] ?? '')
      api
        .invoke('edit:apply', { session: session.session, writes: [{ offset, bytes: out }] })
        .then(() => setMessage({ ok: true, text: `wrote ${out.length} bytes at ${offset}` }))
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
                  onChange={(e) => setDrafts({ ...drafts, [r.key]: e.target.value })}
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
