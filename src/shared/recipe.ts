// "Copy as code": the np.memmap call and the arrayscope command line for the current view.
// Shared (not in the renderer) so the tests run the code it writes in the reference venv.
import { FORMAT_DESCRIPTORS } from './containers/registry'
import type { SessionInfo } from './contract'
import { formatShape } from './layout'
import { textFlags, textPython } from './recipe-text'

/** What of the table's view a recipe needs (the renderer's ViewState has these). */
export interface RecipeView {
  slice: string
  rowAxis: number | null
  colAxis: number | null
  index: number[]
}

function pyString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}

/** The view's selection as numpy indexing: the slice, then the fixed axes of the 2-D view. */
export function viewIndexExpr(state: RecipeView, shape: readonly number[]): string {
  const fixed = shape.map((_, k) => (k === state.rowAxis || k === state.colAxis ? ':' : String(state.index[k] ?? 0)))
  const parts: string[] = []
  if (state.slice.trim()) parts.push(`[${state.slice.trim()}]`)
  if (fixed.some((f) => f !== ':')) parts.push(`[${fixed.join(', ')}]`)
  const transposed = state.rowAxis !== null && state.colAxis !== null && state.rowAxis > state.colAxis
  return parts.join('') + (transposed ? '.T' : '')
}

/** The engine's dtypes that numpy lacks and ml_dtypes has, by the same names. */
const ML_TYPES = ['bfloat16', 'float8_e4m3fn', 'float8_e5m2']

/** The loading call of the container's own library, and the arrayscope command with --array. */
function arrayRecipe(
  session: SessionInfo,
  state: RecipeView,
  shape: readonly number[]
): { python: string; cli: string } {
  const a = session.array!
  const file = pyString(a.container)
  const name = pyString(a.name)
  const view = `view = a${viewIndexExpr(state, shape)}`
  const load = FORMAT_DESCRIPTORS[a.format].recipe({
    file,
    dataFile: a.format === 'safetensors-index' ? pyString(session.path) : file,
    name,
    stored: Boolean(a.scaling && !a.scaling.applied),
    storedType: a.storedType,
    ...(a.blocks ? { quant: a.blocks.quant } : {}),
    shape: formatShape(session.layout.shape),
    ...(a.metadata ? { metadata: a.metadata } : {})
  })
  const python = `${load}\n${view}`
  const args = ['arrayscope', 'show', shellQuote(a.container), '--array', shellQuote(a.name)]
  if (a.scaling) args.push(a.scaling.applied ? '--scaled' : '--stored')
  const fixed = shape.map((_, k) => (k === state.rowAxis || k === state.colAxis ? ':' : String(state.index[k] ?? 0)))
  if (!state.slice.trim() && fixed.some((f) => f !== ':')) args.push('--slice', shellQuote(fixed.join(', ')))
  else if (state.slice.trim()) args.push('--slice', shellQuote(state.slice.trim()))
  return { python, cli: args.join(' ') }
}

export function recipe(
  session: SessionInfo,
  state: RecipeView,
  shape: readonly number[]
): { python: string; cli: string } {
  if (session.array) return arrayRecipe(session, state, shape)
  if (session.text) {
    const text = { ...session, text: session.text }
    const args = ['arrayscope', 'show', shellQuote(session.text.path), ...textFlags(text)]
    const fixed = shape.map((_, k) => (k === state.rowAxis || k === state.colAxis ? ':' : String(state.index[k] ?? 0)))
    if (!state.slice.trim() && fixed.some((f) => f !== ':')) args.push('--slice', shellQuote(fixed.join(', ')))
    else if (state.slice.trim()) args.push('--slice', shellQuote(state.slice.trim()))
    return { python: `${textPython(text)}\nview = a${viewIndexExpr(state, shape)}`, cli: args.join(' ') }
  }
  const l = session.layout
  const mode = session.mode === 'w+' ? 'r+' : session.mode
  // numpy has no bfloat16 / float8 of its own: ml_dtypes' types. Those are little-endian only, so a big-endian
  // bfloat16 is mapped as >u2 and converted (a copy in memory).
  const ml = ML_TYPES.find((t) => l.dtype.replace(/^[<>|=]/, '') === t)
  const swapped = ml === 'bfloat16' && l.dtype.startsWith('>')
  const dtype = swapped
    ? "'>u2'"
    : ml
      ? `ml_dtypes.${ml}`
      : l.dtype.startsWith('[')
        ? `np.dtype(${l.dtype})`
        : pyString(l.dtype)
  const imports = ml ? 'import numpy as np\nimport ml_dtypes  # pip install ml_dtypes' : 'import numpy as np'
  const convert = swapped ? "\na = a.astype('<u2').view(ml_dtypes.bfloat16)  # big-endian: a copy in memory" : ''
  // an axis the file's size gives (a file another program grows): computed from its size when the code runs
  const k = session.inferredAxis
  const inferred = k !== undefined && k < l.shape.length
  const rowBytes = l.shape.reduce((a, n, j) => (j === k ? a : a * n), l.itemsize)
  const sizing = inferred
    ? `import os\nn = (os.path.getsize(${pyString(session.path)}) - ${l.offset}) // ${rowBytes}  # as many as the file holds now\n`
    : ''
  const memmapShape = inferred
    ? `(${l.shape.map((n, j) => (j === k ? 'n' : String(n))).join(', ')}${l.shape.length === 1 ? ',' : ''})`
    : formatShape(l.shape)
  const python =
    session.format === 'npy'
      ? `import numpy as np\na = np.load(${pyString(session.path)}, mmap_mode=${pyString(mode)})\nview = a${viewIndexExpr(state, shape)}`
      : `${imports}\n${sizing}a = np.memmap(${pyString(session.path)}, dtype=${dtype}, mode=${pyString(mode)}, offset=${l.offset}, shape=${memmapShape}, order=${pyString(l.order)})${convert}\nview = a${viewIndexExpr(state, shape)}`
  const args = ['arrayscope', 'show', shellQuote(session.path)]
  if (session.format !== 'npy') {
    args.push(
      '--dtype',
      shellQuote(l.dtype),
      '--shape',
      l.shape.map((n, j) => (inferred && j === k ? -1 : n)).join(','),
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
