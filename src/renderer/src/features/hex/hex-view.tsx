// The hex view of the whole file (any size: scaled scrolling like the grid, 64-bit offsets as numbers up to
// 2^53): offset, 16 bytes, ASCII. The header (before the array) and trailing bytes are shaded apart from
// element bytes; elements alternate shades so their boundaries show. Linked to the table's cursor: the
// selected element's bytes are highlighted and scrolled to; clicking a byte selects its element. The byte
// cursor moves with the arrow keys; typing two hex digits overwrites its byte (one undoable edit, r+ and c).
import { useEffect, useState } from 'react'
import type { Bookmark, SessionInfo } from '../../../../shared/contract'
import { api } from '../../transport'
import { visibleCount } from '../table/scaled-scroll'
import { useClientSize, useScaledScroll } from '../table/use-scaled-scroll'
import { useBytePages } from './use-byte-pages'
import { BookmarkDialog } from './bookmark-dialog'
import { FindBar } from './find-bar'
import { Inspector } from './inspector'

const READ_ONLY = 'read-only (mode r): reopen the file with r+ or c to edit'

const ROW_H = 20

export function HexView(props: {
  session: SessionInfo
  /** The selected element's bytes [offset, offset + length), or null. */
  selected: { offset: number; length: number } | null
  onPick: (offset: number) => void
  /** Another session (a comparison's B): bytes that differ from its file at the same offset are marked. */
  compareWith?: string
}): React.JSX.Element {
  const { session, selected } = props
  const size = session.fileSize
  const l = session.layout
  const [scroller, box] = useClientSize()
  // bytes per row: as chosen, else as many as the panel's width shows whole (16 need ~540 px)
  const [perRowChoice, setPerRow] = useState<number | null>(null)
  const perRow = perRowChoice ?? (box.w >= 540 ? 16 : 8)
  const rowsTotal = Math.ceil(size / perRow)
  const height = box.h
  const scroll = useScaledScroll(scroller, box, { rows: { count: rowsTotal, item: ROW_H } })
  const { top, rowAxis: axis } = scroll
  const [goText, setGoText] = useState('')
  const [goFrom, setGoFrom] = useState<'file' | 'array'>('file')
  const [goError, setGoError] = useState<string | null>(null)
  const [bookmarks, setBookmarks] = useState<Bookmark[]>([])
  /** The byte a bookmark is being named for. */
  const [naming, setNaming] = useState<number | null>(null)
  useEffect(() => {
    api
      .invoke('bookmarks:get', { path: session.path })
      .then((r) => setBookmarks(r.bookmarks))
      .catch((e: Error) => setGoError(`bookmarks could not be read: ${e.message}`))
  }, [session.path])
  // the byte the inspector decodes: the last clicked one, else the selected element's first
  // (kept while the table's selection stays where it was when the byte was chosen, or contains it)
  const [inspectState, setInspectState] = useState<{ offset: number; during: number | null } | null>(null)
  const setInspect = (o: number): void => setInspectState({ offset: o, during: selected?.offset ?? null })
  const inspect = inspectState?.offset ?? null
  const inspected =
    inspectState !== null &&
    (!selected ||
      inspectState.during === selected.offset ||
      (inspectState.offset >= selected.offset && inspectState.offset < selected.offset + selected.length))
      ? inspectState.offset
      : (selected?.offset ?? inspect ?? 0)
  const [match, setMatch] = useState<{ offset: number; length: number } | null>(null)
  // the first hex digit typed over the cursor's byte, until the second completes it
  const [pending, setPending] = useState<{ offset: number; high: number } | null>(null)
  const [typeError, setTypeError] = useState<string | null>(null)
  const pages = useBytePages(session.session)
  const pagesB = useBytePages(props.compareWith)
  const pageError = pages.error ?? pagesB.error
  const vis = Math.min(rowsTotal - top, visibleCount(axis) + 1)

  // Past ~600k rows the scroll position is scaled and cannot hold every row exactly: use-scaled-scroll tells
  // the scroll event this causes from the user's (as in the table).
  const scrollToRow = (row: number): void => scroll.scrollTo(Math.min(row, rowsTotal - 1))

  // follow the table's cursor; again once the panel's real height (and bytes per row) are known: the first run
  // sees the default size, and a cursor on the last element was then taken for visible
  const selOffset = selected?.offset ?? -1
  useEffect(() => {
    if (!selected) return
    const row = Math.floor(selected.offset / perRow)
    if (row >= top && row < top + vis - 1) return
    scrollToRow(row - 2)
  }, [selOffset, box.h, perRow]) // eslint-disable-line react-hooks/exhaustive-deps

  const byteAt = (o: number): number | undefined => pages.byteAt(o) ?? undefined

  // B's bytes at the same offsets (a byte comparison marks where they differ: past B's end too)
  const differs = (o: number, b: number | undefined): boolean => {
    if (!props.compareWith || b === undefined) return false
    const other = pagesB.byteAt(o)
    return other !== undefined && other !== b
  }

  // the array's stored bytes: an array of a container is marked within the whole file, a quantized tensor's
  // blocks alternate (their structure shaded) instead of its elements
  const array = session.array
  const start = array ? array.stored.offset : l.offset
  const stored = array ? array.stored.nbytes : l.nbytes
  const unit = array?.blocks ? array.blocks.bytes : l.itemsize
  const region = (o: number): string => {
    if (o < start) return 'header'
    if (o >= start + stored) return 'trailing'
    return Math.floor((o - start) / unit) % 2 === 0 ? 'even' : 'odd'
  }
  const readOnlyText = array?.readOnly ? `read-only: ${array.readOnly}` : READ_ONLY

  const lines: React.JSX.Element[] = []
  let loaded = true
  for (let i = 0; i < vis; i++) {
    const row = top + i
    const base = row * perRow
    const cells: React.JSX.Element[] = []
    let ascii = ''
    for (let j = 0; j < perRow && base + j < size; j++) {
      const o = base + j
      const b = byteAt(o)
      if (b === undefined) loaded = false
      const sel = selected && o >= selected.offset && o < selected.offset + selected.length
      const found = match && o >= match.offset && o < match.offset + match.length
      const marks = `${sel ? ' selected' : ''}${found ? ' match' : ''}${o === inspected ? ' cursor' : ''}${differs(o, b) ? ' differs' : ''}${pages.flashing(o) ? ' flash' : ''}`
      cells.push(
        <span
          key={j}
          className={`hex-byte ${region(o)}${marks}${j > 0 && j % 8 === 0 ? ' gap' : ''}`}
          data-offset={o}
          onMouseDown={() => {
            commitPending()
            props.onPick(o)
            setInspect(o)
          }}
        >
          {pending?.offset === o
            ? `${pending.high.toString(16)}_`
            : b === undefined
              ? '··'
              : b.toString(16).padStart(2, '0')}
        </span>
      )
      ascii += b === undefined ? ' ' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'
    }
    lines.push(
      <div key={i} className="hex-line" style={{ top: i * ROW_H, height: ROW_H }}>
        <span className="hex-offset">{base.toString(16).padStart(10, '0')}</span>
        <span className="hex-bytes">{cells}</span>
        <span className="hex-ascii">{ascii}</span>
      </div>
    )
  }

  const goTo = (offset: number): void => {
    if (offset < 0 || offset >= size) return setGoError(`byte ${offset} is outside the file (${size} bytes)`)
    setGoError(null)
    scrollToRow(Math.floor(offset / perRow) - 2)
    setInspect(offset)
    props.onPick(offset)
  }

  /** Moves the byte cursor (and the table's selection), scrolling only when it leaves the visible rows. */
  const moveCursor = (offset: number): void => {
    const o = Math.max(0, Math.min(size - 1, offset))
    setInspect(o)
    props.onPick(o)
    const row = Math.floor(o / perRow)
    if (row >= top && row < top + vis - 1) return
    scrollToRow(row < top ? row : row - (vis - 2))
  }

  const writeByte = (offset: number, value: number): void => {
    setTypeError(null)
    api
      .invoke('edit:apply', { session: session.session, writes: [{ offset, bytes: Uint8Array.of(value) }] })
      .catch((e: Error) => setTypeError(e.message))
  }

  // a half-typed byte is written (high nibble replaced) when the cursor leaves it, never dropped
  const commitPending = (): void => {
    if (!pending) return
    setPending(null)
    const old = byteAt(pending.offset)
    if (old !== undefined) return writeByte(pending.offset, (pending.high << 4) | (old & 0x0f))
    void api
      .invoke('bytes:get', { session: session.session, offset: pending.offset, length: 1 })
      .then((r) => writeByte(pending.offset, (pending.high << 4) | (r.bytes[0]! & 0x0f)))
      .catch((e: Error) => setTypeError(e.message))
  }

  const onKey = (e: React.KeyboardEvent): void => {
    const mod = e.ctrlKey || e.metaKey
    if (mod && (e.key.toLowerCase() === 'z' || e.key.toLowerCase() === 'y')) {
      e.preventDefault()
      commitPending()
      const redo = e.key.toLowerCase() === 'y' || e.shiftKey
      void api
        .invoke(redo ? 'edit:redo' : 'edit:undo', { session: session.session })
        .catch((err: Error) => setTypeError(err.message))
      return
    }
    if (mod || e.altKey) return
    const steps: Record<string, number> = {
      ArrowLeft: -1,
      ArrowRight: 1,
      ArrowUp: -perRow,
      ArrowDown: perRow,
      PageUp: -perRow * (vis - 2),
      PageDown: perRow * (vis - 2)
    }
    if (e.key in steps) {
      e.preventDefault()
      commitPending()
      return moveCursor(inspected + steps[e.key]!)
    }
    if (e.key === 'Escape') return setPending(null)
    if (!/^[0-9a-fA-F]$/.test(e.key)) return
    e.preventDefault()
    if (session.mode === 'r') return setTypeError(readOnlyText)
    const digit = Number.parseInt(e.key, 16)
    if (!pending || pending.offset !== inspected) return setPending({ offset: inspected, high: digit })
    setPending(null)
    writeByte(inspected, (pending.high << 4) | digit)
    if (inspected + 1 < size) moveCursor(inspected + 1)
  }

  const submitGo = (e: React.FormEvent): void => {
    e.preventDefault()
    const t = goText.trim()
    const n = /^[+-]?0x[0-9a-f]+$/i.test(t)
      ? Number.parseInt(t.replace(/^([+-]?)0x/i, '$1'), 16)
      : /^[+-]?\d+$/.test(t)
        ? Number(t)
        : NaN
    if (!Number.isSafeInteger(n)) return setGoError('write an offset like 4096 or 0x1000')
    goTo(goFrom === 'array' ? start + n : n)
  }

  const saveBookmarks = (next: Bookmark[]): void => {
    setBookmarks(next)
    void api.invoke('bookmarks:set', { path: session.path, bookmarks: next }).catch((e: Error) => setGoError(e.message))
  }

  return (
    <aside className="hex" data-testid="hex">
      <form className="hex-tools" onSubmit={submitGo}>
        <select
          name="hex-per-row"
          value={perRow}
          onChange={(e) => setPerRow(Number(e.target.value))}
          title="bytes per row"
        >
          <option value={8}>8</option>
          <option value={16}>16</option>
          <option value={32}>32</option>
        </select>
        <input
          name="hex-goto"
          value={goText}
          onChange={(e) => setGoText(e.target.value)}
          placeholder="offset: 4096 or 0x1000"
          size={16}
        />
        <select name="hex-goto-from" value={goFrom} onChange={(e) => setGoFrom(e.target.value as 'file' | 'array')}>
          <option value="file">from file start</option>
          <option value="array">from array start</option>
        </select>
        <button type="submit">Go</button>
        <button type="button" onClick={() => setNaming(inspected)}>
          Bookmark
        </button>
        {goError && <span className="validation bad">{goError}</span>}
      </form>
      {naming !== null && (
        <BookmarkDialog
          offset={naming}
          onCancel={() => setNaming(null)}
          onSave={(name) => {
            setNaming(null)
            saveBookmarks(
              [...bookmarks.filter((b) => b.offset !== naming), { name, offset: naming }].sort(
                (a, b) => a.offset - b.offset
              )
            )
          }}
        />
      )}
      <FindBar
        session={session}
        cursor={inspected}
        onFound={(m) => {
          setMatch(m)
          goTo(m.offset)
        }}
      />
      {bookmarks.length > 0 && (
        <div className="bookmarks" data-testid="bookmarks">
          {bookmarks.map((b) => (
            <span key={b.offset} className="bookmark">
              <button type="button" className="link" onClick={() => goTo(b.offset)}>
                {b.name}
              </button>
              <button
                type="button"
                aria-label={`remove ${b.name}`}
                onClick={() => saveBookmarks(bookmarks.filter((x) => x !== b))}
              >
                ×
              </button>
            </span>
          ))}
        </div>
      )}
      <div className="muted hex-legend" data-testid="hex-legend">
        <span className="hex-byte header">{array ? 'before the array' : 'header'}</span> {start} bytes ·{' '}
        {array?.blocks ? (
          <>
            <span className="hex-byte even">{array.blocks.quant} blocks</span> {array.blocks.bytes} bytes ={' '}
            {array.blocks.elems} elements each ·{' '}
          </>
        ) : (
          <>
            <span className="hex-byte even">elements</span> {l.itemsize} bytes each ·{' '}
          </>
        )}
        <span className="hex-byte trailing">{array ? 'after' : 'trailing'}</span> {Math.max(0, size - start - stored)}{' '}
        bytes
        {selected && (
          <span data-testid="hex-selected">
            {' '}
            · selected 0x{selected.offset.toString(16)} ({selected.offset})
          </span>
        )}
      </div>
      <div
        className="hex-scroller"
        ref={scroller}
        data-testid="hex-scroller"
        data-ready={loaded ? 'true' : 'false'}
        tabIndex={0}
        title={session.mode === 'r' ? readOnlyText : 'arrow keys move the cursor; type hex digits to overwrite bytes'}
        onKeyDown={onKey}
        onBlur={commitPending}
        onScroll={scroll.onScroll}
      >
        <div className="hex-layer" style={{ height }}>
          {lines}
        </div>
        <div style={scroll.spacer} />
      </div>
      {pageError && (
        <div className="validation bad" role="alert" data-testid="hex-page-error">
          {pageError}
        </div>
      )}
      {typeError && (
        <div className="validation bad hex-type-error" data-testid="hex-type-error">
          {typeError}
        </div>
      )}
      <Inspector session={session} offset={inspected} />
    </aside>
  )
}
