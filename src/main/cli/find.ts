// `arrayscope find`: the hex view's find, headless. Prints one match per line (decimal offset, hex offset);
// exits 1 when nothing matched, as grep does.
import type { ArrayService } from '../service/array-service'
import { runFind } from '../service/find'
import { LAYOUT_FLAGS, UsageError, flagInt, flagString, rejectUnknownFlags, type ParsedArgs } from './args'
import { io } from './output'
import { openFromArgs } from './session'

export async function find(args: ParsedArgs, service: ArrayService): Promise<number> {
  rejectUnknownFlags(args, [
    ...LAYOUT_FLAGS,
    'hex',
    'text',
    'value',
    'tolerance',
    'from',
    'backwards',
    'aligned',
    'max'
  ])
  const given = (['hex', 'text', 'value'] as const).filter((k) => args.flags.has(k))
  if (given.length !== 1)
    throw new UsageError('find needs one of --hex "DE AD ?? EF", --text T or --value "3.5 as <f4"')
  const kind = given[0]!
  const text = flagString(args, kind)!
  const tolText = flagString(args, 'tolerance')
  const tolerance = tolText === undefined ? undefined : Number(tolText)
  if (tolerance !== undefined && !(tolerance >= 0 && Number.isFinite(tolerance)))
    throw new UsageError(`--tolerance must be a number ≥ 0, got '${tolText}'`)
  const max = flagInt(args, 'max', 1) ?? 1
  const backwards = args.flags.has('backwards')
  // bytes and text need no layout: a file without a header is read as bytes
  const bytes = { dtype: '|u1', shape: null, offset: 0, order: 'C' } as const
  const { session } = await openFromArgs(args, service, undefined, bytes)
  const refusal = kind === 'value' ? session.source.valueFindRefusal('cli') : undefined
  if (refusal) throw new UsageError(refusal)
  let start = flagInt(args, 'from') ?? (backwards ? session.mapping.size : 0)
  let found = 0
  while (found < max) {
    const query = { kind, text, tolerance, aligned: args.flags.has('aligned'), start, backwards }
    // a chunk grid's chunks decoded, a remote object's blocks fetched, as the search reaches them (the search
    // ending at its match stops the rest); forwards, one pass from start (stream-fill.ts)
    const hit = await session.source.streamFill(
      session.layout,
      undefined,
      (through, p) => runFind(through.mapping ?? session.mapping, session.source.stored, query, p, through.gate),
      backwards ? { early: true } : { early: true, onePass: true, from: start }
    ).promise
    if (hit.offset === null) break
    io.out(`${hit.offset}\t0x${hit.offset.toString(16)}\n`)
    found++
    start = backwards ? hit.offset : hit.offset + 1
  }
  return found ? 0 : 1
}
