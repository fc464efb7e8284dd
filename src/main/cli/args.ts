// Command-line parsing shared by the CLI and the Electron shell: a command, positionals, --flags.
import type { LayoutSpecMsg, ModeName } from '../../shared/contract'
import { parseShape, type TextLayout } from '../../shared/layout'
import { expandHome } from '../service/home-path'

export class UsageError extends Error {}

export interface ParsedArgs {
  positionals: string[]
  flags: Map<string, string | true>
}

/** Flags that take no value. */
const BOOLEAN_FLAGS = new Set([
  'json',
  'help',
  'no-open',
  'version',
  'sidecar',
  'backwards',
  'aligned',
  'equal-nan',
  'no-equal-nan',
  'stored',
  'scaled',
  'force',
  'follow',
  'no-follow',
  'rows',
  'no-rows'
])

/** Flags that may be given more than once (their values kept in order: flagList). */
const REPEATABLE_FLAGS = new Set(['remote'])

/** Flags whose value is a path: "~/x" in them, as in positionals, is the home folder even when quoted. */
const PATH_FLAGS = new Set(['out', 'root'])
const pathFlag = (name: string, v: string): string => (PATH_FLAGS.has(name) ? expandHome(v) : v)

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = []
  const flags = new Map<string, string | true>()
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!
    if (a === '--') {
      positionals.push(...argv.slice(k + 1))
      break
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=')
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2)
      if (!name) throw new UsageError(`empty flag '${a}'`)
      if (flags.has(name) && !REPEATABLE_FLAGS.has(name)) throw new UsageError(`--${name} is given twice`)
      if (BOOLEAN_FLAGS.has(name)) {
        if (eq > 0) throw new UsageError(`--${name} takes no value`)
        flags.set(name, true)
      } else {
        const v = eq > 0 ? a.slice(eq + 1) : argv[++k]
        if (v === undefined) throw new UsageError(`--${name} needs a value`)
        const prev = flags.get(name)
        // a repeated flag's values are kept one a line (no URL or path a flag names holds a newline)
        flags.set(name, typeof prev === 'string' ? `${prev}\n${pathFlag(name, v)}` : pathFlag(name, v))
      }
    } else {
      positionals.push(expandHome(a))
    }
  }
  return { positionals, flags }
}

/** Every value of a repeatable flag, in the order given. */
export function flagList(args: ParsedArgs, name: string): string[] {
  const v = flagString(args, name)
  return v === undefined ? [] : v.split('\n')
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name)
  if (v === true) throw new UsageError(`--${name} needs a value`)
  return v
}

