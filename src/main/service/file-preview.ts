// What the open form shows before a file is opened: ranked layout proposals and a thumbnail of the first
// elements. Both map the file read-only for the call and read samples, never the whole file.
import type { LayoutSpecMsg, Response, View } from '../../shared/contract'
import { resolveLayout, type TextLayout } from '../../shared/layout'
import { parseDType } from '../../shared/structured'
import { textSpec } from './text-source'
import { textError } from './text-pass'
import type { TextParseResult } from '../../../native/index'
import { proposeLayouts } from '../../shared/solver'
import { probeFile } from './file-probe'
import { native } from './native'
import { viewGeometry } from '../../shared/slice'
import { remoteStore } from './remote-sources'
import { windowRanges } from './remote-store'
import { isRemote } from './remote-url'

/** The file to map: a remote object's copy (its bytes fetched where read), or the file itself. */
function mapped(path: string): string {
  return isRemote(path) ? remoteStore(path).file : path
}

/** Ranked layouts for a file, from samples of its bytes (never the whole file). */
export function proposeFor(path: string): Response<'file:propose'> {
  const probe = probeFile(path)
  if (probe.size === 0) return { candidates: [] }
  const m = new (native().Mapping)(mapped(path), 'r')
  const remote = isRemote(path) ? remoteStore(path) : null
  try {
    m.advise('random')
    const read = (offset: number, length: number): Uint8Array => {
      const out = new Uint8Array(Math.max(0, Math.min(length, m.size - offset)))
      // the solver's samples of a remote object are fetched (a few blocks) before they are read
      remote?.ensureRange(offset, offset + out.length)
      m.read(offset, out)
      return out
    }
    return { candidates: proposeLayouts({ fileSize: m.size, fileName: path, read, npy: probe.npy }) }
  } finally {
    m.close()
  }
}

/** Up to 8×8 leading elements of the default view of a file read with a layout. */
export function previewOf(path: string, spec: LayoutSpecMsg): Response<'file:preview'> {
  if (spec.text) return textPreview(path, { ...spec, text: spec.text })
  const m = new (native().Mapping)(mapped(path), 'r')
  try {
    const layout = resolveLayout(spec, m.size, 'r')
    const nd = layout.shape.length
    const view: View = {
      rowAxis: nd >= 1 ? Math.max(0, nd - 2) : null,
      colAxis: nd >= 2 ? nd - 1 : null,
      index: layout.shape.map(() => 0)
    }
    const g = viewGeometry(layout, view)
    const rows = Math.min(8, g.rowsTotal)
    const cols = Math.min(8, g.colsTotal)
    const bytes = new Uint8Array(rows * cols * layout.dtype.itemsize)
    if (bytes.length) {
      const w = {
        base: g.base,
        rows,
        cols,
        rowStride: g.rowStride,
        colStride: g.colStride,
        itemsize: layout.dtype.itemsize
      }
      if (isRemote(path)) remoteStore(path).ensureRanges(windowRanges(w))
      m.gather(w, bytes)
    }
    return { rows, cols, shape: layout.shape, dtype: layout.dtype.str, bytes }
  } finally {
    m.close()
  }
}

/** A text file's first values parsed as the layout reads them (its first 8 rows, without a pass). */
function textPreview(path: string, spec: LayoutSpecMsg & { text: TextLayout }): Response<'file:preview'> {
  let r: TextParseResult
  const parse = textSpec(path, spec)
  try {
    r = native().parseTextSync({ ...parse, maxValues: 8 * 4096 })
  } catch (e) {
    throw textError(e, path)
  }
  // the row length: the table's, the given shape's last axis, else one row of values
  const given = spec.shape && spec.shape.length >= 2 ? spec.shape[spec.shape.length - 1]! : 0
  const width = given > 0 ? given : parse.table && r.cols > 0 ? r.cols : r.count
  const itemsize = r.count > 0 ? r.values.length / r.count : 0
  const cols = Math.min(8, width)
  const rows = width > 0 ? Math.min(8, Math.floor(r.count / width)) : 0
  const bytes = new Uint8Array(rows * cols * itemsize)
  for (let i = 0; i < rows; i++) {
    const from = i * width * itemsize
    bytes.set(r.values.subarray(from, from + cols * itemsize), i * cols * itemsize)
  }
  return { rows, cols, shape: [-1, width], dtype: parseDType(spec.dtype).str, bytes }
}
