// `arrayscope export`: tofile-compatible raw/text, .npy and CSV of the whole array or a --slice.
import type { ArrayService } from '../service/array-service'
import { CASTINGS, type Casting } from '../../shared/casting'
import type { ExportFormat } from '../service/export'
import { exportsInOnePass } from '../service/text-export'
import { isRemote } from '../service/remote-url'
import { flagString, layoutFromArgs, LAYOUT_FLAGS, rejectUnknownFlags, UsageError, type ParsedArgs } from './args'
import { openFromArgs } from './session'
import { io } from './output'

/** The arguments as the input's layout reads them: --in-sep as --sep (and --sep only when it is not the output's). */
function inputArgs(args: ParsedArgs, textOut: boolean): ParsedArgs {
  const flags = new Map(args.flags)
  const inSep = flags.get('in-sep')
  if (textOut) flags.delete('sep')
  else if (inSep !== undefined && flags.has('sep'))
    throw new UsageError('give the input separator once: --sep or --in-sep')
  flags.delete('in-sep')
  if (inSep !== undefined) flags.set('sep', inSep)
  return { positionals: args.positionals, flags }
}

export async function exportCommand(args: ParsedArgs, service: ArrayService): Promise<void> {
  rejectUnknownFlags(args, [
    ...LAYOUT_FLAGS,
    'slice',
    'out',
    'as',
    'sep',
    'fmt',
    'to-dtype',
    'casting',
    'sidecar',
    'force',
    'in-sep'
  ])
  const out = flagString(args, 'out')
  if (!out) throw new UsageError('export needs --out PATH')
  const as = (flagString(args, 'as') ??
    (out.endsWith('.npy') ? 'npy' : out.endsWith('.csv') ? 'csv' : 'raw')) as ExportFormat
  if (!['raw', 'text', 'npy', 'csv'].includes(as))
    throw new UsageError(`--as must be raw, text, npy or csv, got '${as}'`)
  // --sep is the text output's separator with --as text; the input's (a text file read) is then --in-sep
  const textOut = as === 'text'
  const sep = textOut ? flagString(args, 'sep') : undefined
  args = inputArgs(args, textOut)
  const fmt = flagString(args, 'fmt')
  const toDtype = flagString(args, 'to-dtype')
  if ((sep !== undefined || fmt !== undefined) && as !== 'text' && as !== 'csv') {
    throw new UsageError('--sep and --fmt apply to --as text (and --fmt to csv)')
  }
  if (toDtype !== undefined && as !== 'raw' && as !== 'npy')
    throw new UsageError('--to-dtype applies to --as raw or npy')
  const casting = flagString(args, 'casting')
  if (casting !== undefined && toDtype === undefined) throw new UsageError('--casting applies to --to-dtype')
  if (casting !== undefined && !(CASTINGS as readonly string[]).includes(casting)) {
    throw new UsageError(
      `--casting must be one of ${CASTINGS.join(', ')} (numpy's names, and checked), got '${casting}'`
    )
  }
  const options = {
    as,
    out,
    sep: sep?.replace(/\\n/g, '\n').replace(/\\t/g, '\t'),
    fmt,
    toDtype,
    casting: casting as Casting | undefined,
    sidecar: args.flags.has('sidecar')
  }
  // never over the source (the file read or its container, whatever the spelling or link); over anything else
  // only with --force
  const replace = { overwrite: args.flags.has('force'), howToReplace: 'add --force' }
  // a whole text to .npy or raw: one pass straight into the export (text-export.ts), no session and no copy
  const file = args.positionals[1]
  const given = file !== undefined && !isRemote(file) ? layoutFromArgs(args) : null
  if (
    given?.layout?.text &&
    given.mode === 'r' &&
    given.array === undefined &&
    given.values === undefined &&
    exportsInOnePass(options, flagString(args, 'slice') !== undefined)
  ) {
    const request = { path: file!, layout: given.layout, mode: given.mode }
    const result = await service.exportText(request, options, replace).promise
    io.err(`arrayscope: wrote ${result.bytes} bytes to ${out}\n`)
    return
  }
  const { session, view } = await openFromArgs(args, service)
  const result = await service.exportOf(session.id, view, options, replace).promise
  io.err(`arrayscope: wrote ${result.bytes} bytes to ${out}\n`)
}
