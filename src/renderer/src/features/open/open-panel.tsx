// Opening a file: a path (typed, from the command line, or Electron's dialog) and a layout form validated
// live against the file's size with the same rules the Node side applies.
import { FORMAT_DESCRIPTORS, holdsOneArray } from '../../../../shared/containers/registry'
import { useEffect, useMemo, useRef, useState } from 'react'
import type { CandidateLayout, LayoutSpecMsg, ModeName, ProbeResult, SessionInfo } from '../../../../shared/contract'
import {
  formatShape,
  parseShape,
  resolveLayout,
  textRows,
  type Order,
  type TextLayout
} from '../../../../shared/layout'
import { formatBytes } from '../../format'
import { api, isElectron } from '../../transport'
import { FolderBrowser } from './folder-browser'
import { Preview } from './preview'
import { Proposals } from './proposals'
import { compressedContainer, holdsSeveral, noDtypeHint } from './container-hints'
import { RecentList } from './recent-list'
import { withFollow } from '../../state/follow-request'

const COMMON_DTYPES = [
  '<f4',
  '<f8',
  '>f4',
  '>f8',
  '<f2',
  'bfloat16',
  'u1',
  'i1',
  '<i2',
  '<u2',
  '<i4',
  '<i8',
  '<c8',
  '<c16',
  '?'
]

interface Form {
  dtype: string
  shape: string
  offset: string
  order: Order
  mode: ModeName
  /** A text file's separator as typed ('\\t' for a tab); '' reads bytes. */
  sep: string
  /** Header lines a text file skips. */
  skip: string
}

/** The text layout the form describes, or undefined for bytes. */
function textOf(f: Form): TextLayout | undefined {
  if (!f.sep) return undefined
  const skip = Number(f.skip) || 0
  return { sep: f.sep.replace(/\\t/g, '\t'), ...(skip > 0 ? { skip } : {}) }
}