export function flagInt(args: ParsedArgs, name: string, min = 0): number | undefined {
  const v = flagString(args, name)
  if (v === undefined) return undefined
  const t = v.trim()
  const n = /^0x[0-9a-f]+$/i.test(t) ? Number.parseInt(t, 16) : /^-?\d+$/.test(t) ? Number(t) : NaN
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`)
  return n
}

/** The layout flags, and --array (an array of a container), which every command taking FILE accepts. */
export const LAYOUT_FLAGS = [
  'dtype',
  'shape',
  'offset',
  'order',
  'mode',
  'array',
  'stored',
  'scaled',
  'sep',
  'skip-rows',
  'comments',
  'rows',
  'no-rows'
]

/** A separator as typed: '\\t' and '\\n' spelled out are the characters (a shell passes them as two). */
export function unescapeSep(s: string): string {
  return s.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\r/g, '\r')
}

/** --sep (with --skip-rows, --comments, --rows): a text file read as numpy.fromfile(sep=…) or np.loadtxt does. */
function textFromArgs(args: ParsedArgs): TextLayout | undefined {
  const sep = flagString(args, 'sep')
  const skip = flagInt(args, 'skip-rows')
  const comments = flagString(args, 'comments')
  if (args.flags.has('rows') && args.flags.has('no-rows')) throw new UsageError('give --rows or --no-rows, not both')
  const rows = args.flags.has('rows') ? true : args.flags.has('no-rows') ? false : undefined
  if (sep === undefined) {
    if (skip !== undefined || comments !== undefined || rows !== undefined)
      throw new UsageError('--skip-rows, --comments and --rows read a text file: give its separator with --sep')
    return undefined
  }
  if (sep === '') throw new UsageError("--sep needs a separator (' ' for whitespace, ',' for CSV)")
  if (sep.length > 16) throw new UsageError('--sep is at most 16 characters')
  return {
    sep: unescapeSep(sep),
    ...(rows !== undefined ? { rows } : {}),
    ...(skip !== undefined ? { skip } : {}),
    ...(comments !== undefined ? { comments } : {})
  }
}

/**
 * The layout flags, or null when none of dtype/shape/offset/order is given (use the file's header); and --array,
 * which names an array of a container instead (then no layout flag may be given).
 * defaultDtype: the dtype when the others are given without --dtype (np.memmap's uint8); else that is an error.
 */
export function layoutFromArgs(
  args: ParsedArgs,
  defaultDtype?: string
): {
  layout: LayoutSpecMsg | null
  mode: ModeName
  array?: string
  /** --stored / --scaled: which values of an array with a scaling (FITS BSCALE, NIfTI scl_slope, NetCDF scale_factor). */
  values?: 'stored' | 'scaled'
} {
  if (args.flags.has('stored') && args.flags.has('scaled')) throw new UsageError('give --stored or --scaled, not both')
  const values = args.flags.has('stored') ? 'stored' : args.flags.has('scaled') ? 'scaled' : undefined
  const modeText = flagString(args, 'mode') ?? 'r'
  if (!['r', 'r+', 'c', 'w+'].includes(modeText))
    throw new UsageError(`--mode must be r, r+, c or w+, got '${modeText}'`)
  const mode = modeText as ModeName
  const dtype = flagString(args, 'dtype') ?? (args.flags.has('dtype') ? undefined : defaultDtype)
  const shapeText = flagString(args, 'shape')
  const offset = flagInt(args, 'offset')
  const orderText = flagString(args, 'order')
  const array = flagString(args, 'array')
  const text = textFromArgs(args)
  if (array !== undefined) {
    if (array === '') throw new UsageError('--array needs a name (`arrayscope ls FILE` lists them)')
    if (args.flags.has('dtype') || shapeText !== undefined || offset !== undefined || orderText !== undefined || text) {
      throw new UsageError(
        '--array takes the layout from the container: give no --dtype, --shape, --offset, --order or --sep'
      )
    }
    return { layout: null, mode, array, ...(values ? { values } : {}) }
  }
  // numpy.fromfile's default dtype is float64, for text as for bytes
  const dtypeOrText = text && !args.flags.has('dtype') ? '<f8' : dtype
  if (!args.flags.has('dtype') && shapeText === undefined && offset === undefined && orderText === undefined && !text) {
    return { layout: null, mode, ...(values ? { values } : {}) }
  }
  if (values) throw new UsageError(`--${values} applies to an array of a container, not to a layout`)
  if (orderText !== undefined && orderText !== 'C' && orderText !== 'F') {
    throw new UsageError(`--order must be C or F, got '${orderText}'`)
  }
  if (dtypeOrText === undefined) throw new UsageError('--dtype is required with a layout (e.g. --dtype <f4)')
  let shape: number[] | null
  try {
    shape = shapeText === undefined ? null : parseShape(shapeText)
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const order = (orderText as 'C' | 'F' | undefined) ?? 'C'
  return { layout: { dtype: dtypeOrText, shape, offset: offset ?? 0, order, ...(text ? { text } : {}) }, mode }
}

export function rejectUnknownFlags(args: ParsedArgs, allowed: readonly string[]): void {
  for (const name of args.flags.keys()) {
    if (!allowed.includes(name)) throw new UsageError(`unknown option --${name} (see arrayscope --help)`)
  }
}
