// "Copy as code": the np.memmap call and the arrayscope command line for the current view.
import type { SessionInfo } from '../../../../shared/contract'
import { formatShape } from '../../../../shared/layout'
import type { ViewState } from '../table/view-model'

function pyString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}

/** The view's selection as numpy indexing: the slice, then the fixed axes of the 2-D view. */
export function viewIndexExpr(state: ViewState, shape: readonly number[]): string {
  const fixed = shape.map((_, k) => (k === state.rowAxis || k === state.colAxis ? ':' : String(state.index[k] ?? 0)))
  const parts: string[] = []
  if (state.slice.trim()) parts.push(`[${state.slice.trim()}]`)
  if (fixed.some((f) => f !== ':')) parts.push(`[${fixed.join(', ')}]`)
  const transposed = state.rowAxis !== null && state.colAxis !== null && state.rowAxis > state.colAxis
  return parts.join('') + (transposed ? '.T' : '')
}

export function recipe(
  session: SessionInfo,
  state: ViewState,
  shape: readonly number[]
): { python: string; cli: string } {
  const l = session.layout
  const mode = session.mode === 'w+' ? 'r+' : session.mode
  const dtype = l.dtype.startsWith('[') ? `np.dtype(${l.dtype})` : pyString(l.dtype)
  const python =
    session.format === 'npy'
      ? `import numpy as np\na = np.load(${pyString(session.path)}, mmap_mode=${pyString(mode)})\nview = a${viewIndexExpr(state, shape)}`
      : `import numpy as np\na = np.memmap(${pyString(session.path)}, dtype=${dtype}, mode=${pyString(mode)}, offset=${l.offset}, shape=${formatShape(l.shape)}, order=${pyString(l.order)})\nview = a${viewIndexExpr(state, shape)}`
  const args = ['arrayscope', 'show', shellQuote(session.path)]
  if (session.format !== 'npy') {
    args.push(
      '--dtype',
      shellQuote(l.dtype),
      '--shape',
      l.shape.join(','),
      '--offset',
      String(l.offset),
      '--order',
      l.order
    )
  }
  const fixed = shape.map((_, k) => (k === state.rowAxis || k === state.colAxis ? ':' : String(state.index[k] ?? 0)))
  if (!state.slice.trim() && fixed.some((f) => f !== ':')) args.push('--slice', shellQuote(fixed.join(', ')))
  else if (state.slice.trim()) args.push('--slice', shellQuote(state.slice.trim()))
  return { python, cli: args.join(' ') }
}
