// What the open form shows before a file is opened: ranked layout proposals and a thumbnail of the first
// elements. Both map the file read-only for the call and read samples, never the whole file.
import type { LayoutSpecMsg, Response, View } from '../../shared/contract'
import { resolveLayout } from '../../shared/layout'
import { proposeLayouts } from '../../shared/solver'
import { probeFile } from './file-probe'
import { native } from './native'
import { viewGeometry } from '../../shared/slice'

/** Ranked layouts for a file, from samples of its bytes (never the whole file). */
export function proposeFor(path: string): Response<'file:propose'> {
  const probe = probeFile(path)
  if (probe.size === 0) return { candidates: [] }
  const m = new (native().Mapping)(path, 'r')
  try {
    m.advise('random')
    const read = (offset: number, length: number): Uint8Array => {
      const out = new Uint8Array(Math.max(0, Math.min(length, m.size - offset)))
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
  const m = new (native().Mapping)(path, 'r')
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
      m.gather(
        { base: g.base, rows, cols, rowStride: g.rowStride, colStride: g.colStride, itemsize: layout.dtype.itemsize },
        bytes
      )
    }
    return { rows, cols, shape: layout.shape, dtype: layout.dtype.str, bytes }
  } finally {
    m.close()
  }
}
