// "Copy as code": the np.memmap call and the arrayscope command line for the current view.
// Shared (not in the renderer) so the tests run the code it writes in the reference venv.
import type { ContainerFormat } from './containers/registry'
import type { SessionInfo } from './contract'
import { formatShape } from './layout'

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

/** safetensors types numpy lacks, by their ml_dtypes names (the engine's names for them too). */
const ML_DTYPES: Record<string, string> = {
  BF16: 'bfloat16',
  F8_E4M3: 'float8_e4m3fn',
  F8_E5M2: 'float8_e5m2'
}

/**
 * A bfloat16 / float8 tensor with numpy alone fails (safe_open(framework='np') has no such dtype) and
 * framework='pt' needs torch: the header gives the tensor's bytes, np.memmap maps them with ml_dtypes' type.
 */
function safetensorsMemmap(shard: string, name: string, stored: string, ml: string): string {
  return [
    'import json, struct',
    'import numpy as np',
    `import ml_dtypes  # numpy's ${ml} (pip install ml_dtypes); with torch: safe_open(..., framework='pt')`,
    `path = ${shard}`,
    "with open(path, 'rb') as fh:",
    "    n = struct.unpack('<Q', fh.read(8))[0]",
    `    t = json.loads(fh.read(n))[${name}]  # dtype ${stored}`,
    `a = np.memmap(path, dtype=ml_dtypes.${ml}, mode='r', offset=8 + n + t['data_offsets'][0], shape=tuple(t['shape']))`
  ].join('\n')
}

/** A container array's loading call: file and name as Python literals; stored: the raw numbers. */
type Recipe = (file: string, name: string, stored: boolean, session: SessionInfo) => string

/** The safetensors library's call, for a file and for a sharded checkpoint (its shard file). */
const safetensorsRecipe: Recipe = (file, name, _stored, session) => {
  const a = session.array!
  const shard = a.format === 'safetensors-index' ? pyString(session.path) : file
  const ml = ML_DTYPES[a.storedType]
  return ml
    ? safetensorsMemmap(shard, name, a.storedType, ml)
    : `from safetensors import safe_open\nwith safe_open(${shard}, framework='np') as f:\n    a = f.get_tensor(${name})`
}

/**
 * The reference reader's call for each format (shared/containers/registry.ts): a format without one does not
 * compile.
 */
const RECIPES = {
  npz: (file, name) => `import numpy as np\na = np.load(${file})[${name}]`,
  gguf: (file, name, _stored, session) => {
    const a = session.array!
    const load = a.blocks
      ? `from gguf.quants import dequantize\na = dequantize(t.data, t.tensor_type)  # ${a.blocks.quant} blocks to float32`
      : a.storedType === 'BF16'
        ? `a = (t.data.view('<u2').astype(np.uint32) << 16).view(np.float32).reshape(${formatShape(session.layout.shape)})`
        : 'a = t.data'
    return `import numpy as np\nfrom gguf import GGUFReader\nt = next(t for t in GGUFReader(${file}).tensors if t.name == ${name})\n${load}`
  },
  safetensors: safetensorsRecipe,
  'safetensors-index': safetensorsRecipe,
  hdf5: (f, n) => `import h5py\na = h5py.File(${f}, 'r')[${n}]  # a[...] reads the values`,
  netcdf4: (f, n, stored) =>
    `import netCDF4\nv = netCDF4.Dataset(${f})[${n}]\nv.set_auto_maskandscale(${stored ? 'False' : 'True'})\na = v[:]`,
  mat73: (f, n) => `import h5py\na = h5py.File(${f}, 'r')[${n}][()].T  # MATLAB's dims`,
  netcdf3: (f, n, stored) =>
    stored
      ? `from scipy.io import netcdf_file\na = netcdf_file(${f}, mmap=True).variables[${n}].data`
      : `import netCDF4\na = netCDF4.Dataset(${f})[${n}][:]  # scale_factor / add_offset applied`,
  fits: (f, n, stored) =>
    `from astropy.io import fits\nhdul = fits.open(${f}${stored ? ', do_not_scale_image_data=True' : ''})\na = hdul[${/^'\d+'$/.test(n) ? n.slice(1, -1) : n}].data`,
  nifti: (f, _n, stored) =>
    `import numpy as np\nimport nibabel as nib\nimg = nib.load(${f})\na = ${stored ? 'img.dataobj.get_unscaled()' : 'np.asanyarray(img.dataobj)'}`,
  nrrd: (f) => `import nrrd  # pynrrd\na, header = nrrd.read(${f})`,
  envi: (f) => `import spectral  # SPy\na = spectral.envi.open(${f}).load()`,
  mat5: (f, n) => `from scipy.io import loadmat\na = loadmat(${f})[${n}]`
} satisfies Record<ContainerFormat, Recipe>

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
  const python = `${RECIPES[a.format](file, name, Boolean(a.scaling && !a.scaling.applied), session)}\n${view}`
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
  const l = session.layout
  const mode = session.mode === 'w+' ? 'r+' : session.mode
  // numpy has no bfloat16 / float8 of its own: ml_dtypes' types. Those are little-endian only, so a big-endian
  // bfloat16 is mapped as >u2 and converted (a copy in memory).
  const ml = Object.values(ML_DTYPES).find((t) => l.dtype.replace(/^[<>|=]/, '') === t)
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
  const python =
    session.format === 'npy'
      ? `import numpy as np\na = np.load(${pyString(session.path)}, mmap_mode=${pyString(mode)})\nview = a${viewIndexExpr(state, shape)}`
      : `${imports}\na = np.memmap(${pyString(session.path)}, dtype=${dtype}, mode=${pyString(mode)}, offset=${l.offset}, shape=${formatShape(l.shape)}, order=${pyString(l.order)})${convert}\nview = a${viewIndexExpr(state, shape)}`
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
