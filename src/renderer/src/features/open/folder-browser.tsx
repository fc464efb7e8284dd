// A folder's folders and files under the open form's path field: serve mode has no native dialog, and a
// folder typed into the field is listed instead of refused. Picking an entry puts its path in the field, so
// the form stays the one place a path is chosen (a folder lists itself, a file is probed as usual).
import { useEffect, useState } from 'react'
import type { DirListing } from '../../../../shared/dir-listing'
import { formatBytes } from '../../format'
import { api } from '../../transport'

export function FolderBrowser(props: {
  path: string
  onPick: (path: string) => void
  /** Whether the path is a folder that could be listed (the form then hides its "is a folder" error). */
  onListed: (listed: boolean) => void
}): React.JSX.Element | null {
  const [listing, setListing] = useState<DirListing | null>(null)
  const { path, onListed } = props
  useEffect(() => {
    let live = true
    api
      .invoke('dir:list', { path })
      .then((l) => {
        if (!live) return
        setListing(l)
        onListed(true)
      })
      .catch(() => {
        if (!live) return
        setListing(null)
        onListed(false)
      })
    return () => {
      live = false
    }
  }, [path, onListed])
  if (!listing) return null
  const join = (name: string): string => (listing.path.endsWith('/') ? listing.path + name : `${listing.path}/${name}`)
  return (
    <div className="folder-browser" data-testid="folder-browser">
      <div className="folder-path">
        Folder <code>{listing.path}</code> — pick a file to open
      </div>
      <ul role="list">
        {listing.parent !== null && (
          <li>
            <button type="button" className="link" onClick={() => props.onPick(listing.parent!)}>
              ↑ ..
            </button>
          </li>
        )}
        {listing.entries.map((e) => (
          <li key={e.name} data-kind={e.kind}>
            <button type="button" className="link" onClick={() => props.onPick(join(e.name))}>
              {/* no emoji: Debian's Chromium draws them as empty boxes */}
              {e.kind === 'dir' ? `${e.name}/` : e.name}
            </button>
            {e.kind === 'file' && <span className="muted"> {formatBytes(e.size)}</span>}
            {e.format && (
              <>
                {' '}
                <span className="format-tag">{e.format}</span>
              </>
            )}
          </li>
        ))}
        {listing.entries.length === 0 && <li className="muted">(empty folder)</li>}
        {listing.more > 0 && <li className="muted">… {listing.more} more not listed: type a name</li>}
      </ul>
    </div>
  )
}
