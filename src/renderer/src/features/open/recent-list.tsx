import { useEffect, useState } from 'react'
import type { RecentFile } from '../../../../shared/contract'
import { formatShape } from '../../../../shared/layout'
import { api } from '../../transport'

export function RecentList(props: { onPick: (path: string) => void }): React.JSX.Element | null {
  const [files, setFiles] = useState<RecentFile[]>([])
  useEffect(() => {
    api
      .invoke('recent:list', {})
      .then((r) => setFiles(r.files))
      .catch(() => undefined)
  }, [])
  if (!files.length) return null
  return (
    <div className="recent" data-testid="recent">
      <h2>Recent files</h2>
      <ul>
        {files.slice(0, 10).map((f) => (
          <li key={f.path}>
            <button type="button" className="link" onClick={() => props.onPick(f.path)}>
              {f.path}
            </button>{' '}
            <span className="muted">
              {f.layout.dtype.length > 30 ? 'record' : f.layout.dtype}{' '}
              {f.layout.shape ? formatShape(f.layout.shape) : ''}
            </span>
          </li>
        ))}
      </ul>
    </div>
  )
}
