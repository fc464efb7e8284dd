import type { SessionInfo } from '../../shared/contract'
import { formatShape } from '../../shared/layout'
import type { CursorInfo } from './state/cursor'
import { formatBytes } from './format'

export function StatusBar(props: { session: SessionInfo | null; cursor: CursorInfo | null }): React.JSX.Element {
  const { session, cursor } = props
  if (!session) return <footer className="status-bar">No file open</footer>
  const l = session.layout
  return (
    <footer className="status-bar" data-testid="status-bar">
      {session.array && (
        <span data-testid="status-array" title={session.array.container}>
          {session.array.name}
          {session.array.blocks ? ` · ${session.array.blocks.quant} dequantized` : ''}
          {session.array.chunks
            ? ` · chunked${session.array.filters?.length ? ` (${session.array.filters.join(' + ')})` : ''}`
            : session.array.decompressed
              ? ' · decompressed copy'
              : ''}
          {session.array.scaling
            ? session.array.scaling.applied
              ? ` · scaled (${session.array.scaling.source})`
              : ` · stored ${session.array.scaling.stored}`
            : ''}
        </span>
      )}
      {session.text && (
        <span data-testid="status-text" title={session.text.path}>
          text · separated by {session.text.sep.trim() ? `'${session.text.sep}'` : 'whitespace'} · parsed copy
        </span>
      )}
      <span>{l.dtype.length > 40 ? 'record' : l.dtype}</span>
      <span>shape {formatShape(l.shape)}</span>
      {cursor?.viewShape && <span data-testid="view-shape">view {formatShape(cursor.viewShape)}</span>}
      <span>order {l.order}</span>
      <span>offset {session.array ? session.array.stored.offset : l.offset}</span>
      <span>{formatBytes(session.text?.size ?? session.fileSize)}</span>
      <span>mode {session.mode}</span>
      {cursor && (
        <>
          <span data-testid="cursor">
            cell ({cursor.cell[0]}, {cursor.cell[1]})
          </span>
          <span data-testid="element-index" title="the element's index in the sliced view and in the whole array">
            {cursor.viewShape
              ? `view (${cursor.index.join(', ')}) · array (${cursor.arrayIndex.join(', ')})`
              : `element (${cursor.index.join(', ')})`}
          </span>
        </>
      )}
    </footer>
  )
}