export function OpenPanel(props: {
  initialPath: string
  onOpened: (s: SessionInfo) => void
  /** Shows a container's arrays in the sidebar. */
  onContainer: (path: string) => void
}): React.JSX.Element {
  const [path, setPath] = useState(props.initialPath)
  const [probe, setProbe] = useState<ProbeResult | null>(null)
  const [probeError, setProbeError] = useState<string | null>(null)
  /** The path is a folder, listed below the field (its "is a folder" error is not shown). */
  const [isFolder, setIsFolder] = useState(false)
  const [form, setForm] = useState<Form>({
    dtype: '<f4',
    shape: '',
    offset: '0',
    order: 'C',
    mode: 'r',
    sep: '',
    skip: ''
  })
  const [openError, setOpenError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  // a single-array file read through a temporary copy (a .nii.gz) decompresses first: its progress, and Cancel
  const [decoding, setDecoding] = useState<{ scanId: string; done: number; total: number } | null>(null)
  useEffect(
    () =>
      api.on('scan:progress', (p) =>
        setDecoding((d) => (d && p.scanId === d.scanId ? { ...d, done: p.done, total: p.total } : d))
      ),
    []
  )
  const [restored, setRestored] = useState(false)
  /** The form holds the solver's best proposal (applied for a raw file the user has not described yet). */
  const [proposed, setProposed] = useState(false)
  // whether the user typed into the layout fields since the file was probed: a proposal never overwrites that
  const touched = useRef(false)
  useEffect(() => setPath(props.initialPath), [props.initialPath])

  // Probe the file as the path is typed (debounced): size, and the layout a .npy header gives.
  useEffect(() => {
    setProbe(null)
    setProbeError(null)
    setIsFolder(false)
    if (!path.trim()) return
    const t = setTimeout(() => {
      api
        .invoke('file:probe', { path: path.trim() })
        .then((p) => {
          setProbe(p)
          setRestored(false)
          setProposed(false)
          touched.current = false
          // a file of several arrays (safetensors, HDF5, …) is opened as a container: its raw bytes get no
          // layout (neither a guess nor one it was once opened with), so Enter cannot open the container as bytes
          // a file of one array (NIfTI, NRRD, ENVI) opens with its header's layout: none typed, none proposed
          if (p.container || (!p.npy && !p.recent && !p.sidecar)) {
            // a raw file nobody described: no layout until the solver's best proposal arrives (a plausible-looking
            // default would open garbage a click away)
            setForm((f) => ({ ...f, dtype: '', shape: '', offset: '0', order: 'C', sep: '', skip: '' }))
          } else if (p.sidecar && !p.npy && !p.recent) {
            const l = p.sidecar
            setForm((f) => ({
              ...f,
              dtype: l.dtype,
              shape: (l.shape ?? []).join(', '),
              offset: String(l.offset),
              order: l.order
            }))
          } else if (p.recent && !p.npy) {
            const l = p.recent.layout
            setForm({
              dtype: l.dtype,
              shape: (l.shape ?? []).join(', '),
              offset: String(l.offset),
              order: l.order,
              mode: p.recent.mode,
              sep: '',
              skip: ''
            })
            setRestored(true)
          } else if (p.npy) {
            setForm((f) => ({
              ...f,
              dtype: p.npy!.dtype,
              shape: p.npy!.shape!.join(', '),
              offset: String(p.npy!.offset),
              order: p.npy!.order
            }))
          }
        })
        .catch((e: Error) => setProbeError(e.message))
    }, 150)
    return () => clearTimeout(t)
  }, [path])

  const specOrNull = (): LayoutSpecMsg | null => {
    try {
      const text = textOf(form)
      return {
        dtype: form.dtype.trim(),
        shape: parseShape(form.shape),
        offset: Number(form.offset) || 0,
        order: form.order,
        ...(text ? { text } : {})
      }
    } catch {
      return null
    }
  }

  const check = useMemo((): { ok: true; text: string } | { ok: false; text: string } => {
    const creating = form.mode === 'w+'
    if (!probe && !(creating && path.trim())) return { ok: false, text: '' }
    if (!form.dtype.trim() && probe?.container && holdsOneArray(probe.container) && !creating)
      return { ok: true, text: `its header gives the layout` }
    if (!form.dtype.trim()) return { ok: false, text: noDtypeHint(probe) }
    try {
      const offset = form.offset.trim() === '' ? 0 : Number(form.offset)
      if (!/^\s*\d+\s*$/.test(form.offset) && form.offset.trim() !== '')
        throw new Error(`offset '${form.offset}' is not a whole number of bytes`)
      const text = textOf(form)
      if (text) {
        if (form.mode !== 'r') throw new Error('a text file opens read-only (mode r): export it to edit a copy')
        const shape = parseShape(form.shape)
        const how = textRows(text).rows ? 'rows of values (np.loadtxt)' : 'values (numpy.fromfile)'
        return {
          ok: true,
          text: `text: ${how} separated by '${text.sep === ' ' ? 'whitespace' : text.sep}', read as ${form.dtype.trim()}${shape ? ` in shape ${formatShape(shape)}` : ''}; parsed into a temporary copy as it opens`
        }
      }
      const layout = resolveLayout(
        { dtype: form.dtype, shape: parseShape(form.shape), offset, order: form.order },
        probe?.size ?? 0,
        form.mode
      )
      if (creating) {
        return {
          ok: true,
          text:
            `creates ${formatShape(layout.shape)} of ${layout.dtype.str}: a zero-filled file of ${(layout.offset + layout.nbytes).toLocaleString('en-US')} bytes` +
            (probe ? ` — it REPLACES the existing ${probe.size.toLocaleString('en-US')}-byte file` : '')
        }
      }
      const trailing = probe!.size - layout.offset - layout.nbytes
      return {
        ok: true,
        text:
          `${formatShape(layout.shape)} of ${layout.dtype.str}: ${layout.nbytes.toLocaleString('en-US')} bytes after offset ${layout.offset}` +
          (trailing > 0 ? `, ${trailing} trailing bytes unused` : '')
      }
    } catch (e) {
      return { ok: false, text: (e as Error).message }
    }
  }, [probe, form, path])

  const open = async (): Promise<void> => {
    if (
      form.mode === 'w+' &&
      probe &&
      !window.confirm(`Replace ${probe.path} (${probe.size} bytes) with a new, zero-filled file?`)
    )
      return
    setBusy(true)
    setOpenError(null)
    try {
      const offset = form.offset.trim() === '' ? 0 : Number(form.offset)
      // a NIfTI, NRRD or ENVI file with no layout typed: its header gives it
      const single = probe?.container && holdsOneArray(probe.container) && !form.dtype.trim()
      const scanId = single ? `open-${Math.random().toString(36).slice(2)}` : undefined
      if (scanId) setDecoding({ scanId, done: 0, total: 0 })
      const text = textOf(form)
      const s = await api.invoke(
        'session:open',
        withFollow({
          path: path.trim(),
          ...(scanId ? { scanId } : {}),
          // a text file answers once its first rows are parsed; the table grows as the rest is
          ...(text ? { early: true } : {}),
          layout: single
            ? null
            : {
                dtype: form.dtype.trim(),
                shape: parseShape(form.shape),
                offset,
                order: form.order,
                ...(text ? { text } : {})
              },
          mode: form.mode,
          // confirmed above; a file that appeared since the probe is refused by the Node side instead
          overwrite: form.mode === 'w+' && probe !== null
        })
      )
      props.onOpened(s)
    } catch (e) {
      setOpenError((e as Error).message)
    } finally {
      setBusy(false)
      setDecoding(null)
    }
  }

  const browse = async (): Promise<void> => {
    const r = await api.invoke('dialog:openFile', {})
    if (r.path) setPath(r.path)
  }

  // serve mode: the folder of the typed path (or the home folder / --root) listed below the field
  const browseFolder = async (): Promise<void> => {
    const typed = path.trim()
    const up = typed.replace(/[\\/][^\\/]*$/, '') || '/'
    const listing = await api
      .invoke('dir:list', { path: typed })
      .catch(() => api.invoke('dir:list', { path: typed ? up : '' }))
      .catch(() => api.invoke('dir:list', { path: '' }))
      .catch((e: Error) => {
        setProbeError(e.message) // not even the home folder (or --root) can be listed: say why
        return null
      })
    if (listing) setPath(listing.path)
  }

  const set = (key: keyof Form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    if (key !== 'mode') {
      touched.current = true
      setProposed(false)
    }
    setForm((f) => ({ ...f, [key]: e.target.value }))
  }
  const apply = (c: CandidateLayout): void =>
    setForm((f) => ({
      ...f,
      dtype: c.dtype,
      shape: c.shape.join(', '),
      offset: String(c.offset),
      order: c.order,
      sep: c.text?.sep ?? '',
      skip: c.text?.skip ? String(c.text.skip) : '',
      ...(c.text ? { mode: 'r' as const } : {})
    }))

  return (
    <form
      className="open-panel"
      onSubmit={(e) => {
        e.preventDefault()
        // Enter on a container shows its arrays, unless the user typed a layout to read its bytes with
        if (probe && holdsSeveral(probe) && !touched.current) props.onContainer(probe.path)
        else if (check.ok) void open()
      }}
    >
      <h1>Open an array file</h1>
      <label>
        File
        <span className="row">
          <input
            name="path"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            onKeyDown={(e) => {
              // Enter on a container's path shows its arrays (the form's Open may be disabled: no layout)
              if (e.key !== 'Enter' || !probe || !holdsSeveral(probe) || touched.current) return
              e.preventDefault()
              props.onContainer(probe.path)
            }}
            placeholder="/path/to/data.bin or .npy"
            spellCheck={false}
            autoFocus
          />
          <button type="button" onClick={() => void (isElectron ? browse() : browseFolder())}>
            Browse…
          </button>
        </span>
      </label>
      <div className="probe" data-testid="probe">
        {(isFolder ? null : probeError) ??
          (probe
            ? // a Zarr store is a folder (or a remote prefix): no one size to show
              `${probe.container === 'zarr' && probe.size === 0 ? 'a folder of chunk files' : formatBytes(probe.size)}${probe.npy ? ' — .npy header read' : probe.npyError ? ` — ${probe.npyError}; give a dtype to read its bytes raw` : ''}`
            : '')}
      </div>
      {probeError && <FolderBrowser path={path.trim()} onPick={setPath} onListed={setIsFolder} />}
      {probe?.container && (
        <div className="container-notice" data-testid="container-notice">
          <span>
            This is {FORMAT_DESCRIPTORS[probe.container].description}
            {holdsOneArray(probe.container)
              ? ': its header gives the layout (Open reads it).'
              : ': a container of arrays (Open as container lists them).'}
          </span>
          <button type="button" className="primary" onClick={() => props.onContainer(probe.path)}>
            Open as container
          </button>
        </div>
      )}
      <label>
        mode
        <select name="mode" value={form.mode} onChange={set('mode')}>
          <option value="r">r — read only</option>
          {/* text is never edited in place: its values change length */}
          <option value="r+" disabled={Boolean(form.sep)}>
            r+ — edit the file
          </option>
          <option value="c" disabled={Boolean(form.sep)}>
            c — edit a private copy
          </option>
          <option value="w+" disabled={Boolean(form.sep)}>
            w+ — create a new file
          </option>
        </select>
      </label>
      <fieldset disabled={!probe && form.mode !== 'w+'}>
        <label>
          dtype
          <input name="dtype" list="dtypes" value={form.dtype} onChange={set('dtype')} spellCheck={false} />
          <datalist id="dtypes">
            {COMMON_DTYPES.map((d) => (
              <option key={d} value={d} />
            ))}
          </datalist>
        </label>
        <label>
          shape
          <input name="shape" value={form.shape} onChange={set('shape')} placeholder="e.g. 1000, 800 (empty: 1-D)" />
        </label>
        <label>
          offset (bytes)
          <input name="offset" value={form.offset} onChange={set('offset')} inputMode="numeric" />
        </label>
        <label>
          order
          <select name="order" value={form.order} onChange={set('order')}>
            <option value="C">C (row-major)</option>
            <option value="F">F (column-major)</option>
          </select>
        </label>
        <label>
          text separator
          <input name="sep" value={form.sep} onChange={set('sep')} placeholder="none: bytes (' ' or ',' reads text)" />
        </label>
        {form.sep && (
          <label>
            header lines
            <input name="skip" value={form.skip} onChange={set('skip')} inputMode="numeric" placeholder="0" />
          </label>
        )}
      </fieldset>
      <div className={check.ok ? 'validation ok' : 'validation bad'} data-testid="validation" role="status">
        {check.text}
        {restored && check.ok ? ' — the layout you last opened this file with' : ''}
        {proposed && check.ok ? ' — the best proposed layout: check the preview before opening' : ''}
      </div>
      {probe && check.ok && <Preview path={probe.path} layout={specOrNull()} />}
      {probe && !probe.npy && !compressedContainer(probe) && (
        <Proposals
          path={probe.path}
          onApply={(c) => {
            touched.current = true
            setProposed(false)
            apply(c)
          }}
          onLoaded={(cs) => {
            if (touched.current || probe.recent || probe.sidecar || probe.container || !cs[0]) return
            apply(cs[0])
            setProposed(true)
          }}
        />
      )}
      {openError && (
        <div className="validation bad" role="alert">
          {openError}
        </div>
      )}
      <button type="submit" disabled={!check.ok || busy}>
        Open
      </button>
      {decoding && decoding.total > 0 && (
        <div className="open-busy" data-testid="open-busy">
          decompressing <progress max={decoding.total} value={decoding.done} />
          <button type="button" onClick={() => void api.invoke('scan:cancel', { scanId: decoding.scanId })}>
            Cancel
          </button>
        </div>
      )}
      {!path.trim() && <RecentList onPick={setPath} />}
    </form>
  )
}
