// The sidebar of a container (safetensors, its sharded index, .npz, GGUF): its arrays as a tree — dotted tensor
// names and groups become folders, fetched a folder at a time so 100,000 tensors stay quick — with dtype, shape
// and size, a filter box, and the container's metadata. Choosing an array opens it in a tab; a deflated .npz
// member is decompressed to a temporary copy first (progress, Cancel), which the tab says.
import { useEffect, useRef, useState } from 'react'
import {
  ApiError,
  type ArrayInfo,
  type ContainerListing,
  type ModeName,
  type SessionInfo
} from '../../../../shared/contract'
import type { EntrySummary } from '../../../../shared/containers'
import { FORMAT_DESCRIPTORS } from '../../../../shared/containers/registry'
import { formatShape } from '../../../../shared/layout'
import { metadataJson } from '../../../../shared/metadata-json'
import { api } from '../../transport'
import { MetadataView } from './metadata-view'
import { withFollow } from '../../state/follow-request'

function size(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let k = 0
  while (v >= 1024 && k < units.length - 1) {
    v /= 1024
    k++
  }
  return k === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[k]}`
}

/** The type column: the stored type and, where values are computed from it, what they become. */
function typeLabel(e: EntrySummary): string {
  const short = (t: string): string => (t.startsWith('[') ? 'record' : t.replace(/^[<|]/, ''))
  if (e.decoding) return `${e.storedType}→f4`
  if (e.scaled?.initial === 'scaled') return `${short(e.dtype)}→${short(e.scaled.dtype)}`
  return short(e.dtype)
}

export function ContainerPanel(props: {
  path: string
  onOpened: (s: SessionInfo) => void
  onClose: () => void
  /** The active tab's array: its attributes are shown when it is one of this container's. */
  activeArray?: ArrayInfo
}): React.JSX.Element {
  const { path, activeArray } = props
  const [filter, setFilter] = useState('')
  const [applied, setApplied] = useState('')
  const [root, setRoot] = useState<ContainerListing | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [mode, setMode] = useState<ModeName>('r')
  const [busy, setBusy] = useState<{ name: string; scanId: string; done: number; total: number } | null>(null)
  /** A listing that decompresses the file first (a .fits.gz): its progress, shown once some arrives. */
  const [listing, setListing] = useState<{ scanId: string; done: number; total: number } | null>(null)
  const [showMeta, setShowMeta] = useState(false)
  /** Why the array just opened opened read-only, though another mode was chosen. */
  const [note, setNote] = useState<string | null>(null)

  useEffect(() => {
    const t = setTimeout(() => setApplied(filter), 150)
    return () => clearTimeout(t)
  }, [filter])

  useEffect(() => {
    let live = true
    const scanId = `list-${Math.random().toString(36).slice(2)}`
    setListing({ scanId, done: 0, total: 0 })
    api
      .invoke('container:list', { path, folder: [], filter: applied, limit: 2000, scanId })
      .then((r) => live && (setRoot(r), setError(null)))
      .catch((e: Error) => live && setError(e.message))
      .finally(() => live && setListing(null))
    return () => {
      live = false
    }
  }, [path, applied])

  useEffect(
    () =>
      api.on('scan:progress', (p) => {
        setBusy((b) => (b && p.scanId === b.scanId ? { ...b, done: p.done, total: p.total } : b))
        setListing((l) => (l && p.scanId === l.scanId ? { ...l, done: p.done, total: p.total } : l))
      }),
    []
  )

  const open = (e: EntrySummary): void => {
    if (e.unmappable || busy) return
    const scanId = `open-${Math.random().toString(36).slice(2)}`
    setBusy({ name: e.name, scanId, done: 0, total: 0 })
    setError(null)
    setNote(null)
    const request = { path, layout: null, array: e.name, scanId }
    api
      .invoke('session:open', withFollow({ ...request, mode }))
      .catch(async (err: Error) => {
        // an array that can only be read (chunked, scaled, quantized, a decompressed copy) opens read-only, saying
        // why, rather than not at all
        if (
          mode === 'r' ||
          !(err instanceof ApiError) ||
          err.code !== 'readonly' ||
          !/opens read-only/.test(err.message)
        )
          throw err
        const s = await api.invoke('session:open', withFollow({ ...request, mode: 'r' }))
        setNote(err.message.replace('opens read-only (mode r)', 'opened read-only (mode r)'))
        return s
      })
      .then(props.onOpened, (err: Error) => setError(err.message))
      .finally(() => setBusy(null))
  }

  const name = path.split(/[\\/]/).pop()
  return (
    <section className="container-panel" data-testid="container-panel" data-path={path}>
      <header className="container-head">
        <strong title={path}>{name}</strong>
        <button className="tab-close" aria-label={`close container ${path}`} onClick={props.onClose}>
          ×
        </button>
      </header>
      {root && (
        <div className="muted container-summary" data-testid="container-summary">
          {FORMAT_DESCRIPTORS[root.format].label} · {root.total.toLocaleString('en-US')}{' '}
          {root.total === 1 ? 'array' : 'arrays'} · {size(root.fileSize)}
        </div>
      )}
      <div className="container-tools">
        <input
          name="container-filter"
          placeholder="filter arrays by name"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          spellCheck={false}
        />
        <select
          name="container-mode"
          value={mode}
          onChange={(e) => setMode(e.target.value as ModeName)}
          title="how arrays open: r read only, r+ edit the file, c edit a private copy"
        >
          <option value="r">r</option>
          <option value="r+">r+</option>
          <option value="c">c</option>
        </select>
      </div>
      {busy && (
        <div className="container-busy" data-testid="container-busy">
          opening {busy.name}
          {busy.total > 0 && (
            <>
              {' '}
              — decompressing <progress max={busy.total} value={busy.done} />
            </>
          )}
          <button onClick={() => void api.invoke('scan:cancel', { scanId: busy.scanId })}>Cancel</button>
        </div>
      )}
      {listing && listing.total > 0 && (
        <div className="container-busy" data-testid="container-listing">
          decompressing <progress max={listing.total} value={listing.done} />
          <button onClick={() => void api.invoke('scan:cancel', { scanId: listing.scanId })}>Cancel</button>
        </div>
      )}
      {error && (
        <div className="validation bad container-message" role="alert">
          {error}
          <button className="tab-close" aria-label="dismiss" onClick={() => setError(null)}>
            ×
          </button>
        </div>
      )}
      {note && (
        <div className="muted container-message" role="status" data-testid="container-note">
          {note}
          <button className="tab-close" aria-label="dismiss" onClick={() => setNote(null)}>
            ×
          </button>
        </div>
      )}
      <div className="container-tree" data-testid="container-tree" role="tree">
        {root && <FolderBody path={path} listing={root} depth={0} onOpen={open} flat={applied.trim() !== ''} />}
        {root && root.more > 0 && (
          <div className="muted">
            … {root.more.toLocaleString('en-US')} more {applied ? 'matches: refine the filter' : 'arrays'}
          </div>
        )}
        {root && applied && root.matching === 0 && <div className="muted">no array matches '{applied}'</div>}
      </div>
      {root && activeArray?.container === root.path && activeArray.metadata && (
        // the open array's own attributes (units, long_name, scale_factor…), in view without a click
        <details className="container-meta" open data-testid="array-attributes">
          <summary>Attributes of {activeArray.name}</summary>
          <MetadataView metadata={activeArray.metadata} testId="array-metadata" />
        </details>
      )}
      {root && (
        <details className="container-meta" open={showMeta} onToggle={(e) => setShowMeta(e.currentTarget.open)}>
          <summary>Metadata</summary>
          {showMeta && <MetadataView path={root.path} metadata={root.metadata} testId="container-metadata" />}
        </details>
      )}
    </section>
  )
}

/** A long dotted or slashed name, allowed to wrap after its dots, slashes and underscores rather than mid-word. */
function breakable(name: string): React.ReactNode[] {
  return name.split(/(?<=[./_])/).flatMap((part, k) => (k ? [<wbr key={k} />, part] : [part]))
}

function FolderBody(props: {
  path: string
  listing: ContainerListing
  depth: number
  flat: boolean
  onOpen: (e: EntrySummary) => void
}): React.JSX.Element {
  const { listing, depth } = props
  return (
    <>
      {listing.folders.map((f) => (
        <Folder key={f.name} {...props} folder={[...listing.folder, f.name]} count={f.count} nbytes={f.nbytes} />
      ))}
      {listing.entries.map((e) => (
        <EntryRow key={e.name} entry={e} depth={depth} onOpen={props.onOpen} />
      ))}
    </>
  )
}

function EntryRow(props: { entry: EntrySummary; depth: number; onOpen: (e: EntrySummary) => void }): React.JSX.Element {
  const { entry: e, depth } = props
  const [attrs, setAttrs] = useState(false)
  const notes = [
    e.compressed ? 'deflated' : '',
    e.chunked ? 'chunked' : '',
    e.scaled ? (e.scaled.initial === 'scaled' ? 'scaled' : 'packed') : ''
  ].filter(Boolean)
  return (
    <>
      <div className="container-entry-row">
        <button
          role="treeitem"
          className={e.unmappable ? 'container-entry unmappable' : 'container-entry'}
          style={{ paddingLeft: 8 + depth * 14 }}
          data-testid="container-entry"
          data-name={e.name}
          title={
            e.unmappable
              ? `${e.name}: not mapped — ${e.unmappable}`
              : `${e.name}${e.scaled ? ` — ${e.scaled.source}` : ''}${e.chunked ? ' — chunked: read chunk by chunk into a temporary copy' : ''}`
          }
          onClick={() => props.onOpen(e)}
        >
          <span className="entry-label">{breakable(e.label)}</span>
          <span className="entry-type">{typeLabel(e)}</span>
          <span className="entry-shape">{formatShape(e.shape)}</span>
          <span className="entry-size">
            {size(e.nbytes)}
            {notes.length ? ` (${notes.join(', ')})` : ''}
          </span>
        </button>
        {e.metadata && (
          <button
            className="entry-attrs"
            aria-pressed={attrs}
            aria-label={`attributes of ${e.name}`}
            title="its attributes (header cards)"
            onClick={() => setAttrs(!attrs)}
          >
            attrs
          </button>
        )}
      </div>
      {attrs && e.metadata && (
        <pre className="entry-metadata" data-testid="entry-metadata" style={{ marginLeft: 8 + depth * 14 }}>
          {metadataJson(e.metadata, 1)}
        </pre>
      )}
    </>
  )
}

function Folder(props: {
  path: string
  folder: string[]
  count: number
  nbytes: number
  depth: number
  flat: boolean
  onOpen: (e: EntrySummary) => void
}): React.JSX.Element {
  const [open, setOpen] = useState(false)
  const [listing, setListing] = useState<ContainerListing | null>(null)
  const [error, setError] = useState<string | null>(null)
  const asked = useRef(false)
  useEffect(() => {
    if (!open || asked.current) return
    asked.current = true
    api
      .invoke('container:list', { path: props.path, folder: props.folder, limit: 2000 })
      .then(setListing, (e: Error) => setError(e.message))
  }, [open, props.path, props.folder])
  const label = props.folder[props.folder.length - 1]
  return (
    <div role="group">
      <button
        className="container-folder"
        role="treeitem"
        aria-expanded={open}
        style={{ paddingLeft: 8 + props.depth * 14 }}
        data-testid="container-folder"
        data-folder={props.folder.join('.')}
        onClick={() => setOpen(!open)}
      >
        <span className="entry-label">
          {open ? '▾' : '▸'} {label}
        </span>
        <span className="muted">
          {props.count.toLocaleString('en-US')} · {size(props.nbytes)}
        </span>
      </button>
      {open && error && <div className="validation bad">{error}</div>}
      {open && listing && <FolderBody {...props} listing={listing} depth={props.depth + 1} />}
      {open && listing && listing.more > 0 && (
        <div className="muted" style={{ paddingLeft: 22 + props.depth * 14 }}>
          … {listing.more.toLocaleString('en-US')} more: use the filter
        </div>
      )}
    </div>
  )
}
