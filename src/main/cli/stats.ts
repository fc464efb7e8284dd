// `arrayscope stats`: count, min, max, mean, std (finite values), NaN/±Inf counts, optional histogram.
import { UsageError, LAYOUT_FLAGS, flagInt, flagString, rejectUnknownFlags, type ParsedArgs } from './args'
import type { ArrayService } from '../service/array-service'
import type { Stats } from '../service/scan'
import { MEMMAP_DEFAULT, openFromArgs } from './session'
import { io } from './output'
import path from 'node:path'
import { describeVersion, follow, type FileVersion } from './follow'
import { isRemote } from '../service/remote-url'

export async function stats(args: ParsedArgs, service: ArrayService): Promise<void> {
  rejectUnknownFlags(args, [...LAYOUT_FLAGS, 'slice', 'json', 'bins', 'range', 'watch'])
  const bins = flagInt(args, 'bins', 1)
  const rangeText = flagString(args, 'range')
  let range: [number, number] | undefined
  if (rangeText !== undefined) {
    const parts = rangeText.split(',').map(Number)
    if (parts.length !== 2 || !parts.every(Number.isFinite) || parts[0]! > parts[1]!) {
      throw new UsageError(`--range must be LO,HI with LO ≤ HI, got '${rangeText}'`)
    }
    range = parts as [number, number]
  }
  const watch = flagString(args, 'watch')
  if (watch === undefined) return printStats(args, service, bins, range)
  // --watch SECONDS: the statistics again whenever the file changed, at most once every SECONDS (a notification
  // of a write, else the poll every SECONDS), each headed by the version they describe (JSON: a "version" key)
  const seconds = Number(watch)
  if (!(seconds >= 0.01 && seconds <= 86_400))
    throw new UsageError(`--watch takes seconds from 0.01 to 86400, got '${watch}'`)
  const file = args.positionals[1]
  if (!file) throw new UsageError('stats needs a FILE')
  if (isRemote(file))
    throw new UsageError(
      'stats --watch watches local files: a remote object is read as it was opened (run stats again for a new version)'
    )
  const timing = { pollMs: seconds * 1000, rate: 1 / seconds }
  await follow(path.resolve(file), service, timing, (v) => printStats(args, service, bins, range, v))
}

async function printStats(
  args: ParsedArgs,
  service: ArrayService,
  bins: number | undefined,
  range: [number, number] | undefined,
  version?: FileVersion
): Promise<void> {
  const { session, view } = await openFromArgs(args, service, undefined, MEMMAP_DEFAULT)
  const s = await service.statsOf(session.id, view, { bins, range }).promise
  if (args.flags.has('json')) {
    io.out(JSON.stringify({ ...(version ? { version } : {}), ...statsJson(s) }) + '\n')
    return
  }
  if (version) io.out(`# ${describeVersion(version)}\n`)
  const lines = [
    `count  ${s.count}`,
    `min    ${s.minExact ?? s.min ?? '-'}`,
    `max    ${s.maxExact ?? s.max ?? '-'}`,
    `mean   ${s.mean ?? '-'}`,
    `std    ${s.std ?? '-'}`,
    `nan    ${s.nan}`,
    `+inf   ${s.posinf}`,
    `-inf   ${s.neginf}`
  ]
  if (s.histogram) {
    lines.push('histogram')
    s.histogram.counts.forEach((c, k) =>
      lines.push(
        `  [${s.histogram!.edges[k]}, ${s.histogram!.edges[k + 1]}${k === s.histogram!.counts.length - 1 ? ']' : ')'}  ${c}`
      )
    )
  }
  io.out(lines.join('\n') + '\n')
}

/**
 * The stats JSON (docs/cli.md#stats): {count,min,max,mean,std,nan,posinf,neginf[,histogram]}; exact int64
 * extremes as strings.
 */
export function statsJson(s: Stats): Record<string, unknown> {
  const exact = (v: string | undefined, x: number | null): number | string | null =>
    v !== undefined && !Number.isSafeInteger(Number(v)) ? v : x
  return {
    count: s.count,
    min: exact(s.minExact, s.min),
    max: exact(s.maxExact, s.max),
    mean: s.mean,
    std: s.std,
    nan: s.nan,
    posinf: s.posinf,
    neginf: s.neginf,
    ...(s.histogram ? { histogram: s.histogram } : {})
  }
}
