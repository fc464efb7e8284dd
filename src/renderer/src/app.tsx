import { useEffect, useState } from 'react'
import type { AppInfo, SessionInfo } from '../../shared/contract'
import { OpenPanel } from './features/open/open-panel'
import { TableView } from './features/table/table-view'
import { StatusBar } from './status-bar'
import { api } from './transport'

export function App(): React.JSX.Element {
  const [info, setInfo] = useState<AppInfo | null>(null)
  const [session, setSession] = useState<SessionInfo | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [changed, setChanged] = useState(false)
  const [cursor, setCursor] = useState<[number, number] | null>(null)

  useEffect(() => {
    api
      .invoke('app:info', {})
      .then(async (appInfo) => {
        setInfo(appInfo)
        const initial = appInfo.initial
        if (initial) {
          try {
            setSession(await api.invoke('session:open', initial))
          } catch (e) {
            setError((e as Error).message)
          }
        }
      })
      .catch((e: Error) => setError(e.message))
  }, [])

  useEffect(() => {
    if (!session) return
    return api.on('session:changed', (p) => {
      if (p.session === session.session) setChanged(true)
    })
  }, [session])

  const close = (): void => {
    if (session) void api.invoke('session:close', { session: session.session }).catch(() => undefined)
    setSession(null)
    setChanged(false)
    setCursor(null)
  }

  return (
    <div className="app">
      <header className="toolbar">
        <span className="brand">ArrayScope</span>
        {session && (
          <>
            <span className="file-name" title={session.path}>
              {session.path}
              {session.mode === 'c' ? ' (private copy — the file is never written)' : ''}
            </span>
            <button onClick={close}>Close</button>
          </>
        )}
      </header>
      {error && (
        <div className="error-banner" role="alert">
          {error}
          <button onClick={() => setError(null)}>Dismiss</button>
        </div>
      )}
      {changed && (
        <div className="error-banner" role="alert">
          The file changed on disk (another program wrote or truncated it). Close and reopen it to see its current
          contents.
        </div>
      )}
      <main className="content">
        {session ? (
          <TableView key={session.session} session={session} onCursor={setCursor} />
        ) : info ? (
          <OpenPanel initialPath={info.initial?.path ?? ''} onOpened={setSession} />
        ) : (
          <div className="loading">Connecting…</div>
        )}
      </main>
      <StatusBar session={session} cursor={cursor} />
    </div>
  )
}
