// Following a text another program appends to (a logger's CSV, issue 33): when the text only grew after a
// complete last line, the new lines alone are parsed and their values appended to the session's copy — the
// table gains rows at the end instead of the whole text being parsed again (which, for a large file written
// every second, would never end). Anything else (a rewritten or replaced file, a last line that was still being
// written, a shape given by the user, a stream whose newlines sit inside separators) is opened again whole.
import fs from 'node:fs'
import type { EditState, SessionInfo } from '../../shared/contract'
import { resolveLayout, textRows, type LayoutSpec, type TextLayout } from '../../shared/layout'
import { EditLog } from './edit-log'
import { identityOf, sameFile } from './file-identity'
import { layoutInfo } from './layout-info'
import { native } from './native'
import type { Session } from './session'
import { textError } from './text-pass'
import { textShape, textSpec } from './text-source'

/** The values appended and the session grown, or undefined when the text must be opened again whole. */
export async function appendText(s: Session): Promise<(EditState & { info: SessionInfo }) | undefined> {
  const text = s.info.text
  const spec = s.request?.layout as (LayoutSpec & { text: TextLayout }) | undefined
  const store = s.source.store
  if (!text || !spec?.text || store.kind !== 'decoded-copy' || text.loading || text.error) return undefined
  if (spec.shape !== null) return undefined
  const { rows } = textRows(spec.text)
  // a stream continues at a newline only when newlines are its separator's whitespace
  if (!rows && /\S/.test(spec.text.sep)) return undefined
  const now = identityOf(text.path)
  let size: number
  try {
    size = fs.statSync(text.path).size
  } catch {
    return undefined
  }
  if (!now || !sameFile(now, s.identity) || size <= text.size) return undefined
  // the text so far ended with a whole line: nothing of it changes by what follows
  const last = new Uint8Array(1)
  const fd = fs.openSync(text.path, 'r')
  try {
    if (text.size === 0 || fs.readSync(fd, last, 0, 1, text.size - 1) !== 1 || last[0] !== 10) return undefined
  } finally {
    fs.closeSync(fd)
  }
  const more = `${store.path}.more`
  fs.writeFileSync(more, new Uint8Array(0))
  try {
    const r = await native()
      .parseText({
        ...textSpec(text.path, spec),
        out: more,
        start: text.size,
        startLine: text.found.lines ?? 1,
        skip: 0
      })
      .promise.catch((e: unknown) => {
        throw textError(e, text.path)
      })
    const old = text.found
    if (rows && r.rows > 0 && old.rows > 0 && r.cols !== old.cols) return undefined
    const itemsize = s.layout.dtype.itemsize
    const values = fs.readFileSync(more)
    const at = old.values * itemsize
    const out = fs.openSync(store.path, 'r+')
    try {
      fs.writeSync(out, values, 0, r.count * itemsize, at)
    } finally {
      fs.closeSync(out)
    }
    const found = {
      values: old.values + r.count,
      rows: old.rows + r.rows,
      cols: old.rows === 0 ? r.cols : r.rows === 0 ? old.cols : old.cols === r.cols ? old.cols : -1,
      lines: (old.lines ?? 1) + r.lines - 1
    }
    const fake = { count: found.values, rows: found.rows, cols: found.cols } as Parameters<typeof textShape>[1]
    const shape = textShape(spec, fake, text.path)
    // the copy is mapped at the size it had: a mapping of its new size takes over
    const grownCopy = fs.statSync(store.path).size
    const mapping = grownCopy > s.mapping.size ? new (native().Mapping)(store.path, 'r') : s.mapping
    const layout = resolveLayout({ dtype: spec.dtype, shape, offset: 0, order: spec.order }, mapping.size)
    const previous = s.mapping
    s.source = s.source.withLayout(layout, mapping)
    s.mapping = mapping
    if (mapping !== previous) {
      s.edits = new EditLog(s.id, mapping)
      previous.close()
    }
    s.layout = layout
    const st = fs.statSync(text.path)
    s.stat = { size: st.size, mtimeMs: st.mtimeMs }
    s.info = { ...s.info, fileSize: layout.nbytes, layout: layoutInfo(layout), text: { ...text, size, found } }
    return { ...s.edits.stateWith([{ offset: at, length: r.count * itemsize }]), info: s.info }
  } catch {
    return undefined
  } finally {
    fs.rmSync(more, { force: true })
  }
}
